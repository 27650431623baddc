"""How a faulted endpoint answers: an error, silence, a trickle, garbage or a refusal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from probe.simulator.faults import WEB_ONLY, Fault, FaultBook

__all__ = ["Real", "misbehave"]

TRICKLE_EVERY = 0.1
"""Seconds between the bytes of a ``slow`` answer: each read succeeds, the whole never
ends in time, which is what a per-read timeout alone does not catch."""
GARBAGE = b"<html><body>\x00\xff upstream said something that is not JSON"


Real = Callable[[], Response | Awaitable[Response]]
"""The normal answer; a coroutine when it takes work (the WebRTC answerer)."""


async def misbehave(request: Request, fault: Fault | None, faults: FaultBook,
                    real: Real) -> Response:
    """The answer under ``fault``; ``real()`` (the normal answer) when there is none.

    The web-only modes (``faults.WEB_ONLY``) are the caller's business: here they are
    no fault at all. ``real`` is not called for a fault that replaces the answer, so a
    refused offer opens no peer.
    """
    if fault is None or fault.spec.mode in WEB_ONLY:
        return await _answer(real)
    mode = fault.spec.mode
    if mode == "error":
        return JSONResponse({"error": "injected fault"}, status_code=fault.spec.status)
    if mode == "reject_auth":
        return JSONResponse({"error": "invalid credentials"}, status_code=401)
    if mode == "garbage":
        return Response(GARBAGE, status_code=200, media_type="application/json")
    if mode == "timeout":
        await _hang(request, fault, faults)
        return JSONResponse({"error": "injected timeout ended"}, status_code=504)
    return _trickle(await _answer(real), fault.spec.delay)


async def _answer(real: Real) -> Response:
    answer = real()
    return answer if isinstance(answer, Response) else await answer


async def _hang(request: Request, fault: Fault, faults: FaultBook) -> None:
    """Say nothing until the client gives up or the fault ends."""
    while faults.remaining(fault) > 0 and not await request.is_disconnected():
        await anyio.sleep(0.05)


def _trickle(answer: Response, delay: float) -> StreamingResponse:
    """``answer``, preceded by ``delay`` seconds of JSON whitespace one byte at a time."""
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(round(delay / TRICKLE_EVERY)):
            yield b" "
            await anyio.sleep(TRICKLE_EVERY)
        yield bytes(answer.body)

    slow = StreamingResponse(chunks(), status_code=answer.status_code,
                             media_type=answer.media_type or "application/json")
    slow.raw_headers.extend((k, v) for k, v in answer.raw_headers
                            if k not in (b"content-length", b"content-type"))
    return slow
