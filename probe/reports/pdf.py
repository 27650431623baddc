"""``report --format pdf``: the HTML statement, printed to PDF by Chromium.

The PDF is the HTML statement (``as_html``) as Chromium prints it, so the two never
differ: A4, backgrounds printed (the badges and the timeline's colours carry meaning),
with a few print-only rules (``PRINT_STYLE``) so the tables fit the paper.
Chromium is the one Debian installs (``/usr/bin/chromium``), driven through Playwright;
no browser is ever downloaded. The page is set from the string: it has no script and
loads nothing, and the browser context is offline with JavaScript off, so printing a
statement never touches the network whatever its names contain.

Exceptions::

    PdfError    no Chromium where expected, or Chromium failed to print; one line
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import PdfMargins

__all__ = ["CHROMIUM", "PdfError", "check_chromium", "html_to_pdf"]

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium (``apt-get install chromium``)."""
MARGIN = "12mm"
SCALE = 0.72
"""A4 less its margins is 700 CSS pixels; the counted outages' table needs about 900
at the screen's type (three times in two zones, unbroken). At 72 % the page is laid
out 975 pixels wide, and the type prints at about 7.5 pt."""
PRINT_STYLE = ("@media print{body{margin:0;padding:0;max-width:none}"
               "td.t .local{white-space:normal}th,td{padding:.3rem .4rem}"
               "tr,.figure,svg.timeline{break-inside:avoid}h2,h3{break-after:avoid}"
               "section[id^=account-]~section[id^=account-]{break-before:page}}")
"""Paper only: the page margins replace the body's, a local time may wrap at its
spaces (a UTC time never does) and cells are a little tighter, so the outage tables
fit the width; a table row or a figure is never cut between two pages, nor a heading
from what follows it, and every account after the first starts a page (a claim
concerns one account: its pages can be sent alone)."""
TIMEOUT_MS = 120_000.0
"""Launching and printing: seconds normally; a slow CI machine gets room."""


class PdfError(Exception):
    """The PDF cannot be made; the message is one line."""


def check_chromium(executable: Path | None = None) -> Path:
    """``executable`` (default ``CHROMIUM``) when it is a program that can be run, else
    ``PdfError``."""
    executable = CHROMIUM if executable is None else executable
    if not executable.is_file() or not os.access(executable, os.X_OK):
        raise PdfError(f"cannot print a PDF: no Chromium at {executable} "
                       "(Debian: apt-get install chromium)")
    return executable


def html_to_pdf(html: str, *, executable: Path | None = None) -> bytes:
    """``html`` printed to A4 with its backgrounds; ``PdfError`` on any failure."""
    executable = check_chromium(executable)
    # Playwright is loaded only here: every other command starts without it.
    from playwright.sync_api import Error, sync_playwright  # noqa: PLC0415

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(executable), headless=True, timeout=TIMEOUT_MS)
            try:
                context = browser.new_context(offline=True, java_script_enabled=False)
                page = context.new_page()
                page.set_content(_for_print(html), wait_until="load", timeout=TIMEOUT_MS)
                margin: PdfMargins = {"top": MARGIN, "right": MARGIN, "bottom": MARGIN,
                                      "left": MARGIN}
                return page.pdf(format="A4", print_background=True, scale=SCALE,
                                margin=margin)
            finally:
                browser.close()
    except Error as exc:
        first = (exc.message or type(exc).__name__).strip().splitlines()
        raise PdfError(f"Chromium could not print the PDF: {first[0] if first else exc}"
                       ) from None


def _for_print(html: str) -> str:
    """``html`` with ``PRINT_STYLE`` last in its head, so it wins over the screen's."""
    tag = f"<style>{PRINT_STYLE}</style>"
    head_end = html.find("</head>")
    return html[:head_end] + tag + html[head_end:] if head_end >= 0 else tag + html
