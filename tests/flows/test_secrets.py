"""Secrets: resolved from env or file, masked everywhere, never in what a probe emits."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from probe.config import Account
from probe.credentials import Secret, SecretError, Secrets
from probe.flows import LifesizeFlow

LOGIN = "https://login.test/api/login"
CREATE = "https://meeting.test/meeting/create"
GET = "https://meeting.test/meeting/get"
HOSTS = {"login": "https://login.test", "meeting": "https://meeting.test"}

SECRETS = ("alice-Pa55-w0rd!", "api-KEY-7f3a9c")


def test_a_secret_never_shows_itself() -> None:
    secret = Secret("hunter2")
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{secret:>20}",
             repr({"password": secret}), repr([secret])]
    assert all("hunter2" not in text for text in shown)
    assert secret.reveal() == "hunter2"


def test_from_env() -> None:
    assert Secrets(environ={"PW": "x"}).resolve(env="PW", file=None, what="p").reveal() == "x"


@pytest.mark.parametrize("environ", [{}, {"PW": ""}])
def test_a_missing_env_variable_is_named(environ: dict[str, str]) -> None:
    with pytest.raises(SecretError, match="p: environment variable PW is not set or empty"):
        Secrets(environ=environ).resolve(env="PW", file=None, what="p")


def test_from_a_file_relative_to_the_base_dir(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("s3cret\n", encoding="utf-8")
    assert Secrets(base_dir=tmp_path).resolve(env=None, file="pw", what="p").reveal() == "s3cret"
    absolute = str(tmp_path / "pw")
    assert Secrets(base_dir=Path("/nowhere")).resolve(env=None, file=absolute,
                                                      what="p").reveal() == "s3cret"


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read"), (b"\n", "is empty"), (b"\xff\xfe", "not UTF-8"),
])
def test_an_unreadable_file_is_an_error_without_its_content(
        tmp_path: Path, content: bytes | None, message: str) -> None:
    if content is not None:
        (tmp_path / "pw").write_bytes(content)
    with pytest.raises(SecretError, match=message):
        Secrets(base_dir=tmp_path).resolve(env=None, file="pw", what="p")


def test_exactly_one_reference() -> None:
    with pytest.raises(SecretError, match="exactly one"):
        Secrets().resolve(env="A", file="b", what="p")


def emitted(result: Any, caplog: pytest.LogCaptureFixture) -> str:
    """Everything a probe put out: its result and every log record, fully formatted."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    records = [formatter.format(record) for record in caplog.records]
    arguments = [repr(record.args) for record in caplog.records]
    return "\n".join([repr(result), str(result.durations), *records, *arguments])


@pytest.mark.anyio
@pytest.mark.parametrize("failure", [
    httpx.Response(401, json={"error": "bad password"}),
    httpx.Response(503, text="down"),
    httpx.Response(200, text="<html>"),
    httpx.ConnectError("refused"),
    httpx.ReadTimeout("slow"),
    RuntimeError("a bug mentioning alice-Pa55-w0rd! and api-KEY-7f3a9c"),
    "echo",
], ids=["401", "503", "garbage", "connect", "timeout", "internal", "echo"])
@pytest.mark.parametrize("where", ["login", "create"])
async def test_no_secret_in_anything_a_failing_probe_emits(
        respx_mock: respx.MockRouter, make_target: Any, secrets: Secrets, *, clock: Any,
        acme: Account, caplog: pytest.LogCaptureFixture,
        failure: httpx.Response | Exception | str, where: str) -> None:
    caplog.set_level(logging.DEBUG)

    def answer(request: httpx.Request) -> httpx.Response:
        if isinstance(failure, Exception):
            raise failure
        if failure == "echo":  # a service that echoes the request in an error
            return httpx.Response(500, content=request.content + str(request.headers).encode())
        return failure

    ok_login = httpx.Response(200, json={"token": "t"})
    respx_mock.post(LOGIN).mock(side_effect=answer if where == "login" else [ok_login])
    respx_mock.post(CREATE).mock(side_effect=answer)
    respx_mock.get(GET).respond(200, json={"state": "connected"})
    flow = LifesizeFlow(make_target(HOSTS), region="eu", secrets=secrets, clock=clock)
    result = await flow.run(acme, acme.users[0])
    assert not result.ok
    text = emitted(result, caplog)
    assert caplog.records, "the failure was logged"
    for secret in SECRETS:
        assert secret not in text
