"""HTTP for probes: a fresh client per probe, one shared TLS context, capped bodies.

A real user's sign-in pays for DNS, TCP and TLS, so every probe opens its own client
and therefore its own connections. Building an ``SSLContext`` costs about 25 ms of CPU
(loading the CA bundle), far more than the probe itself, so one context is made once
and shared by every client. Environment proxies are ignored (``trust_env=False``): a
probe measures the service, not whatever the shell it was started from points at.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx

from probe.flows.errors import BadResponse

__all__ = [
    "Answer", "HttpClients", "Outgoing", "default_ssl_context", "fetch",
    "unverified_ssl_context",
]


@cache
def default_ssl_context() -> ssl.SSLContext:
    """httpx's verifying context (certifi CAs), made once per process and then shared."""
    return httpx.create_ssl_context(trust_env=False)


@cache
def unverified_ssl_context() -> ssl.SSLContext:
    """A context that accepts any certificate: only for ``target.tls_verify: false``."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


_LIMITS = httpx.Limits(keepalive_expiry=2.0)
"""A probe's steps share a connection, but one idle for longer than 2 s is not reused:
servers commonly close idle connections after 5 s, and reusing one just as the server
closes it fails a probe (``Server disconnected``) when the service never failed."""


class HttpClients:
    """A ``ClientFactory``: fresh ``AsyncClient``s that share one ``SSLContext``."""

    def __init__(self, *, timeout: float, user_agent: str,
                 ssl_context: ssl.SSLContext | None = None, verify: bool = True) -> None:
        fallback = default_ssl_context() if verify else unverified_ssl_context()
        self._context = ssl_context or fallback
        self._timeout = httpx.Timeout(timeout)
        self._headers = {"User-Agent": user_agent}

    def __call__(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            verify=self._context, timeout=self._timeout, headers=self._headers,
            trust_env=False, follow_redirects=False, limits=_LIMITS,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Outgoing:
    """A request with its templates rendered (so it may hold secrets: never log it)."""

    method: str
    url: str
    headers: dict[str, str]
    json: Any = None
    form: dict[str, str] | None = None
    follow_redirects: bool = False

    def where(self) -> str:
        """Method and URL without query or user info: safe to log."""
        url = httpx.URL(self.url)
        port = f":{url.port}" if url.port else ""
        return f"{self.method} {url.scheme}://{url.host}{port}{url.path}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """An answer whose body was read up to the size cap."""

    status: int
    headers: httpx.Headers
    cookies: httpx.Cookies
    body: bytes


async def fetch(client: httpx.AsyncClient, outgoing: Outgoing, *, max_body: int) -> Answer:
    """Send ``outgoing`` and read at most ``max_body`` bytes of the answer."""
    request = client.build_request(
        outgoing.method, outgoing.url, headers=outgoing.headers,
        json=outgoing.json, data=outgoing.form,
    )
    response = await client.send(request, stream=True,
                                 follow_redirects=outgoing.follow_redirects)
    try:
        body = await _read_capped(response, max_body)
    finally:
        await response.aclose()
    return Answer(
        status=response.status_code, headers=response.headers, cookies=response.cookies, body=body
    )


async def _read_capped(response: httpx.Response, max_body: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_body:
        raise BadResponse(f"answer of {declared} bytes is over the {max_body}-byte cap")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_body:
            raise BadResponse(f"answer is over the {max_body}-byte cap")
        chunks.append(chunk)
    return b"".join(chunks)
