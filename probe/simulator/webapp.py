"""The simulator's web app: what the ``browser`` flow signs in to and calls from.

    GET  /signin?next=        the form (step login)
    POST /signin              good → 303 to ``next``, cookie ``ls_web``; else the form
                              again with ``#signin-error`` (step login)
    GET  /app/                landing page with ``#start-call`` (step login)
    POST /call/               a fresh meeting of the user's account → 303 /call/<ext>
    GET  /call/<ext>          the call page (step call)
    POST /call/<ext>/offer    the WebRTC answer (step call; ``peer.py``)

Pages that need a session send a browser without one to ``/signin?next=<the page>``;
``next`` is honoured only when it is a path on this site (no open redirect). Every
fault mode applies: the API's through ``misbehave``, the web-only ones here
(``ui_change`` on the sign-in form, ``js_error`` on the call page, ``no_ice`` and
``no_media`` on the offer).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from probe.simulator._answers import error
from probe.simulator._requests import body, peers, simulator
from probe.simulator.faults import Fault
from probe.simulator.misbehave import misbehave
from probe.simulator.pages import call_page, landing_page, signin_page
from probe.simulator.peer import Behaviour, PeersFull

__all__ = ["COOKIE", "local_path", "web_routes"]

COOKIE = "ls_web"
HOME = "/app/"


def local_path(candidate: Any, default: str = HOME) -> str:
    """``candidate`` when it is a path on this site, else ``default``.

    ``//host/x`` and ``/\\host/x`` are other sites to a browser, and control
    characters could split the ``Location`` header.
    """
    if not isinstance(candidate, str) or not candidate.startswith("/"):
        return default
    if candidate.startswith(("//", "/\\")) or any(c < " " or c in "\\\x7f" for c in candidate):
        return default
    parts = urlsplit(candidate)
    return default if parts.scheme or parts.netloc else candidate


def _mode(fault: Fault | None) -> str | None:
    return fault.spec.mode if fault is not None else None


def _account(request: Request) -> str | None:
    token = request.cookies.get(COOKIE)
    return simulator(request).session_account(token) if token else None


def _html(page: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(page, status_code=status, headers={"cache-control": "no-store"})


def _to_signin(next_path: str, status: int = 302) -> RedirectResponse:
    query = urlencode({"next": next_path}, safe="/")
    return RedirectResponse(f"/signin?{query}", status_code=status)


async def _faulted(request: Request, step: str, account: str | None,
                   page: Callable[[Fault | None], Response]) -> Response:
    """``page(fault)`` under the fault of ``step``, if any; ``page`` acts on web-only ones."""
    sim = simulator(request)
    fault = sim.fault_for(step, account)
    return await misbehave(request, fault, sim.faults, lambda: page(fault))


async def _signin_form(request: Request) -> Response:
    next_path = local_path(request.query_params.get("next"))
    return await _faulted(request, "login", None, lambda fault: _html(signin_page(
        next_path=next_path, renamed=_mode(fault) == "ui_change")))


async def _signin(request: Request) -> Response:
    sim = simulator(request)
    form = await body(request)
    fields = form if isinstance(form, dict) else {}
    username, password = str(fields.get("username", "")), str(fields.get("password", ""))
    next_path = local_path(fields.get("next"))
    known = sim.users.get(username)
    fault = sim.fault_for("login", known.account if known else None)

    def answer() -> Response:
        user = sim.authenticate(username, password)
        if user is None or _mode(fault) == "reject_auth":
            return _html(signin_page(next_path=next_path, username=username, wrong=True,
                                     renamed=_mode(fault) == "ui_change"))
        sim.counts["web_logins"] += 1
        return _signed_in(sim.open_session(user.account), next_path)

    refused = _mode(fault) == "reject_auth"  # the form says so, not a bare 401
    return await misbehave(request, None if refused else fault, sim.faults, answer)


def _signed_in(token: str, next_path: str) -> Response:
    answer = RedirectResponse(next_path, status_code=303)
    answer.headers.append("set-cookie", f"{COOKIE}={token}; HttpOnly; Path=/; SameSite=Lax")
    return answer


async def _landing(request: Request) -> Response:
    account = _account(request)
    return await _faulted(request, "login", account, lambda _: _html(
        landing_page(account=account)) if account else _to_signin(HOME))


async def _start_call(request: Request) -> Response:
    sim, account = simulator(request), _account(request)

    def start(_: Fault | None) -> Response:
        if account is None:
            return _to_signin(HOME, status=303)
        extension = sim.new_meeting(account, "Web call").extension
        return RedirectResponse(f"/call/{extension}", status_code=303)
    return await _faulted(request, "call", account, start)


async def _call_page(request: Request) -> Response:
    sim, account = simulator(request), _account(request)
    extension = str(request.path_params["extension"])

    def page(fault: Fault | None) -> Response:
        if account is None:
            return _to_signin(f"/call/{extension}")
        if not sim.has_meeting(account, extension):
            return _html("<!doctype html><title>Not found</title><h1>No such meeting</h1>",
                         status=404)
        return _html(call_page(extension=extension, broken=_mode(fault) == "js_error"))
    return await _faulted(request, "call", account, page)


async def _offer(request: Request) -> Response:
    sim, account = simulator(request), _account(request)
    extension = str(request.path_params["extension"])
    offer = await body(request)
    fault = sim.fault_for("call", account)

    def answer() -> Response | Awaitable[Response]:
        if account is None:
            return error(401, "no session")
        if not sim.has_meeting(account, extension):
            return error(404, "no such meeting")
        if not isinstance(offer, dict) or offer.get("type") != "offer" \
                or not isinstance(offer.get("sdp"), str):
            return error(400, "expected {sdp, type: offer}")
        behaviour = Behaviour(ice=_mode(fault) != "no_ice", media=_mode(fault) != "no_media")
        return _answer(request, offer["sdp"], behaviour)
    return await misbehave(request, fault, sim.faults, answer)


async def _answer(request: Request, offer: str, behaviour: Behaviour) -> Response:
    try:
        sdp = await peers(request).answer(offer, behaviour)
    except PeersFull as exc:
        return error(503, str(exc))
    except ValueError as exc:
        return error(400, f"bad offer: {exc}")
    simulator(request).counts["calls_answered"] += 1
    return JSONResponse({"sdp": sdp, "type": "answer"})


def web_routes() -> list[BaseRoute]:
    return [
        Route("/signin", _signin_form, methods=["GET"]),
        Route("/signin", _signin, methods=["POST"]),
        Route("/app/", _landing, methods=["GET"]),
        Route("/call/", _start_call, methods=["POST"]),
        Route("/call/{extension}", _call_page, methods=["GET"]),
        Route("/call/{extension}/offer", _offer, methods=["POST"]),
    ]
