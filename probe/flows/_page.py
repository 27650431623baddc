"""What a page did during an attempt, and the verdict on an exception from a step.

``PageWatch`` listens to the page: the status of the current document (a 503 page
that loads is still a 503), whether it has loaded (a missing element on a loaded page
is the web app's fault, ``bad_response``; on a page still loading it is ``timeout``),
and the console, for the evidence. ``translate`` is where Playwright's exceptions
become the flow's own verdicts, once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.async_api import BrowserContext, ConsoleMessage, Page, Request, Response
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from probe.flows.base import Clock
from probe.flows.errors import (
    AuthRejected,
    BadResponse,
    BrowserNetwork,
    HttpStatus,
    ProbeFailure,
)

__all__ = ["BrowserLost", "PageWatch", "Slow", "status_failure", "translate"]

_NET_ERROR = re.compile(r"net::(ERR_[A-Z0-9_]+)")
_NET_ERRORS = {
    "ERR_NAME_NOT_RESOLVED": "dns", "ERR_NAME_RESOLUTION_FAILED": "dns",
    "ERR_CONNECTION_REFUSED": "connect", "ERR_CONNECTION_RESET": "connect",
    "ERR_CONNECTION_CLOSED": "connect", "ERR_CONNECTION_FAILED": "connect",
    "ERR_ADDRESS_UNREACHABLE": "connect", "ERR_INTERNET_DISCONNECTED": "connect",
    "ERR_TIMED_OUT": "timeout", "ERR_CONNECTION_TIMED_OUT": "timeout",
    "ERR_EMPTY_RESPONSE": "bad_response", "ERR_INVALID_RESPONSE": "bad_response",
    "ERR_INVALID_HTTP_RESPONSE": "bad_response", "ERR_TOO_MANY_REDIRECTS": "bad_response",
    "ERR_CONTENT_DECODING_FAILED": "bad_response", "ERR_ABORTED": "bad_response",
}
"""The browser's net errors, classed as ``error_for`` classes httpx's (an empty answer
is a broken answer, ``bad_response``, as ``RemoteProtocolError`` is)."""
_LOST = ("Target page, context or browser has been closed", "Browser has been closed",
         "Target closed", "Browser closed")


class BrowserLost(Exception):
    """The browser (or the page's renderer) died under the probe: ``internal``."""


class Slow(TimeoutError):
    """The step ran out of time on a page that is there, with the element it waited
    for there too (only not ready): ``timeout``, not a changed page."""


def status_failure(status: int, url: str) -> ProbeFailure:
    """A document answered ``status`` (400 or more): refused credentials or a failure."""
    detail = f"{url}: the page answered {status}"
    return AuthRejected(detail) if status in (401, 403) else HttpStatus(status, detail)


@dataclass(kw_only=True)
class PageWatch:
    """The page's current document and its console, as the attempt goes.

    Not slotted: Playwright keeps a note on each handler's object."""

    clock: Clock
    began: float
    status: int | None = None
    url: str = ""
    loaded: bool = False
    crashed: bool = False
    lines: list[str] = field(default_factory=list)

    def attach(self, context: BrowserContext, page: Page) -> None:
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("domcontentloaded", self._loaded)
        page.on("crash", self._crash)
        page.on("pageerror", self._page_error)
        page.on("requestfailed", self._request_failed)
        context.on("console", self._console)

    def raise_for_status(self) -> None:
        """Stop at once on a document of 400 or more, rather than at the next deadline."""
        if self.status is not None and self.status >= 400:
            raise status_failure(self.status, self.url)

    def note(self, text: str) -> None:
        self.lines.append(f"{self.clock.monotonic() - self.began:9.3f} {text}")

    def _request(self, request: Request) -> None:
        if _document(request):
            self.status, self.url, self.loaded = None, request.url, False

    def _response(self, response: Response) -> None:
        if _document(response.request):
            self.status = response.status

    def _loaded(self, page: Page) -> None:
        self.loaded = True

    def _crash(self, page: Page) -> None:
        self.crashed = True
        self.note("crash    the page's renderer crashed")

    def _page_error(self, error: PlaywrightError) -> None:
        self.note(f"error    uncaught: {error.message}")

    def _request_failed(self, request: Request) -> None:
        self.note(f"network  {request.method} {request.url} failed: {request.failure}")

    def _console(self, message: ConsoleMessage) -> None:
        where = message.location
        self.note(f"{message.type:<8} {message.text} ({where.get('url', '')}:"
                  f"{where.get('lineNumber', 0)})")


def _document(request: Request) -> bool:
    """Whether ``request`` loads the page's main document (not a frame, not a fetch)."""
    try:
        return request.is_navigation_request() and request.frame.parent_frame is None
    except PlaywrightError:  # a service worker's request has no frame
        return False


def translate(exc: BaseException, watch: PageWatch, *, connected: bool) -> BaseException:
    """The verdict on ``exc``, raised by a step: a ``ProbeFailure``, ``BrowserLost``, or
    ``exc`` itself when it is none of the known failures (``internal``)."""
    if not connected or watch.crashed or _lost(exc):
        return BrowserLost(f"the browser was lost: {exc}")
    if watch.status is not None and watch.status >= 400:
        return status_failure(watch.status, watch.url)
    if isinstance(exc, ProbeFailure):
        return exc
    return _timeout_or_network(exc, watch)


def _timeout_or_network(exc: BaseException, watch: PageWatch) -> BaseException:
    message = exc.message if isinstance(exc, PlaywrightError) else str(exc)
    first = message.splitlines()[0] if message else type(exc).__name__
    code = _NET_ERROR.search(message)
    if isinstance(exc, PlaywrightError) and code is not None:
        error = _net_error(code.group(1))
        return BadResponse(first) if error == "bad_response" else BrowserNetwork(error, first)
    if isinstance(exc, Slow):
        return exc
    if isinstance(exc, PlaywrightTimeout | TimeoutError):
        if watch.loaded:
            return BadResponse(f"{first} (on the loaded page {watch.url})")
        return BrowserNetwork("timeout", f"{first} ({watch.url or 'no page'} did not load)")
    return exc


def _net_error(code: str) -> str:
    if code.startswith(("ERR_CERT_", "ERR_SSL_", "ERR_BAD_SSL")):
        return "tls"
    return _NET_ERRORS.get(code, "connect")


def _lost(exc: BaseException) -> bool:
    if type(exc).__name__ == "TargetClosedError":
        return True
    return isinstance(exc, PlaywrightError) and any(text in exc.message for text in _LOST)
