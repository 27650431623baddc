"""The real lifesize flow against the real simulator on 127.0.0.1: faults become reasons."""

from __future__ import annotations

import socket
import time
from typing import Any

import httpx
import pytest

from probe.config import Account, User
from probe.credentials import Secret, Secrets
from probe.flows import LifesizeFlow
from probe.simulator import Simulator, SimUser, create_app, running

pytestmark = pytest.mark.anyio

STEP_TIMEOUT = 2.0
"""Long enough that a loaded CI machine answers a healthy request well inside it."""
MARGIN = 5.0
"""Generous: only "the probe ended at its deadline, not at the server's whim"."""


@pytest.fixture
def flow(live_sim: Any, make_target: Any, secrets: Secrets) -> LifesizeFlow:
    target = make_target(live_sim.url, step_timeout=f"{STEP_TIMEOUT * 1000:.0f}ms",
                         timeout="10s", lifesize={"poll": {"every": "20ms"}})
    return LifesizeFlow(target, region="local", secrets=secrets)


async def test_the_default_flow_passes_and_cleans_up(
        flow: LifesizeFlow, live_sim: Any, acme: Account, globex: Account) -> None:
    for account in (acme, globex):
        result = await flow.run(account, account.users[0])
        assert (result.ok, result.error, result.region) == (True, None, "local")
    stats = live_sim.sim.stats()
    assert (stats["logins"], stats["meetings_created"]) == (2, 2)
    assert (stats["meetings_deleted"], stats["meetings_open"]) == (2, 0)


@pytest.mark.parametrize(("fault", "reason"), [
    ({"mode": "error"}, "http_503"),
    ({"mode": "error", "status": 502}, "http_502"),
    ({"mode": "garbage"}, "bad_response"),
    ({"mode": "reject_auth"}, "auth_rejected"),
    ({"mode": "timeout"}, "timeout"),
    ({"mode": "slow"}, "timeout"),
])
@pytest.mark.parametrize("step", ["login", "call"])
async def test_each_fault_mode_gives_its_reason(
        flow: LifesizeFlow, live_sim: Any, acme: Account, *,
        fault: dict[str, Any], reason: str, step: str) -> None:
    live_sim.fault(step=step, **fault)
    began = time.monotonic()
    result = await flow.run(acme, acme.users[0])
    assert (result.ok, result.step, result.error) == (False, step, reason)
    assert time.monotonic() - began < STEP_TIMEOUT + MARGIN


async def test_a_slow_answer_within_the_deadline_passes(
        flow: LifesizeFlow, live_sim: Any, acme: Account) -> None:
    live_sim.fault(step="login", mode="slow", delay=0.1)
    result = await flow.run(acme, acme.users[0])
    assert result.ok


async def test_a_fault_hits_only_its_accounts_and_step(
        flow: LifesizeFlow, live_sim: Any, acme: Account, globex: Account) -> None:
    live_sim.fault(step="call", mode="error", accounts=["globex"])
    assert (await flow.run(acme, acme.users[1])).ok
    failed = await flow.run(globex, globex.users[0])
    assert (failed.step, failed.error) == ("call", "http_503")


async def test_step_any_hits_the_first_step(
        flow: LifesizeFlow, live_sim: Any, acme: Account) -> None:
    live_sim.fault(mode="error", status=500)
    result = await flow.run(acme, acme.users[0])
    assert (result.step, result.error) == ("login", "http_500")


async def test_a_wrong_password_is_auth_rejected(
        flow: LifesizeFlow, acme: Account) -> None:
    impostor = User(username="alice@acme.example", password_env="BOB_PW")
    result = await flow.run(acme, impostor)
    assert (result.step, result.error) == ("login", "auth_rejected")
    assert not result.is_evidence


async def test_a_wrong_api_key_is_auth_rejected(
        live_sim: Any, make_target: Any, acme: Account) -> None:
    target = make_target(live_sim.url, step_timeout="2s")
    secrets = Secrets(environ={"ALICE_PW": "alice-Pa55-w0rd!", "API_KEY": "stale-key"})
    result = await LifesizeFlow(target, region="local", secrets=secrets).run(acme, acme.users[0])
    assert (result.step, result.error) == ("call", "auth_rejected")


async def test_a_closed_port_is_connect(make_target: Any, secrets: Secrets,
                                        acme: Account) -> None:
    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        flow = LifesizeFlow(make_target(url), region="local", secrets=secrets)
        result = await flow.run(acme, acme.users[0])
    assert (result.step, result.error) == ("login", "connect")


async def test_tls_to_a_plain_http_server_is_tls(
        live_sim: Any, make_target: Any, secrets: Secrets, acme: Account) -> None:
    url = live_sim.url.replace("http://", "https://")
    result = await LifesizeFlow(make_target(url), region="local", secrets=secrets).run(
        acme, acme.users[0])
    assert (result.step, result.error) == ("login", "tls")


async def test_a_fault_ends_by_itself(make_target: Any, secrets: Secrets,
                                      acme: Account) -> None:
    now = [0.0]
    sim = Simulator(
        {"alice@acme.example": SimUser(account="acme", password=Secret("alice-Pa55-w0rd!"))},
        api_key=Secret("api-KEY-7f3a9c"),
        clock=lambda: now[0],
    )
    with running(create_app(sim)) as url:
        flow = LifesizeFlow(make_target(url), region="local", secrets=secrets)
        assert httpx.post(f"{url}/_sim/faults", json={"mode": "error", "seconds": 60}).is_success
        assert (await flow.run(acme, acme.users[0])).error == "http_503"
        now[0] = 60.0
        assert (await flow.run(acme, acme.users[0])).ok
        assert httpx.get(f"{url}/_sim/faults").json() == {"faults": []}
