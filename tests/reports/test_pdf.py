"""``report --format pdf``: the HTML statement printed by Debian's Chromium.

The first page is shown in Chromium's own PDF viewer and screenshotted
(``artifacts/statement_pdf_chromium.png``), and rendered alone with poppler's
``pdftoppm`` (``artifacts/statement_pdf_page1.png``); both are git-ignored artefacts
for a person to look at. ``pdftotext`` proves what the PDF says as text.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from probe.cli import main
from probe.reports import render_html
from probe.reports.pdf import html_to_pdf
from probe.results_file import write_results
from tests.agent.test_status_page_browser import ARTIFACTS, CHROMIUM
from tests.reports.statement_data import EVIL, SETTINGS, all_results, october_report

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium not installed at "
                       "/usr/bin/chromium (Debian package chromium)"),
    pytest.mark.xdist_group("statement_pdf"),
]


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """October's statement of every account, as ``report --format pdf`` writes it."""
    root = tmp_path_factory.mktemp("pdf")
    results, config = root / "october.jsonl", root / "config.yaml"
    with results.open("w") as out:
        write_results(all_results(), out)
    config.write_text(yaml.safe_dump(SETTINGS))
    out_dir = root / "out"
    out_dir.mkdir()
    path = out_dir / "statement-2026-10.pdf"
    assert main(["report", "--results", str(results), "--config", str(config), "--month",
                 "2026-10", "--format", "pdf", "--output", str(path)]) == 0
    return path


def test_the_pdf_is_a_whole_pdf_written_aside(pdf: Path) -> None:
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert list(pdf.parent.iterdir()) == [pdf], "no temporary file left beside it"


def test_the_first_page_renders_to_an_image(pdf: Path, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm not installed (Debian package poppler-utils)")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "statement_pdf_page1.png"
    shot.unlink(missing_ok=True)
    done = subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1",
                           "-singlefile", str(pdf), str(shot.with_suffix(""))],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 40_000, "a blank page compresses to a few kilobytes"


@pytest.mark.anyio
async def test_chromium_shows_the_pdf_as_a_document(pdf: Path) -> None:
    from playwright.async_api import async_playwright  # noqa: PLC0415 (only here)

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "statement_pdf_chromium.png"
    shot.unlink(missing_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = await browser.new_page(viewport={"width": 1000, "height": 1300})
            await page.goto(pdf.as_uri())
            assert await page.evaluate("document.contentType") == "application/pdf"
            await page.wait_for_timeout(2000)  # the viewer draws the page after it loads
            await page.screenshot(path=shot)
        finally:
            await browser.close()
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert shot.stat().st_size > 40_000, "a blank viewer compresses to a few kilobytes"


def test_the_pdf_says_what_the_statement_says(pdf: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed (Debian package poppler-utils)")
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    for phrase in ("Lifesize Cloud SLA statement — 2026-10", "99.8768 %", "SLA missed",
                   "2026-10-05T10:00:00Z", "2026-11-04T10:45:00Z", EVIL, "globex"):
        assert phrase in text, phrase
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          timeout=60, check=False)
    if info.returncode == 0:
        assert "595.2 x 841.92 pts (A4)" in info.stdout or "(A4)" in info.stdout


def test_backgrounds_are_printed(tmp_path: Path) -> None:
    """The page's grey ground and the coloured badges carry meaning: printed, the
    page's ground (#f6f7f9) covers much of the first page; without, it would be white."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm not installed (Debian package poppler-utils)")
    pdf = tmp_path / "s.pdf"
    pdf.write_bytes(html_to_pdf(render_html(october_report())))
    done = subprocess.run(["pdftoppm", "-r", "20", "-f", "1", "-l", "1", "-singlefile",
                           str(pdf), str(tmp_path / "page")], capture_output=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    magic, size, depth, pixels = (tmp_path / "page.ppm").read_bytes().split(b"\n", 3)
    width, height = map(int, size.split())
    assert (magic, depth, len(pixels)) == (b"P6", b"255", width * height * 3)
    ground = sum(1 for i in range(0, len(pixels), 3)
                 if abs(pixels[i] - 0xF6) <= 2 and abs(pixels[i + 2] - 0xF9) <= 2
                 and pixels[i + 2] > pixels[i])
    assert ground > width * height // 25  # about 1/14 printed, 1/50 (antialiasing) not


@pytest.mark.parametrize("output", [None, "-"])
def test_without_a_file_a_pdf_is_refused(
    output: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = [] if output is None else ["--output", output]
    results = tmp_path / "r.jsonl"
    results.write_text("")
    assert main(["report", "--results", str(results), "--format", "pdf", *extra]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("report --format pdf needs --output FILE.pdf: a PDF is not "
                            "written to the terminal\n")


def test_no_chromium_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("probe.reports.pdf.CHROMIUM", tmp_path / "no-chromium")
    results = tmp_path / "r.jsonl"
    results.write_text("")
    out = tmp_path / "s.pdf"
    assert main(["report", "--results", str(results), "--format", "pdf",
                 "--output", str(out)]) == 2
    assert capsys.readouterr().err == (f"cannot print a PDF: no Chromium at "
                                       f"{tmp_path / 'no-chromium'} (Debian: apt-get "
                                       "install chromium)\n")
    assert not out.exists()
