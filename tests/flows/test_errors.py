"""``error_for``: the one mapping from exceptions to error classes."""

from __future__ import annotations

import itertools
import socket
import ssl

import anyio
import httpcore
import httpx
import pytest

from probe.flows.errors import AuthRejected, BadResponse, HttpStatus, error_for


def chained(outer: Exception, *causes: BaseException) -> Exception:
    """``outer`` raised from the first cause, raised from the next, like httpx and httpcore do."""
    chain = [outer, *causes]
    for exc, cause in itertools.pairwise(chain):
        exc.__cause__ = cause
    return outer


@pytest.mark.parametrize(("exc", "reason"), [
    (chained(httpx.ConnectError("x"), httpcore.ConnectError("x"), socket.gaierror(-2, "x")),
     "dns"),
    (chained(httpx.ConnectError("x"), httpcore.ConnectError("x"),
             ssl.SSLCertVerificationError(1, "x")), "tls"),
    (chained(httpx.ConnectError("x"), httpcore.ConnectError("x"), anyio.BrokenResourceError(),
             ssl.SSLError(1, "x")), "tls"),
    (chained(httpx.ReadError("x"), ssl.SSLError(1, "bad record mac")), "tls"),
    (chained(httpx.ConnectError("x"), ConnectionRefusedError(111, "x")), "connect"),
    (httpx.ConnectError("x"), "connect"),
    (httpx.ReadError("x"), "connect"),
    (httpx.ConnectTimeout("x"), "timeout"),
    (httpx.WriteTimeout("x"), "timeout"),
    (TimeoutError(), "timeout"),
    (httpx.RemoteProtocolError("x"), "bad_response"),
    (httpx.TooManyRedirects("x"), "bad_response"),
    (HttpStatus(503, "x"), "http_503"),
    (BadResponse("x"), "bad_response"),
    (AuthRejected("x"), "auth_rejected"),
    (httpx.UnsupportedProtocol("x"), "internal"),
    (httpx.LocalProtocolError("x"), "internal"),
    (KeyError("x"), "internal"),
    (socket.gaierror(-2, "x"), "internal"),
])
def test_error_for(exc: Exception, reason: str) -> None:
    assert error_for(exc) == reason


def test_a_cause_cycle_ends() -> None:
    outer = httpx.ConnectError("x")
    inner = httpcore.ConnectError("y")
    outer.__cause__, inner.__context__ = inner, outer
    assert error_for(outer) == "connect"
