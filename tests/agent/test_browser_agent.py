"""The agent with a browser-probed account, end to end on loopback.

One account is probed over the API, one through the web app in Debian's Chromium. A
`no_media` fault of the simulator (the call connects, no frame arrives) becomes an
outage that the five-minute rule (here ``min_outage: 10s``) counts like any other; the
failed probes leave their diagnostic files beside the store, the store refers to them,
`claim --bundle` packs them, and no file holds the test user's password.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from probe.cli import main
from probe.http_server import running
from probe.simulator import create_app, load_simulator
from probe.store import open_store
from tests.agent.agent_config import PASSWORDS, target_section
from tests.agent.in_loop import agent_in_loop
from tests.agent.test_end_to_end import metric, scrape, until
from tests.browser_probes import BROWSER_PROBES

pytestmark = [pytest.mark.anyio, pytest.mark.slow, BROWSER_PROBES,
              pytest.mark.skipif(not Path("/usr/bin/chromium").exists(),
                                 reason="Debian's chromium is not installed")]

PASSWORD = "ivy-Pa55!browser"


def write_config(folder: Path, simulator: str) -> Path:
    for name, value in {**PASSWORDS, "initech-ivy": PASSWORD}.items():
        (folder / name).write_text(value)
    path = folder / "agent.yaml"
    web = f'  hosts: {{login: "{simulator}", meeting: "{simulator}", call: "{simulator}", ' \
          f'web: "{simulator}"}}\n'
    target = "".join(web if line.startswith("  hosts:") else f"{line}\n"
                     for line in target_section(simulator).splitlines())
    target = target.replace("  timeout: 3s\n  step_timeout: 2s\n",
                            "  timeout: 20s\n  step_timeout: 4s\n")
    path.write_text(f"""\
agent:
  region: lab
  listen: 127.0.0.1:0
  database: sqlite:///{folder / 'agent.db'}
  interval: 2s
  jitter: 50ms
{target}accounts:
  - name: acme
    regions: [lab]
    users: [{{username: ann@acme.example, password_file: acme-ann}}]
  - name: initech
    flow: browser
    regions: [lab]
    users: [{{username: ivy@initech.example, password_file: initech-ivy}}]
sla:
  min_outage: 10s
  max_gap: 30s
""")
    return path


@pytest.fixture
def config(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    path = write_config(tmp_path, "http://127.0.0.1:1")  # the simulator reads the users
    with running(create_app(load_simulator(path))) as url:
        yield write_config(tmp_path, url), url


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def holds(data: bytes, secret: str) -> bool:
    """``secret`` in ``data``, or in any member of ``data`` when it is a zip."""
    if secret.encode() in data:
        return True
    if data[:2] != b"PK":
        return False
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(holds(archive.read(name), secret) for name in archive.namelist())


async def test_a_media_outage_seen_in_the_browser_is_counted_and_documented(
        config: tuple[Path, str], tmp_path: Path) -> None:
    path, sim = config
    async with agent_in_loop(path, timeout=60) as agent, \
            httpx.AsyncClient(timeout=10) as client:
        async def probed_in_the_browser() -> bool:
            text = await scrape(client, agent)
            return metric(text, "lifesize_probe_success", account="initech", region="lab") == 1
        await until(probed_in_the_browser, timeout=120)

        fault = {"step": "call", "mode": "no_media", "accounts": ["initech"], "seconds": 30}
        assert (await client.post(f"{sim}/_sim/faults", json=fault)).status_code == 201
        started = time.monotonic()

        async def recovered() -> bool:
            text = await scrape(client, agent)
            return (time.monotonic() - started > 32
                    and metric(text, "lifesize_account_down", account="initech",
                               region="lab") == 0
                    and metric(text, "lifesize_probe_success", account="initech",
                               region="lab") == 1)
        await until(recovered, timeout=180)
        text = await scrape(client, agent)

    initech = metric(text, "lifesize_sla_unavailable_seconds", account="initech",
                     window="month")
    assert 10 <= initech <= 60, text
    assert metric(text, "lifesize_probe_failures_total", account="initech", region="lab",
                  step="call", reason="no_media") >= 1
    assert metric(text, "lifesize_sla_unavailable_seconds", account="acme", window="month") == 0
    assert metric(text, "lifesize_probe_duration_seconds_count", account="initech",
                  region="lab", step="first_frame") >= 1

    # The failed probes' files are beside the store, as the stored failures say.
    diagnostics = tmp_path / "agent-diagnostics"
    store = open_store(f"sqlite:///{tmp_path / 'agent.db'}", interval=2, max_gap=30)
    try:
        failures = [r for r in store.results() if r.account == "initech" and not r.ok]
    finally:
        store.close()
    assert failures
    assert {f.error for f in failures} == {"no_media"}
    referenced = {f.path: f for failure in failures for f in failure.diagnostics}
    assert {Path(p).name for p in referenced} == {"screenshot.png", "trace.zip",
                                                  "console.log", "webrtc.json"}
    for relative, file in referenced.items():
        data = (diagnostics / relative).read_bytes()
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (file.sha256, file.size)
    assert {p.relative_to(diagnostics).as_posix() for p in files_under(diagnostics)} == \
        set(referenced)

    # The claim's bundle carries them, and nothing anywhere holds the password.
    bundle = tmp_path / "claim.zip"
    month = time.strftime("%Y-%m", time.gmtime())
    assert main(["claim", "--database", f"sqlite:///{tmp_path / 'agent.db'}", "--config",
                 str(path), "--account", "initech", "--month", month,
                 "--bundle", str(bundle)]) == 0
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        manifest = archive.read("MANIFEST.sha256").decode()
        evidence = json.loads(archive.read("evidence.json"))
    assert {f"diagnostics/{p}" for p in referenced} <= names
    assert all(f"  diagnostics/{p}" in manifest for p in referenced)
    assert evidence
    for file in [*files_under(diagnostics), bundle]:
        assert not holds(file.read_bytes(), PASSWORD), file
        assert PASSWORD not in file.name
