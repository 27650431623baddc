"""The status page in a real browser: headless Chromium against a real uvicorn server.

A screenshot is kept as an artefact (``artifacts/status_page.png``, git-ignored) so a
person can look at what the page really looks like; ``--dump-dom`` proves the text a
browser shows, with the hostile account name rendered as text and no script run.
"""

from __future__ import annotations

import html
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from probe.agent.snapshot import Snapshot
from probe.agent.web import create_app
from probe.credentials import Secret
from probe.http_server import running
from tests.agent.conftest import EVIL, NOW, TOKEN, FakeStore, build_snapshot

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="headless Chromium not installed at /usr/bin/chromium (Debian package chromium)")


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1, a free port, serving the hostile snapshot."""
    shown: Snapshot = build_snapshot(evil=True)
    app = create_app(snapshot=lambda: shown, store=FakeStore(), api_token=Secret(TOKEN),
                     clock=lambda: NOW)
    with running(app) as url:
        yield f"{url}/"


def chromium(url: str, profile: Path, *extra: str, size: str = "1280,900"
             ) -> subprocess.CompletedProcess[str]:
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
               f"--window-size={size}", "--hide-scrollbars", *extra, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def test_the_page_renders_to_a_screenshot(page_url: str, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "status_page.png"
    shot.unlink(missing_ok=True)
    done = chromium(page_url, tmp_path / "profile", f"--screenshot={shot}")
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000, "a blank page compresses to a few kilobytes"


def test_the_browser_shows_names_and_figures_as_text(page_url: str, tmp_path: Path) -> None:
    done = chromium(page_url, tmp_path / "profile", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    for text in ("Lifesize Cloud availability", "acme", "globex", "down in eu-west",
                 "in maintenance", "99.8992 %", "-22s", "45m 0s", "login×135",
                 "2026-10-05T10:00:00Z", "DB failover"):
        assert text in dom, text
    assert html.escape(EVIL, quote=False) in dom
    assert "<script" not in dom
    assert "<img" not in dom
