"""The simulator's control API (``/_sim/…``): faults, counters, and closing the peers.

It has no authentication: the simulator is for loopback.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from probe.simulator._requests import peers, simulator
from probe.simulator.faults import Fault, FaultBook, FaultSpec

__all__ = ["control_routes"]


async def _post_fault(request: Request) -> Response:
    try:
        spec = FaultSpec.model_validate_json(await request.body())
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()]
        return JSONResponse({"error": problems}, status_code=422)
    faults = simulator(request).faults
    return JSONResponse(_fault_json(faults.add(spec), faults), status_code=201)


def _fault_json(fault: Fault, faults: FaultBook) -> dict[str, Any]:
    return {"id": fault.id, **fault.spec.model_dump(), "remaining": faults.remaining(fault)}


async def _list_faults(request: Request) -> Response:
    faults = simulator(request).faults
    return JSONResponse({"faults": [_fault_json(f, faults) for f in faults.active()]})


async def _clear_faults(request: Request) -> Response:
    return JSONResponse({"cleared": simulator(request).faults.clear()})


async def _stats(request: Request) -> Response:
    return JSONResponse({**simulator(request).stats(), "peers_open": len(peers(request))})


async def _close_peers(request: Request) -> Response:
    return JSONResponse({"closed": await peers(request).close_all()})


def control_routes() -> list[BaseRoute]:
    return [
        Route("/_sim/faults", _post_fault, methods=["POST"]),
        Route("/_sim/faults", _list_faults, methods=["GET"]),
        Route("/_sim/faults", _clear_faults, methods=["DELETE"]),
        Route("/_sim/stats", _stats, methods=["GET"]),
        Route("/_sim/peers", _close_peers, methods=["DELETE"]),
    ]
