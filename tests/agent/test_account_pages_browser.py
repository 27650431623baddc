"""The status page and an account page in headless Chromium, at desktop and phone widths.

Screenshots are kept as artefacts (``artifacts/pages_*.png``, git-ignored) for a person
to look at; ``--dump-dom`` proves what a browser shows: the day bar's tooltips, the
months, and the hostile account name as text, with no script run.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest

from probe.http_server import running
from tests.agent.conftest import EVIL
from tests.agent.test_account_pages import Lab
from tests.agent.test_status_page_browser import ARTIFACTS, CHROMIUM, chromium

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="headless Chromium not installed at /usr/bin/chromium (Debian package chromium)")

SIZES = {"desktop": "1280,1400", "phone": "390,1600"}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    lab = Lab(tmp_path_factory.mktemp("browser"))
    try:
        with running(lab.app()) as url:
            yield url
    finally:
        lab.store.close()


@pytest.mark.parametrize("width", sorted(SIZES))
@pytest.mark.parametrize(("page", "path"), [("status", "/"), ("account", "/accounts/acme")])
def test_each_page_renders_at_each_width(
        base_url: str, tmp_path: Path, page: str, path: str, width: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"pages_{page}_{width}.png"
    shot.unlink(missing_ok=True)
    done = chromium(base_url + path, tmp_path / "profile", f"--screenshot={shot}",
                    size=SIZES[width])
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000, "a blank page compresses to a few kilobytes"


def test_the_browser_shows_the_bar_the_months_and_names_as_text(
        base_url: str, tmp_path: Path) -> None:
    done = chromium(base_url + "/accounts/acme", tmp_path / "profile", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    for text in ("2026-10-05: counted outage; 45m 0s unavailable in 1 outage",
                 "2026-10-09: missing evidence", "2026-10-08: maintenance",
                 "2026-12 (to date)", "HTML statement", "Last 24 hours (UTC)"):
        assert text in dom, text
    done = chromium(base_url + "/", tmp_path / "profile", "--dump-dom")
    assert html.escape(EVIL, quote=False) in done.stdout
    assert "<script" not in done.stdout
