"""Why a probe failed: a closed set of reasons, and the one function that maps to it.

    reason          raised as
    ─────────────   ─────────────────────────────────────────────────────────────────
    dns             httpx.ConnectError caused by socket.gaierror
    tls             httpx.ConnectError / NetworkError caused by ssl.SSLError
    connect         httpx.ConnectError (refused, unreachable), ReadError, WriteError
    timeout         httpx.TimeoutException, TimeoutError (step or total deadline)
    http_<status>   HttpStatus: an answer with a status the request does not expect
    bad_response    BadResponse: wrong content or shape, over-long body, broken HTTP
    auth_rejected   AuthRejected: our credentials were refused (not service downtime)
    internal        anything else: a bug or misconfiguration of the probe (not downtime)

``ProbeFailure`` and its subclasses are the flow's own verdicts about an answer. Every
other exception is mapped by ``reason_for`` at the flow boundary and nowhere else.
"""

from __future__ import annotations

import socket
import ssl

import httpx

__all__ = [
    "NETWORK_REASONS",
    "AuthRejected",
    "BadResponse",
    "HttpStatus",
    "ProbeFailure",
    "reason_for",
]

NETWORK_REASONS = frozenset({"dns", "connect", "tls", "timeout"})


class ProbeFailure(Exception):
    """A verdict about an answer; ``reason`` is its error class."""

    reason = "bad_response"


class HttpStatus(ProbeFailure):
    """The answer's status is not one the request expects."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.reason = f"http_{status}"


class BadResponse(ProbeFailure):
    """The answer has the wrong content or shape."""

    reason = "bad_response"


class AuthRejected(ProbeFailure):
    """Our test account's credentials or API key were refused: a probe-side problem."""

    reason = "auth_rejected"


_BY_TYPE: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((httpx.TimeoutException, TimeoutError), "timeout"),
    ((httpx.RemoteProtocolError, httpx.DecodingError, httpx.TooManyRedirects), "bad_response"),
)


def reason_for(exc: BaseException) -> str:
    """The error class of ``exc``; ``internal`` for anything that is not a known failure."""
    if isinstance(exc, ProbeFailure):
        return exc.reason
    if isinstance(exc, httpx.NetworkError):
        if _caused_by(exc, ssl.SSLError):
            return "tls"
        return "dns" if _caused_by(exc, socket.gaierror) else "connect"
    for kinds, reason in _BY_TYPE:
        if isinstance(exc, kinds):
            return reason
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
