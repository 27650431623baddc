"""TLS verification: on by default; off only when written out, and then with a warning."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from probe.config import Account, TargetSection
from probe.credentials import Secret, Secrets
from probe.flows import make_flow
from probe.http_server import running
from probe.simulator import Simulator, SimUser, create_app
from tests.conftest import PASSWORDS

pytestmark = pytest.mark.anyio

WARNING = "TLS certificate verification is OFF for the target"


@pytest.fixture
def https_simulator(certificate: tuple[Path, Path], acme: Account) -> Iterator[str]:
    """The simulator over HTTPS with a self-signed certificate for another name."""
    users = {u.username: SimUser(account="acme", password=Secret(PASSWORDS[str(u.password_env)]))
             for u in acme.users}
    sim = Simulator(users, api_key=Secret(PASSWORDS["API_KEY"]))
    cert, key = certificate
    with running(create_app(sim), ssl_certfile=str(cert), ssl_keyfile=str(key)) as url:
        assert url.startswith("https://")
        yield url


def test_verification_is_on_unless_written_out() -> None:
    assert TargetSection().tls_verify is True
    assert TargetSection.model_validate({"tls_verify": False}).tls_verify is False


async def test_a_certificate_nobody_vouches_for_fails_the_probe_as_tls(
        https_simulator: str, make_target: Callable[..., TargetSection], acme: Account,
        secrets: Secrets, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        flow = make_flow(make_target(https_simulator), region="eu", secrets=secrets)
    assert WARNING not in caplog.text
    result = await flow.run(acme, acme.users[0])
    assert (result.ok, result.step, result.error) == (False, "login", "tls")


async def test_turning_verification_off_works_and_warns_at_start(
        https_simulator: str, make_target: Callable[..., TargetSection], acme: Account,
        secrets: Secrets, caplog: pytest.LogCaptureFixture) -> None:
    target = make_target(https_simulator, tls_verify=False)
    with caplog.at_level(logging.WARNING):
        flow = make_flow(target, region="eu", secrets=secrets)
    (warning,) = [r for r in caplog.records if WARNING in r.getMessage()]
    assert warning.levelno == logging.WARNING
    assert https_simulator in warning.getMessage()
    caplog.clear()
    result = await flow.run(acme, acme.users[0])
    assert result.ok, result
    # Other targets keep verifying: the insecure context is not the shared one.
    strict = make_flow(make_target(https_simulator), region="eu", secrets=secrets)
    assert (await strict.run(acme, acme.users[0])).error == "tls"
