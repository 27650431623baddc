"""The browser flow end to end: Debian's Chromium against the simulator's web app.

Every test drives a real browser (fake camera and microphone) through the sign-in
form to a WebRTC call with the simulator's aiortc answerer, all on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from probe.config import Account, TargetSection, User
from probe.credentials import Secrets
from probe.diagnostics import DiagnosticsDir
from probe.flows import make_flow
from probe.flows._chromium import Chromium
from probe.flows._redact import Redactor
from probe.flows.browser import BrowserFlow
from probe.model import ProbeResult
from tests.browser_probes import BROWSER_PROBES
from tests.conftest import PASSWORDS, LiveSimulator

pytestmark = [pytest.mark.anyio, BROWSER_PROBES]

PASSWORD = PASSWORDS["ALICE_PW"]
CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():  # pragma: no cover - the image has it; say why when it does not
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

SIGN_IN_ONLY = [
    {"step": "login", "goto": "${hosts.web}/app/"},
    {"step": "login", "fill": "#email", "value": "${user.username}"},
    {"step": "login", "fill": "#password", "value": "${user.password}"},
    {"step": "login", "click": "#login"},
    {"step": "login", "wait_for": {"selector": "#start-call"}},
]


def browser_target(sim: LiveSimulator, make_target: Any, **browser: Any) -> TargetSection:
    hosts = {"web": sim.url, "login": sim.url, "meeting": sim.url}
    target: TargetSection = make_target(hosts, flow="browser", browser=browser)
    return target


@asynccontextmanager
async def opened(target: TargetSection, secrets: Secrets, diagnostics: DiagnosticsDir | None,
                 chromium: Chromium | None = None) -> AsyncIterator[BrowserFlow]:
    flow = BrowserFlow(target, region="eu", secrets=secrets, diagnostics=diagnostics,
                       chromium=chromium)
    try:
        yield flow
    finally:
        await flow.aclose()


async def probe(target: TargetSection, secrets: Secrets, user: User, account: Account,
                diagnostics: DiagnosticsDir | None) -> ProbeResult:
    async with opened(target, secrets, diagnostics) as flow:
        return await flow.run(account, user)


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def spelled(secret: str) -> dict[str, bytes]:
    """The password as a page, a form body, JSON or a URL would write it."""
    forms = {"raw": secret, "quote": quote(secret, safe=""), "quote_plus": quote_plus(secret),
             "json": json.dumps(secret)[1:-1]}
    return {name: form.encode() for name, form in forms.items()}


def assert_no_secret(name: str, data: bytes, secret: str = PASSWORD) -> None:
    for form, spelling in spelled(secret).items():
        assert spelling not in data, f"{name} holds the password ({form})"


async def test_a_good_probe_signs_in_calls_and_keeps_nothing(
        live_sim: LiveSimulator, make_target: Any, acme: Account, secrets: Secrets,
        tmp_path: Path) -> None:
    target = browser_target(live_sim, make_target)
    result = await probe(target, secrets, acme.users[0], acme, DiagnosticsDir(tmp_path))
    assert result.ok, result
    assert (result.step, result.error, result.diagnostics) == (None, None, ())
    assert set(result.durations) == {"login", "call", "total", "connected", "first_frame"}
    assert result.durations["first_frame"] <= result.durations["call"]
    assert result.durations["total"] >= result.durations["login"] + result.durations["call"]
    assert files_under(tmp_path) == []


async def test_make_flow_gives_each_account_its_flow(
        *, live_sim: LiveSimulator, make_target: Any, acme: Account, globex: Account,
        secrets: Secrets, tmp_path: Path) -> None:
    target = browser_target(live_sim, make_target, steps=SIGN_IN_ONLY)
    by_browser = acme.model_copy(update={"flow": "browser"})
    flow = make_flow(target.model_copy(update={"flow": "lifesize"}), region="eu",
                     secrets=secrets, diagnostics=DiagnosticsDir(tmp_path))
    try:
        assert isinstance(flow.flow_for(by_browser), BrowserFlow)
        assert not isinstance(flow.flow_for(globex), BrowserFlow)
        browser_result = await flow.run(by_browser, by_browser.users[0])
        api_result = await flow.run(globex, globex.users[0])
    finally:
        await flow.aclose()
    assert browser_result.ok, browser_result
    assert api_result.ok, api_result
    assert "connected" not in browser_result.durations  # the sign-in-only script


FAULTS = [
    ("ui_change", "login", "login", "bad_response"),
    ("reject_auth", "login", "login", "auth_rejected"),
    ("error", "login", "login", "http_503"),
    ("timeout", "login", "login", "timeout"),
    ("slow", "login", "login", "timeout"),
    ("js_error", "call", "call", "bad_response"),
    ("no_ice", "call", "call", "ice_failed"),
    ("no_media", "call", "call", "no_media"),
    ("error", "call", "call", "http_503"),
    ("timeout", "call", "call", "timeout"),
    ("reject_auth", "call", "call", "auth_rejected"),
]


@pytest.mark.parametrize(("mode", "fault_step", "step", "error"), FAULTS)
async def test_each_fault_of_the_web_app_has_its_class(
        *, live_sim: LiveSimulator, make_target: Any, acme: Account, secrets: Secrets,
        tmp_path: Path, mode: str, fault_step: str, step: str, error: str) -> None:
    live_sim.fault(mode=mode, step=fault_step, seconds=120)
    target = browser_target(live_sim, make_target, confirm=False)
    result = await probe(target, secrets, acme.users[0], acme, DiagnosticsDir(tmp_path))
    assert (result.ok, result.step, result.error) == (False, step, error)
    assert {f.kind for f in result.diagnostics} >= {"console", "trace", "webrtc"}


async def test_a_wrong_password_is_auth_rejected_at_once(
        live_sim: LiveSimulator, make_target: Any, acme: Account, tmp_path: Path) -> None:
    wrong = Secrets(environ={**PASSWORDS, "ALICE_PW": "not-alices-Pa55"})
    target = browser_target(live_sim, make_target, confirm=False)
    result = await probe(target, wrong, acme.users[0], acme, DiagnosticsDir(tmp_path))
    assert (result.ok, result.step, result.error) == (False, "login", "auth_rejected")
    assert result.durations["login"] < target.step_timeout  # the marker, not the deadline


@pytest.mark.parametrize(("selector", "error"), [
    ("head > title", "timeout"),  # on the page, never visible: a page not ready in time
    ("#no-such-button", "bad_response"),  # not on the loaded page at all: a changed page
])
async def test_a_step_out_of_time_is_slow_if_its_element_is_there_else_changed(
        *, live_sim: LiveSimulator, make_target: Any, acme: Account, secrets: Secrets,
        selector: str, error: str) -> None:
    steps = [*SIGN_IN_ONLY[:1], {"step": "login", "wait_for": {"selector": selector}}]
    target = browser_target(live_sim, make_target, confirm=False, steps=steps).model_copy(
        update={"step_timeout": 1.0})
    result = await probe(target, secrets, acme.users[0], acme, None)
    assert (result.ok, result.step, result.error) == (False, "login", error)


async def test_a_fault_that_lasts_one_attempt_is_confirmed_away(
        live_sim: LiveSimulator, make_target: Any, acme: Account, secrets: Secrets,
        tmp_path: Path) -> None:
    """The first attempt hangs on the sign-in page until the fault ends; the second,
    started after it, passes: the probe is ok and leaves no file."""
    target = browser_target(live_sim, make_target, steps=SIGN_IN_ONLY).model_copy(
        update={"step_timeout": 20.0, "timeout": 30.0})  # the second must pass, loaded or not
    async with opened(target, secrets, DiagnosticsDir(tmp_path)) as flow:
        async with flow.chromium.lease():
            pass  # launched before the fault starts: its 3 s are all the first attempt's
        live_sim.fault(mode="timeout", step="login", seconds=3)
        result = await flow.run(acme, acme.users[0])
    assert result.ok, result
    assert result.diagnostics == ()
    assert result.durations["confirm"] == result.durations["total"]
    assert files_under(tmp_path) == []


async def test_two_failed_attempts_fail_the_probe_with_both_attempts_files(
        live_sim: LiveSimulator, make_target: Any, acme: Account, secrets: Secrets,
        tmp_path: Path) -> None:
    live_sim.fault(mode="no_media", step="call", seconds=120)
    diagnostics = DiagnosticsDir(tmp_path)
    target = browser_target(live_sim, make_target)
    result = await probe(target, secrets, acme.users[0], acme, diagnostics)
    assert (result.ok, result.step, result.error) == (False, "call", "no_media")
    assert {"login", "call", "total", "connected", "confirm"} <= set(result.durations)
    folders = sorted({Path(f.path).parent.name for f in result.diagnostics})
    assert [name[-2:] for name in folders] == ["-1", "-2"]
    kinds = sorted(f.kind for f in result.diagnostics)
    assert kinds == sorted(["screenshot", "trace", "console", "webrtc"] * 2)
    for file in result.diagnostics:
        data = diagnostics.resolve(file).read_bytes()
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (file.sha256, file.size)
        assert file.path.startswith("acme/eu/")
    assert sorted(files_under(tmp_path)) == sorted(diagnostics.resolve(f)
                                                   for f in result.diagnostics)
    check_evidence(diagnostics, result)


def check_evidence(diagnostics: DiagnosticsDir, result: ProbeResult) -> None:
    """No spelling of the password in any file, any trace member or any name; and the
    files are what they claim (a PNG, a trace of the sign-in, statistics of a call)."""
    for file in result.diagnostics:
        path = diagnostics.resolve(file)
        data = path.read_bytes()
        assert_no_secret(file.path, data)
        assert_no_secret(f"name of {file.path}", file.path.encode())
        if file.kind == "trace":
            with zipfile.ZipFile(io.BytesIO(data)) as trace:
                members = {info.filename: trace.read(info) for info in trace.infolist()}
            for name, member in members.items():
                assert_no_secret(f"{file.path}:{name}", member)
                assert_no_secret(f"member name {name}", name.encode())
            everything = b"".join(members.values())
            assert b"alice@acme.example" in everything  # it is a trace of the sign-in
            assert b"***" in everything  # where the typed password was
        if file.kind == "screenshot":
            assert data.startswith(b"\x89PNG")
        if file.kind == "webrtc":
            report = json.loads(data)
            assert report["samples"]
            assert report["report"]["peerConnections"][0]["connectionState"] == "connected"


def test_the_redactor_knows_every_spelling_and_rewrites_zips(tmp_path: Path) -> None:
    secret = 'pä ss"/&+~*w0rd'
    redactor = Redactor([secret])
    spellings = [secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1],
                 json.dumps(secret, ensure_ascii=False)[1:-1],
                 quote_plus(secret, encoding="latin-1")]
    text = " | ".join(spellings)
    assert redactor.text(text) == " | ".join(["***"] * len(spellings))
    source = tmp_path / "in.zip"
    with zipfile.ZipFile(source, "w") as out:
        out.writestr("trace.trace", text.encode())
        out.writestr(f"resources/{quote(secret, safe='')}.dat", text.encode("utf-8"))
    with zipfile.ZipFile(io.BytesIO(redactor.zip(source))) as clean:
        for info in clean.infolist():
            data = clean.read(info)
            assert_no_secret(info.filename, data, secret)
            assert_no_secret("a member's name", info.filename.encode(), secret)
            assert data.count(b"***") == len(spellings)
