"""The lifesize flow against respx: every step outcome and every error class."""

from __future__ import annotations

import socket
import ssl
from typing import Any

import httpx
import pytest
import respx

from probe.config import Account
from probe.credentials import Secrets
from probe.flows import LifesizeFlow

LOGIN = "https://login.test/api/login"
CREATE = "https://meeting.test/meeting/create"
GET = "https://meeting.test/meeting/get"
DELETE = "https://meeting.test/meeting/delete"
HOSTS = {"login": "https://login.test", "meeting": "https://meeting.test"}

pytestmark = pytest.mark.anyio


@pytest.fixture
def service(respx_mock: respx.MockRouter) -> dict[str, respx.Route]:
    """A healthy service: sign-in, create, a poll that connects, delete."""
    return {
        "login": respx_mock.post(LOGIN).respond(200, json={"token": "tok-1"}),
        "create": respx_mock.post(CREATE).respond(
            200, json={"statusCode": 202, "uuid": "m-1", "extension": "1000123"}),
        "get": respx_mock.get(GET).respond(200, json={"state": "connected"}),
        "delete": respx_mock.delete(DELETE).respond(200, json={"statusCode": 200}),
    }


@pytest.fixture
def flow(make_target: Any, secrets: Secrets, clock: Any) -> LifesizeFlow:
    return LifesizeFlow(make_target(HOSTS), region="eu", secrets=secrets, clock=clock)


async def probe(flow: LifesizeFlow, account: Account) -> Any:
    return await flow.run(account, account.users[0])


async def test_a_healthy_service_passes_and_the_meeting_is_deleted(
        flow: LifesizeFlow, acme: Account, service: dict[str, respx.Route], clock: Any) -> None:
    result = await probe(flow, acme)
    assert (result.ok, result.step, result.error) == (True, None, None)
    assert (result.account, result.region, result.ts) == ("acme", "eu", clock.time())
    assert set(result.durations) == {"login", "call", "total"}
    assert service["delete"].call_count == 1
    assert service["delete"].calls.last.request.content == b'{"uuid":"m-1"}'


async def test_requests_carry_credentials_token_and_api_key(
        flow: LifesizeFlow, acme: Account, service: dict[str, respx.Route]) -> None:
    await probe(flow, acme)
    login = service["login"].calls.last.request
    assert login.content == b'{"username":"alice@acme.example","password":"alice-Pa55-w0rd!"}'
    create = service["create"].calls.last.request
    assert create.headers["key"] == "api-KEY-7f3a9c"
    assert create.headers["authorization"] == "Bearer tok-1"
    assert service["get"].calls.last.request.url.params["uuid"] == "m-1"


async def test_durations_are_measured_per_step_on_the_clock(
        flow: LifesizeFlow, acme: Account, service: dict[str, respx.Route], clock: Any) -> None:
    def slow(seconds: float, answer: httpx.Response) -> Any:
        def effect(request: httpx.Request) -> httpx.Response:
            clock.advance(seconds)
            return answer
        return effect
    service["login"].side_effect = slow(0.25, httpx.Response(200, json={"token": "t"}))
    service["create"].side_effect = slow(1.0, httpx.Response(
        200, json={"statusCode": 202, "uuid": "u", "extension": "1"}))
    service["delete"].side_effect = slow(7.0, httpx.Response(200))
    result = await probe(flow, acme)
    assert result.durations == {"login": 0.25, "call": 1.0, "total": 1.25}


async def test_a_poll_waits_for_connected(
        flow: LifesizeFlow, acme: Account, service: dict[str, respx.Route], clock: Any) -> None:
    service["get"].side_effect = [httpx.Response(200, json={"state": "connecting"})] * 2 + [
        httpx.Response(200, json={"state": "connected"})]
    result = await probe(flow, acme)
    assert result.ok
    assert clock.sleeps == [1.0, 1.0]
    assert result.durations["call"] == 2.0


async def test_a_call_that_never_connects_times_out_at_the_step_deadline(
        flow: LifesizeFlow, acme: Account, service: dict[str, respx.Route], clock: Any) -> None:
    service["get"].respond(200, json={"state": "connecting"})
    result = await probe(flow, acme)
    assert (result.ok, result.step, result.error) == (False, "call", "timeout")
    assert sum(clock.sleeps) < 5.0
    assert service["delete"].call_count == 1, "cleanup still runs"


@pytest.mark.parametrize(("status", "reason"), [
    (401, "auth_rejected"), (403, "auth_rejected"), (500, "http_500"), (503, "http_503"),
    (302, "http_302"), (404, "http_404"),
])
async def test_a_login_status_is_classed(
        flow: LifesizeFlow, acme: Account, service: dict[str, respx.Route],
        status: int, reason: str) -> None:
    service["login"].respond(status, json={"error": "x"})
    result = await probe(flow, acme)
    assert (result.ok, result.step, result.error) == (False, "login", reason)
    assert set(result.durations) == {"login", "total"}
    assert service["create"].call_count == 0


@pytest.mark.parametrize(("status", "reason"), [(401, "auth_rejected"), (502, "http_502")])
async def test_a_call_status_is_classed(
        flow: LifesizeFlow, acme: Account, service: dict[str, respx.Route],
        status: int, reason: str) -> None:
    service["create"].respond(status)
    result = await probe(flow, acme)
    assert (result.step, result.error) == ("call", reason)


@pytest.mark.parametrize("answer", [
    httpx.Response(200, content=b"<html>maintenance</html>"),
    httpx.Response(200, json={"statusCode": 500, "uuid": "u", "extension": "1"}),
    httpx.Response(200, json={"statusCode": 202, "extension": "1"}),
    httpx.Response(200, json=["statusCode", 202]),
    httpx.Response(200, content=b""),
], ids=["not-json", "wrong-statusCode", "no-uuid", "wrong-shape", "empty"])
async def test_a_wrong_create_answer_is_bad_response(
        flow: LifesizeFlow, acme: Account, service: dict[str, respx.Route],
        answer: httpx.Response) -> None:
    service["create"].side_effect = [answer]
    result = await probe(flow, acme)
    assert (result.step, result.error) == ("call", "bad_response")
    assert service["delete"].call_count == 0, "no uuid: nothing to clean up"


async def test_a_login_answer_without_token_is_bad_response(
        flow: LifesizeFlow, acme: Account, service: dict[str, respx.Route]) -> None:
    service["login"].respond(200, json={"session": "x"})
    result = await probe(flow, acme)
    assert (result.step, result.error) == ("login", "bad_response")


def _raise(exc: Exception) -> Any:
    def effect(request: httpx.Request) -> httpx.Response:
        raise exc
    return effect


@pytest.mark.parametrize(("exc", "reason"), [
    (httpx.ConnectError("All connection attempts failed"), "connect"),
    (httpx.ReadError("reset"), "connect"),
    (httpx.WriteError("broken pipe"), "connect"),
    (httpx.ConnectTimeout("connect timed out"), "timeout"),
    (httpx.ReadTimeout("read timed out"), "timeout"),
    (httpx.PoolTimeout("no connection"), "timeout"),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."),
     "bad_response"),
    (httpx.DecodingError("bad gzip"), "bad_response"),
    (ValueError("a bug"), "internal"),
])
@pytest.mark.parametrize("step", ["login", "create", "get"])
async def test_transport_failures_are_classed(
        flow: LifesizeFlow, acme: Account, service: dict[str, respx.Route], *,
        exc: Exception, reason: str, step: str) -> None:
    service[step].side_effect = _raise(exc)
    result = await probe(flow, acme)
    assert (result.ok, result.step, result.error) == (
        False, "login" if step == "login" else "call", reason)


class _Unreachable(httpx.AsyncBaseTransport):
    """Fails like httpcore does: ``ConnectError`` caused by the OS or TLS error.

    respx replaces the cause of what a side effect raises, so the causes that tell
    dns and tls from connect are raised here instead.
    """

    def __init__(self, cause: OSError) -> None:
        self.cause = cause

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            raise self.cause
        except OSError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc


@pytest.mark.parametrize(("cause", "reason"), [
    (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "dns"),
    (ssl.SSLCertVerificationError(1, "certificate verify failed"), "tls"),
    (ssl.SSLError(1, "wrong version number"), "tls"),
    (ConnectionRefusedError(111, "Connection refused"), "connect"),
    (OSError(101, "Network is unreachable"), "connect"),
])
async def test_the_cause_of_a_connect_error_tells_dns_and_tls_apart(
        make_target: Any, secrets: Secrets, clock: Any, acme: Account, *,
        cause: OSError, reason: str) -> None:
    def clients() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=_Unreachable(cause))
    flow = LifesizeFlow(make_target(HOSTS), region="eu", secrets=secrets, clock=clock,
                        clients=clients)
    result = await probe(flow, acme)
    assert (result.step, result.error) == ("login", reason)


async def test_an_answer_over_the_size_cap_is_bad_response(
        make_target: Any, secrets: Secrets, clock: Any, acme: Account,
        service: dict[str, respx.Route]) -> None:
    flow = LifesizeFlow(make_target(HOSTS, max_body_bytes=2048), region="eu",
                        secrets=secrets, clock=clock)
    service["login"].respond(200, json={"token": "t", "padding": "x" * 4096})
    result = await probe(flow, acme)
    assert (result.step, result.error) == ("login", "bad_response")


async def test_a_failed_cleanup_does_not_change_the_verdict(
        flow: LifesizeFlow, acme: Account, service: dict[str, respx.Route],
        caplog: pytest.LogCaptureFixture) -> None:
    service["delete"].side_effect = _raise(httpx.ReadTimeout("slow delete"))
    result = await probe(flow, acme)
    assert result.ok
    assert "cleanup hangup: timeout" in caplog.text


async def test_a_missing_password_is_internal_not_downtime(
        make_target: Any, clock: Any, acme: Account, service: dict[str, respx.Route],
        caplog: pytest.LogCaptureFixture) -> None:
    flow = LifesizeFlow(make_target(HOSTS), region="eu", clock=clock,
                        secrets=Secrets(environ={"API_KEY": "k"}))
    result = await probe(flow, acme)
    assert (result.ok, result.step, result.error) == (False, "login", "internal")
    assert not result.is_evidence
    assert "ALICE_PW is not set" in caplog.text
    assert service["login"].call_count == 0


async def test_a_bug_is_internal_and_logged_with_its_traceback(
        make_target: Any, secrets: Secrets, clock: Any, acme: Account,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken_factory() -> httpx.AsyncClient:
        raise RuntimeError("factory bug")
    flow = LifesizeFlow(make_target(HOSTS), region="eu", secrets=secrets, clock=clock,
                        clients=broken_factory)
    result = await probe(flow, acme)
    assert (result.step, result.error) == ("login", "internal")
    assert "Traceback" in caplog.text
    assert "RuntimeError: factory bug" in caplog.text


async def test_dialling_an_existing_meeting_skips_create(
        make_target: Any, secrets: Secrets, clock: Any, acme: Account,
        service: dict[str, respx.Route]) -> None:
    target = make_target(HOSTS, vars={"uuid": "room-7"}, lifesize={
        "create": None, "hangup": None,
        "poll": {"url": "${hosts.meeting}/meeting/get?uuid=${vars.uuid}"}})
    result = await LifesizeFlow(target, region="eu", secrets=secrets, clock=clock).run(
        acme, acme.users[0])
    assert result.ok
    assert service["create"].call_count == 0
    assert service["delete"].call_count == 0
    assert service["get"].calls.last.request.url.params["uuid"] == "room-7"
