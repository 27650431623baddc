"""The files a failed attempt leaves: screenshot, trace, console log, WebRTC statistics.

Each is taken best-effort (a crashed page gives no screenshot, a lost browser no
trace), redacted before it touches the disk, and written whole into the attempt's
``ProbeFolder``; a file that cannot be made is logged and left out, never a reason
to change the verdict. The trace is written by Playwright next to its final place
under a dot-name and replaced by its redacted copy.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError

from probe.diagnostics import ProbeFolder
from probe.flows._media import Sample, webrtc_report
from probe.flows._page import PageWatch
from probe.flows._redact import Redactor
from probe.model import DiagnosticFile

__all__ = ["collect"]

log = logging.getLogger("probe.flows")

EVIDENCE_TIMEOUT = 10.0
"""Seconds each piece of evidence may take; a hung page must not hold the probe."""
PAGE_TIMEOUT = 3.0
"""Seconds for what the page itself must answer (a page still loading waits)."""


async def collect(folder: ProbeFolder, *, context: BrowserContext, page: Page | None,
                  watch: PageWatch, samples: list[Sample], redactor: Redactor,
                  tracing: bool) -> tuple[DiagnosticFile, ...]:
    """Write the attempt's evidence into ``folder``; what could be written."""
    pieces: list[tuple[str, Callable[[], Awaitable[DiagnosticFile]]]] = []
    if page is not None:
        pieces.append(("screenshot", lambda: _screenshot(folder, context, page)))
        pieces.append(("webrtc", lambda: _webrtc(folder, page if watch.loaded else None,
                                                 samples, redactor)))
    pieces.append(("console", lambda: _console(folder, watch, redactor)))
    if tracing:
        pieces.append(("trace", lambda: _trace(folder, context, redactor)))
    files: list[DiagnosticFile] = []
    for kind, make in pieces:
        try:
            with anyio.fail_after(EVIDENCE_TIMEOUT):
                files.append(await make())
        except Exception as exc:  # evidence is best-effort; the verdict stands
            log.info("no %s for %s: %s", kind, folder.relative, redactor.text(str(exc))[:300])
    return tuple(files)


async def _screenshot(folder: ProbeFolder, context: BrowserContext,
                      page: Page) -> DiagnosticFile:
    """What the browser shows, straight from Chromium (DevTools): unlike
    ``page.screenshot`` it does not wait for a page still loading to settle. A page
    that has just moved to another renderer is not attached yet: Playwright's own
    screenshot then, which waits for it.

    The session is not detached (detaching waits for the page too): it ends with the
    context, a moment later."""
    try:
        with anyio.fail_after(PAGE_TIMEOUT):
            session = await context.new_cdp_session(page)
            shot = await session.send("Page.captureScreenshot", {"format": "png"})
        data = base64.b64decode(shot["data"])
    except PlaywrightError:
        data = await page.screenshot(timeout=PAGE_TIMEOUT * 1000)
    return folder.add(kind="screenshot", name="screenshot.png", data=data)


async def _webrtc(folder: ProbeFolder, page: Page | None, samples: list[Sample],
                  redactor: Redactor) -> DiagnosticFile:
    """The last statistics of every peer connection (of a loaded page), and the samples."""
    report: Any = {"error": "the page had not loaded"}
    try:
        if page is not None:
            report = await webrtc_report(page, timeout=PAGE_TIMEOUT)
    except Exception as exc:  # the samples are worth keeping without the final report
        report = {"error": f"{type(exc).__name__}: {exc}"}
    document = {"samples": samples, "report": report}
    text = json.dumps(document, indent=1, default=str)
    return folder.add(kind="webrtc", name="webrtc.json", data=redactor.text(text).encode())


async def _console(folder: ProbeFolder, watch: PageWatch,
                   redactor: Redactor) -> DiagnosticFile:
    text = "".join(f"{line}\n" for line in watch.lines)
    return folder.add(kind="console", name="console.log", data=redactor.text(text).encode())


async def _trace(folder: ProbeFolder, context: BrowserContext,
                 redactor: Redactor) -> DiagnosticFile:
    raw = folder.path / ".trace.raw.zip"
    try:
        await context.tracing.stop(path=raw)
        data = await anyio.to_thread.run_sync(redactor.zip, raw)
    finally:
        raw.unlink(missing_ok=True)
    return folder.add(kind="trace", name="trace.zip", data=data)
