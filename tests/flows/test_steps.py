"""The steps flow: templating from account, user and earlier steps; extraction; tags."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from probe.config import Account, TargetSection
from probe.credentials import Secrets
from probe.flows import StepsFlow, make_flow

pytestmark = pytest.mark.anyio

API = "https://api.test"


def script(*steps: dict[str, Any], **fields: Any) -> TargetSection:
    return TargetSection.model_validate({
        "flow": "steps", "hosts": {"api": API}, "api_key_env": "API_KEY",
        "vars": {"tenant": "t-9"}, "steps": list(steps), **fields})


SIGN_IN = {"name": "sign-in", "step": "login", "method": "post",
           "url": "${hosts.api}/v2/${vars.tenant}/session",
           "form": {"user": "${user.username}", "pass": "${user.password}"},
           "extract": {"sid": "cookie:sid", "csrf": "header:X-CSRF", "uid": "data.users[1].id"}}
DIAL = {"name": "dial", "step": "call", "method": "POST", "url": "${hosts.api}/calls",
        "headers": {"X-CSRF": "${csrf}", "X-Key": "${api_key}"},
        "json": {"caller": "${uid}", "label": "probe ${account.name}/${region} as ${uid}",
                 "nested": ["${sid}", {"n": "${uid}"}]},
        "status": [201], "expect": {"call.state": "ringing"}, "extract": {"call": "call.id"}}
HANG_UP = {"name": "hang-up", "step": "cleanup", "method": "DELETE",
           "url": "${hosts.api}/calls/${call}", "status": [204]}


@pytest.fixture
def api(respx_mock: respx.MockRouter) -> dict[str, respx.Route]:
    return {
        "session": respx_mock.post(f"{API}/v2/t-9/session").respond(
            200, json={"data": {"users": [{"id": 1}, {"id": 42}]}},
            headers={"Set-Cookie": "sid=s-77; Path=/", "X-CSRF": "c-5"}),
        "calls": respx_mock.post(f"{API}/calls").respond(
            201, json={"call": {"id": "c1", "state": "ringing"}}),
        "hangup": respx_mock.delete(f"{API}/calls/c1").respond(204),
    }


async def run(target: TargetSection, account: Account, secrets: Secrets, clock: Any) -> Any:
    flow = make_flow(target, region="eu", secrets=secrets, clock=clock)
    assert isinstance(flow.flow_for(account), StepsFlow)
    return await flow.run(account, account.users[0])


async def test_templates_draw_on_account_user_and_earlier_steps(
        api: dict[str, respx.Route], acme: Account, secrets: Secrets, clock: Any) -> None:
    result = await run(script(SIGN_IN, DIAL, HANG_UP), acme, secrets, clock)
    assert result.ok, result
    sign_in = api["session"].calls.last.request
    assert sign_in.content == b"user=alice%40acme.example&pass=alice-Pa55-w0rd%21"
    dial = api["calls"].calls.last.request
    assert dial.headers["x-csrf"] == "c-5"
    assert dial.headers["x-key"] == "api-KEY-7f3a9c"
    assert dial.headers["cookie"] == "sid=s-77", "the probe's client keeps its cookies"
    assert json.loads(dial.content) == {
        "caller": 42, "label": "probe acme/eu as 42", "nested": ["s-77", {"n": 42}]}
    assert api["hangup"].call_count == 1


async def test_durations_are_summed_per_tag(
        api: dict[str, respx.Route], acme: Account, secrets: Secrets, clock: Any) -> None:
    def later(seconds: float, answer: httpx.Response) -> Any:
        def effect(request: httpx.Request) -> httpx.Response:
            clock.advance(seconds)
            return answer
        return effect
    api["calls"].side_effect = later(0.5, httpx.Response(
        201, json={"call": {"id": "c1", "state": "ringing"}}))
    second_call = {**DIAL, "name": "dial-again"}
    result = await run(script(SIGN_IN, DIAL, second_call), acme, secrets, clock)
    assert result.durations == {"login": 0.0, "call": 1.0, "total": 1.0}


async def test_an_expectation_that_fails_is_bad_response_of_its_step(
        api: dict[str, respx.Route], acme: Account, secrets: Secrets, clock: Any) -> None:
    api["calls"].respond(201, json={"call": {"id": "c1", "state": "busy"}})
    result = await run(script(SIGN_IN, DIAL, HANG_UP), acme, secrets, clock)
    assert (result.step, result.error) == ("call", "bad_response")
    assert api["hangup"].call_count == 0, "cleanup is skipped: ${call} was never set"


@pytest.mark.parametrize(("answer", "reason"), [
    (httpx.Response(200, json={"data": {"users": [{"id": 1}]}},
                    headers={"Set-Cookie": "sid=1", "X-CSRF": "c"}), "bad_response"),
    (httpx.Response(200, json={"data": {"users": [{"id": 1}, {"id": 2}]}},
                    headers={"X-CSRF": "c"}), "bad_response"),
    (httpx.Response(200, json={"data": {"users": [{"id": 1}, {"id": 2}]}},
                    headers={"Set-Cookie": "sid=1"}), "bad_response"),
    (httpx.Response(401), "auth_rejected"),
    (httpx.Response(429), "http_429"),
], ids=["no-index-1", "no-cookie", "no-header", "401", "429"])
async def test_extraction_failures_fail_the_step(
        api: dict[str, respx.Route], acme: Account, secrets: Secrets, clock: Any, *,
        answer: httpx.Response, reason: str) -> None:
    api["session"].side_effect = [answer]
    result = await run(script(SIGN_IN, DIAL), acme, secrets, clock)
    assert (result.ok, result.step, result.error) == (False, "login", reason)
    assert api["calls"].call_count == 0


async def test_escaped_dollar_and_json_path_prefix(
        respx_mock: respx.MockRouter, acme: Account, secrets: Secrets, clock: Any) -> None:
    route = respx_mock.post(f"{API}/x").respond(200, json={"a": {"b": [True]}})
    step = {"name": "x", "step": "login", "method": "POST", "url": "${hosts.api}/x",
            "json": {"literal": "$${not.a.var}"}, "extract": {"flag": "json:a.b[0]"},
            "expect": {"a.b[0]": True}}
    result = await run(script(step), acme, secrets, clock)
    assert result.ok
    assert json.loads(route.calls.last.request.content) == {"literal": "${not.a.var}"}


async def test_expect_tells_true_from_one(
        respx_mock: respx.MockRouter, acme: Account, secrets: Secrets, clock: Any) -> None:
    respx_mock.get(f"{API}/x").respond(200, json={"ok": 1})
    step = {"name": "x", "step": "call", "url": "${hosts.api}/x", "expect": {"ok": True}}
    result = await run(script(step), acme, secrets, clock)
    assert (result.step, result.error) == ("call", "bad_response")


async def test_a_step_may_poll_until_a_value(
        respx_mock: respx.MockRouter, acme: Account, secrets: Secrets, clock: Any) -> None:
    respx_mock.get(f"{API}/status").mock(side_effect=[
        httpx.Response(200, json={"s": "wait"}), httpx.Response(200, json={"s": "up"})])
    step = {"name": "s", "step": "call", "url": "${hosts.api}/status",
            "until": {"s": "up"}, "every": "2s"}
    result = await run(script(step), acme, secrets, clock)
    assert result.ok
    assert clock.sleeps == [2.0]


async def test_the_total_timeout_bounds_every_step(
        respx_mock: respx.MockRouter, acme: Account, secrets: Secrets, clock: Any) -> None:
    respx_mock.get(f"{API}/status").respond(200, json={"s": "wait"})
    step = {"name": "s", "step": "call", "url": "${hosts.api}/status",
            "until": {"s": "up"}, "every": "1s"}
    result = await run(script(step, timeout="3s", step_timeout="1m"), acme, secrets, clock)
    assert (result.step, result.error) == ("call", "timeout")
    assert sum(clock.sleeps) <= 3.0
