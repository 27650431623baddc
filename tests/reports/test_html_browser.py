"""The HTML statement in a real browser: headless Chromium opens the file as a customer
would, with no network.

The screenshot is kept as an artefact (``artifacts/statement.png``, git-ignored) for a
person to look at; ``--dump-dom`` proves what the browser shows as text: the hostile
account name and error class as text, and no script ever run.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from probe.cli.output import write_output
from probe.reports import render_html
from tests.agent.test_status_page_browser import ARTIFACTS, CHROMIUM, chromium
from tests.reports.statement_data import EVIL, EVIL_ERROR, october_report

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="headless Chromium not installed at /usr/bin/chromium (Debian package chromium)")


@pytest.fixture(scope="module")
def statement(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("statement") / "statement-2026-10.html"
    write_output(render_html(october_report()), str(path))
    return path


def test_the_statement_renders_to_a_screenshot(statement: Path, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "statement.png"
    shot.unlink(missing_ok=True)
    done = chromium(statement.as_uri(), tmp_path / "profile", f"--screenshot={shot}",
                    "--window-size=1280,2200")
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 40_000, "a blank page compresses to a few kilobytes"


def test_the_browser_shows_names_figures_and_the_timeline(
    statement: Path, tmp_path: Path
) -> None:
    done = chromium(statement.as_uri(), tmp_path / "profile", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    for text in ("Lifesize Cloud SLA statement — 2026-10", "99.8768 %", "SLA missed",
                 "10 %", "2026-10-05 06:00:00 EDT", "2026-11-04T10:45:00Z", "login×135",
                 "evidence gap (no probes)", "<svg"):
        assert text in dom, text
    assert html.escape(EVIL, quote=False) in dom
    assert html.escape(EVIL_ERROR, quote=False) in dom
    assert "<script" not in dom
    assert "<img" not in dom
