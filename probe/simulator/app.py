"""A fake Lifesize Cloud: exactly the endpoints the ``lifesize`` flow calls by default.

    POST   /api/login              {username, password} (JSON or form) → {token}, cookie
    POST   /meeting/create         key + Bearer token, {displayName, ...}
                                   → {statusCode: 202, uuid, extension}
    GET    /meeting/get?uuid=      → {uuid, extension, state: connecting|connected, ...}
    DELETE /meeting/delete         {uuid}
    POST   /_sim/faults            inject a fault (see ``faults.py``); GET lists, DELETE clears
    GET    /_sim/stats             counters, e.g. to see that cleanup deleted the meeting, and
                                   ``peers_open``, the WebRTC peers alive
    DELETE /_sim/peers             close every WebRTC peer now → {closed}

and the web app the ``browser`` flow drives (``webapp.py``; pages in ``pages.py``):

    GET    /signin?next=           the sign-in form
    POST   /signin                 username, password, next (form) → 303 to ``next`` with
                                   the ``ls_web`` session cookie; the form again if wrong
    GET    /app/                   the landing page with ``#start-call`` (session required,
                                   else 302 to /signin?next=…)
    POST   /call/                  a fresh meeting of the user's account → 303 /call/<ext>
    GET    /call/<ext>             the call page: real WebRTC against the simulator's peer
    POST   /call/<ext>/offer       {sdp, type} offer → answer from an aiortc peer sending a
                                   moving picture and audio, on 127.0.0.1 only (``peer.py``)

It checks the passwords of the configured accounts' users and, when the target has one,
the API key. It reads them through the same ``password_env``/``password_file`` and
``api_key_env``/``api_key_file`` references as the probe, so one config file drives both.
It is for loopback: it serves plain HTTP and its control API has no authentication.
Its WebRTC peers close at the app's shutdown, in its lifespan (serve it with uvicorn's
``lifespan="on"``, as ``simulate``, the demo and the tests do), each by itself within
a minute, and all at ``DELETE /_sim/peers``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from probe.simulator._answers import error as _error
from probe.simulator._requests import body as read_body
from probe.simulator._requests import simulator
from probe.simulator.control import control_routes
from probe.simulator.misbehave import misbehave
from probe.simulator.peer import Peers
from probe.simulator.state import Simulator
from probe.simulator.webapp import web_routes

__all__ = ["create_app"]

async def _login(request: Request) -> Response:
    sim = simulator(request)
    body = await read_body(request)
    if not isinstance(body, dict):
        return _error(400, "expected a JSON or form body with username and password")
    username, password = str(body.get("username", "")), str(body.get("password", ""))
    user = sim.users.get(username)
    fault = sim.fault_for("login", user.account if user else None)
    return await misbehave(request, fault, sim.faults, lambda: sim.login(username, password))


def _meeting_call(action: Callable[[Simulator, str, Request, Any], Response],
                  step: str | None) -> Callable[[Request], Any]:
    """An endpoint of the meeting API: API key and session checked, faults of ``step``."""
    async def endpoint(request: Request) -> Response:
        sim = simulator(request)
        body = await read_body(request) if request.method != "GET" else None
        account = sim.account_of(request)

        def real() -> Response:
            if account is None or not sim.key_ok(request):
                return _error(401, "invalid API key or session")
            return action(sim, account, request, body)

        fault = sim.fault_for(step, account) if step else None
        return await misbehave(request, fault, sim.faults, real)
    return endpoint


def _meeting_id(request: Request, body: Any) -> str:
    from_body = body.get("uuid") if isinstance(body, dict) else None
    return str(from_body or request.query_params.get("uuid", ""))


def create_app(sim: Simulator, *, peers: Peers | None = None) -> Starlette:
    """The ASGI app serving ``sim``; its WebRTC peers close when it shuts down."""
    routes: list[BaseRoute] = [
        Route("/api/login", _login, methods=["POST"]),
        Route("/meeting/create", _meeting_call(
            lambda s, a, _r, body: s.create(a, body), "call"), methods=["POST"]),
        Route("/meeting/get", _meeting_call(
            lambda s, a, r, _b: s.get(a, r.query_params.get("uuid", "")), "call"),
            methods=["GET"]),
        Route("/meeting/delete", _meeting_call(
            lambda s, a, r, body: s.delete(a, _meeting_id(r, body)), None), methods=["DELETE"]),
        *control_routes(),
        *web_routes(),
    ]
    app = Starlette(routes=routes, lifespan=_closing_peers)
    app.state.sim = sim
    app.state.peers = peers if peers is not None else Peers()
    return app


@asynccontextmanager
async def _closing_peers(app: Starlette) -> AsyncIterator[None]:
    yield
    peers: Peers = app.state.peers
    await peers.close_all()
