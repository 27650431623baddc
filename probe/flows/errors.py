"""Why a probe failed: a closed set of error classes, and the one function that maps
exceptions to them.

    error           raised as
    ─────────────   ─────────────────────────────────────────────────────────────────
    dns             httpx.ConnectError caused by socket.gaierror
    tls             httpx.ConnectError / NetworkError caused by ssl.SSLError
    connect         httpx.ConnectError (refused, unreachable), ReadError, WriteError
    timeout         httpx.TimeoutException, TimeoutError (step or total deadline)
    dns … timeout   BrowserNetwork: the browser's net::ERR_* (or its timeout) on a page
    http_<status>   HttpStatus: an answer with a status the request does not expect
    bad_response    BadResponse: wrong content or shape, over-long body, broken HTTP,
                    a page element missing after the page loaded
    auth_rejected   AuthRejected: our credentials were refused (not service downtime)
    ice_failed      IceFailed: the call's peer connection failed or never connected
    no_media        NoMedia: connected, but too few video frames or no audio arrived
    internal        anything else: a bug or misconfiguration of the probe (not downtime),
                    or the probe's browser crashed

The word is ``error`` everywhere inside the program, as in ``ProbeResult.error``, the
results files, the store and the reports; only the metrics label says ``reason``
(``lifesize_probe_failures_total{reason=...}``), mapped once by the exporter.

``ProbeFailure`` and its subclasses are the flow's own verdicts about an answer. Every
other exception is mapped by ``error_for`` at the flow boundary and nowhere else.
"""

from __future__ import annotations

import socket
import ssl

import httpx

__all__ = [
    "NETWORK_ERRORS",
    "AuthRejected",
    "BadResponse",
    "BrowserNetwork",
    "HttpStatus",
    "IceFailed",
    "NoMedia",
    "ProbeFailure",
    "error_for",
]

NETWORK_ERRORS = frozenset({"dns", "connect", "tls", "timeout"})


class ProbeFailure(Exception):
    """A verdict about an answer; ``error`` is its error class (``ProbeResult.error``)."""

    error = "bad_response"


class HttpStatus(ProbeFailure):
    """The answer's status is not one the request expects."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.error = f"http_{status}"


class BadResponse(ProbeFailure):
    """The answer has the wrong content or shape."""

    error = "bad_response"


class AuthRejected(ProbeFailure):
    """Our test account's credentials or API key were refused: a probe-side problem."""

    error = "auth_rejected"


class IceFailed(ProbeFailure):
    """The call's WebRTC peer connection failed, or did not connect in time."""

    error = "ice_failed"


class NoMedia(ProbeFailure):
    """The call connected, but its video did not play (frames) or its audio did not flow."""

    error = "no_media"


class BrowserNetwork(ProbeFailure):
    """A page did not load for a network reason the browser named (``dns``, ``connect``,
    ``tls``, ``timeout``): the browser's ``net::ERR_*`` codes, translated once."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(detail)
        self.error = error


_BY_TYPE: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((httpx.TimeoutException, TimeoutError), "timeout"),
    ((httpx.RemoteProtocolError, httpx.DecodingError, httpx.TooManyRedirects), "bad_response"),
)


def error_for(exc: BaseException) -> str:
    """The error class of ``exc``; ``internal`` for anything that is not a known failure."""
    if isinstance(exc, ProbeFailure):
        return exc.error
    if isinstance(exc, httpx.NetworkError):
        if _caused_by(exc, ssl.SSLError):
            return "tls"
        return "dns" if _caused_by(exc, socket.gaierror) else "connect"
    for kinds, error in _BY_TYPE:
        if isinstance(exc, kinds):
            return error
    return "internal"


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is anywhere in the chain of causes and contexts of ``exc``."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return True
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return False
