"""Security: secrets never leave, writes need the token, the status page shows text as text.

The main test runs a real agent with known, distinctive secrets (two passwords, the API
key, the API token), makes it do everything — succeed, fail logins (a refused password,
a password file gone), go through faults, refuse and accept API writes — then searches
everything it put out for every secret: its stdout and stderr, every HTTP answer
(bodies and headers), the SQLite file's bytes, exported results, every report format,
``check-config`` and the reprs of its settings.
"""

from __future__ import annotations

import hmac
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from probe.agent.web.maintenance_api import ApiError, MaintenanceApi
from probe.cli import main
from probe.config import AgentSection, load_config
from probe.credentials import Secret, Secrets
from probe.http_server import running
from probe.reports import RENDERERS
from probe.simulator import create_app, load_simulator
from tests.agent.agent_config import PASSWORDS, TOKEN, write_config
from tests.agent.test_crash import wait_for
from tests.reliability.agent_run import record

EVIL = "<script>alert(1)</script>"
WRONG_PASSWORD = "ann-WRONG-Pa55!"
NEAR_MISS = TOKEN[:-1] + "X"
SECRETS = (*PASSWORDS.values(), WRONG_PASSWORD, NEAR_MISS)
LISTENING = re.compile(r"agent for region \S+ on (http://\S+):")


class LoggedAgent:
    """``lifesize-probe run`` with stdout and stderr each in a file of its own."""

    def __init__(self, config: Path) -> None:
        self.out, self.err = config.parent / "stdout.log", config.parent / "stderr.log"
        with self.out.open("w") as out, self.err.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "probe", "run", "--config", str(config)],
                stdout=out, stderr=err)
        self.url = ""

        def listening() -> bool:
            assert self.process.poll() is None, self.err.read_text()
            found = LISTENING.search(self.err.read_text())
            self.url = found.group(1) if found else ""
            return bool(self.url)
        wait_for(listening, timeout=180)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(120)


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """acme and an account named like a script, probing a simulator on loopback."""
    def config(sim: str) -> Path:
        path = write_config(tmp_path, simulator=sim)
        path.write_text(path.read_text().replace("- name: globex", f'- name: "{EVIL}"'))
        return path

    with running(create_app(load_simulator(config("http://127.0.0.1:1")))) as sim:
        yield config(sim), sim


def collect(agent: LoggedAgent, sim: str, folder: Path) -> dict[str, str]:
    """Make the agent do everything; every answer it gave, by what was asked."""
    seen: dict[str, str] = {}
    auth = {"Authorization": f"Bearer {TOKEN}"}
    window = {"kind": "emergency", "accounts": "*", "name": "patch",
              "start": "2026-10-05T10:00:00Z", "end": "2026-10-05T11:00:00Z"}

    def ask(name: str, method: str, path: str, **options: Any) -> httpx.Response:
        answer = httpx.request(method, f"{agent.url}{path}", timeout=30, **options)
        seen[name] = f"{answer.status_code} {answer.headers!r}\n{answer.text}"
        return answer

    def fault(**spec: Any) -> None:
        httpx.post(f"{sim}/_sim/faults", json={"seconds": 2.5, **spec}, timeout=10)
        time.sleep(3)

    wait_for(lambda: ask("readyz", "GET", "/readyz").status_code == 200)
    fault(step="login", mode="reject_auth")
    fault(step="call", mode="garbage")
    fault(step="login", mode="error", status=503)
    (folder / "acme-ann").write_text(WRONG_PASSWORD)  # refused by the simulator
    (folder / "globex-gus").unlink()                   # a password file gone: internal
    time.sleep(3)
    (folder / "acme-ann").write_text(PASSWORDS["acme-ann"])
    (folder / "globex-gus").write_text(PASSWORDS["globex-gus"])
    for path in ("/", "/metrics", "/healthz", "/readyz", "/api/v1/maintenance",
                 "/api/v1/openapi.json", "/nothing-here"):
        ask(f"GET {path}", "GET", path)
    ask("metrics gzip", "GET", "/metrics", headers={"Accept-Encoding": "gzip"})
    ask("no token", "POST", "/api/v1/maintenance", json=window)
    ask("wrong token", "POST", "/api/v1/maintenance", json=window,
        headers={"Authorization": f"Bearer {NEAR_MISS}"})
    ask("token in the query", "POST", f"/api/v1/maintenance?token={NEAR_MISS}", json=window)
    ask("bad json", "POST", "/api/v1/maintenance", content=b"{", headers={
        **auth, "Content-Type": "application/json"})
    assert ask("declare", "POST", "/api/v1/maintenance", json=window,
               headers=auth).status_code == 201
    ask("delete wrong token", "DELETE", "/api/v1/maintenance/x",
        headers={"Authorization": f"Bearer {NEAR_MISS}"})
    ask("delete unknown", "DELETE", "/api/v1/maintenance/x", headers=auth)
    return seen


def everything_after(config: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """What the store and the CLI show once the agent has stopped."""
    folder, database = config.parent, config.parent / "agent.db"
    seen = {path.name: path.read_bytes().decode("latin-1")
            for path in folder.glob("agent.db*")}
    url = f"sqlite:///{database}"
    commands = {"export": ["export-results", "--database", url],
                "check-config": ["check-config", str(config)]}
    for format_ in sorted(RENDERERS):
        commands[f"report {format_}"] = ["report", "--database", url, "--config",
                                         str(config), "--format", format_]
    for name, argv in commands.items():
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 0, err
        seen[name] = out + err
    settings = load_config(config)
    secrets = Secrets(base_dir=folder)
    seen["reprs"] = repr(settings) + repr(secrets) + repr(
        secrets.resolve(env=None, file="api-token", what="token"))
    return seen


def test_no_secret_in_anything_the_agent_puts_out(
        hostile: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    config, sim = hostile
    agent = LoggedAgent(config)
    try:
        answers = collect(agent, sim, config.parent)
    finally:
        assert agent.stop() == 0
    outputs = {**answers, **everything_after(config, capsys),
               "stdout": agent.out.read_text(), "stderr": agent.err.read_text()}
    assert "auth_rejected" in outputs["GET /metrics"]
    assert 'reason="internal"' in outputs["GET /metrics"]
    assert "cannot read" in outputs["stderr"]  # the gone password file, named, not shown
    # The search reads real text: names and user names are there, passwords are not.
    assert "ann@acme.example" in outputs["stderr"]
    assert "acme" in outputs["agent.db"]
    leaks = [(secret, where) for where, text in outputs.items() for secret in SECRETS
             if secret in text]
    assert leaks == []
    record("secrets", {"secrets": len(SECRETS), "outputs_searched": len(outputs),
                       "bytes_searched": sum(len(text) for text in outputs.values())})
    assert answers["no token"].startswith("401 ")
    assert answers["wrong token"].startswith("401 ")
    assert answers["token in the query"].startswith("401 ")
    assert answers["delete wrong token"].startswith("401 ")

    page = answers["GET /"]
    assert EVIL not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for name, text in answers.items():
        headers = text.lower()
        assert "'content-security-policy': \"default-src 'none'" in headers, name
        assert "'x-content-type-options': 'nosniff'" in headers, name


def test_the_token_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """``hmac.compare_digest`` decides, on bytes of the given and the expected token."""
    calls: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def recording(given: bytes, expected: bytes) -> bool:
        calls.append((given, expected))
        return original(given, expected)

    monkeypatch.setattr("probe.agent.web.maintenance_api.hmac.compare_digest", recording)
    api = MaintenanceApi(store=None, api_token=Secret(TOKEN), clock=time.time,  # type: ignore[arg-type]
                         on_change=None)

    class Request:
        def __init__(self, value: str) -> None:
            self.headers = {"authorization": value}

    with pytest.raises(ApiError) as refused:
        api._authorize(Request(f"Bearer {NEAR_MISS}"))  # type: ignore[arg-type]
    assert refused.value.status == 401
    api._authorize(Request(f"Bearer {TOKEN}"))  # type: ignore[arg-type]
    assert calls == [(NEAR_MISS.encode(), TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]


def test_the_default_bind_is_loopback() -> None:
    assert AgentSection().listen.startswith("127.0.0.1:")
    assert load_config(Path("config/example.yaml")).agent.listen.startswith("127.0.0.1:")


@pytest.mark.parametrize("url", [
    "postgresql://probe:PGs3cret-7d@127.0.0.1:1/test",
    "postgresql://probe:PGs3cret-7d@127.0.0.1:5432/no_such_database",
    "postgresql://probe:PGs3cret-7d@127.0.0.1:5432/test?sslmode=bogus",
])
def test_a_database_password_is_never_shown(url: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["export-results", "--database", url],
                 ["report", "--database", url, "--month", "2026-10"]):
        assert main(argv) == 2
        out, err = capsys.readouterr()
        assert err
        assert "PGs3cret-7d" not in out + err
