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
Its WebRTC peers close at the app's shutdown when it is served with the lifespan
protocol on (``uvicorn`` ``lifespan="on"``); otherwise each closes by itself within
a minute, or at ``DELETE /_sim/peers``.
"""

from __future__ import annotations

import hmac
import itertools
import secrets as tokens
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from probe.config import Settings
from probe.credentials import Secret, Secrets
from probe.simulator._requests import body as read_body
from probe.simulator._requests import error as _error
from probe.simulator._requests import simulator
from probe.simulator.control import control_routes
from probe.simulator.faults import Fault, FaultBook
from probe.simulator.misbehave import misbehave
from probe.simulator.peer import Peers
from probe.simulator.webapp import web_routes

__all__ = ["SimUser", "Simulator", "create_app"]

_MAX_REMEMBERED = 100_000


@dataclass(frozen=True, slots=True, kw_only=True)
class SimUser:
    """A user the simulator accepts: its account, and the password it must present."""

    account: str
    password: Secret


@dataclass(slots=True)
class _Meeting:
    uuid: str
    extension: str
    account: str
    display_name: str
    polls: int = 0


class Simulator:
    """The state of a fake Lifesize Cloud: users, sessions, meetings and faults.

    A new meeting reports ``connecting`` to its first ``connect_polls`` polls, then
    ``connected``.
    """

    def __init__(self, users: Mapping[str, SimUser], *, api_key: Secret | None,
                 connect_polls: int = 0, clock: Callable[[], float] = time.monotonic) -> None:
        self.users = dict(users)
        self.api_key = api_key
        self.connect_polls = connect_polls
        self.faults = FaultBook(clock)
        self.counts: Counter[str] = Counter()
        self._sessions: dict[str, str] = {}
        self._meetings: dict[str, _Meeting] = {}
        self._by_extension: dict[str, str] = {}
        self._extensions = itertools.count(1_000_001)

    @classmethod
    def from_settings(cls, settings: Settings, secrets: Secrets, **options: Any) -> Simulator:
        """Users and API key of a config, secrets resolved (``SecretError`` if one is not)."""
        users: dict[str, SimUser] = {}
        for account in settings.accounts:
            for user in account.users:
                if user.username in users:
                    raise ValueError(f"user {user.username} is in two accounts")
                password = secrets.resolve(env=user.password_env, file=user.password_file,
                                           what=f"password of {account.name}/{user.username}")
                users[user.username] = SimUser(account=account.name, password=password)
        target = settings.target
        has_key = target.api_key_env is not None or target.api_key_file is not None
        api_key = secrets.resolve(env=target.api_key_env, file=target.api_key_file,
                                  what="target API key") if has_key else None
        return cls(users, api_key=api_key, **options)

    def fault_for(self, step: str, account: str | None) -> Fault | None:
        return self.faults.find(step, account)

    def authenticate(self, username: str, password: str) -> SimUser | None:
        """The login check the API and the sign-in page share: the user, if it is one."""
        user = self.users.get(username)
        return user if user is not None and _same(password, user.password) else None

    def open_session(self, account: str) -> str:
        """A new session token of ``account``: a bearer token or the web cookie."""
        token = tokens.token_urlsafe(16)
        _remember(self._sessions, token, account)
        return token

    def session_account(self, token: str) -> str | None:
        return self._sessions.get(token)

    def login(self, username: str, password: str) -> Response:
        user = self.authenticate(username, password)
        if user is None:
            return _error(401, "invalid credentials")
        token = self.open_session(user.account)
        self.counts["logins"] += 1
        answer = JSONResponse({"token": token, "expiresIn": 3600})
        answer.set_cookie("session", token, httponly=True)
        return answer

    def account_of(self, request: Request) -> str | None:
        """The account of the session the request's bearer token names."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return self._sessions.get(token) if scheme.lower() == "bearer" else None

    def new_meeting(self, account: str, display_name: str) -> _Meeting:
        """A new meeting of ``account``."""
        meeting = _Meeting(str(uuid.uuid4()), str(next(self._extensions)), account,
                           display_name)
        _remember(self._meetings, meeting.uuid, meeting)
        _remember(self._by_extension, meeting.extension, meeting.uuid)
        self.counts["meetings_created"] += 1
        return meeting

    def has_meeting(self, account: str, extension: str) -> bool:
        meeting = self._meetings.get(self._by_extension.get(extension, ""))
        return meeting is not None and meeting.account == account

    def key_ok(self, request: Request) -> bool:
        return self.api_key is None or _same(request.headers.get("key", ""), self.api_key)

    def create(self, account: str, body: Any) -> Response:
        if not isinstance(body, dict) or not isinstance(body.get("displayName"), str):
            return _error(400, "displayName is required")
        meeting = self.new_meeting(account, body["displayName"])
        return JSONResponse({"statusCode": 202, "uuid": meeting.uuid,
                             "extension": meeting.extension})

    def get(self, account: str, meeting_id: str) -> Response:
        meeting = self._meetings.get(meeting_id)
        if meeting is None or meeting.account != account:
            return _error(404, "no such meeting")
        meeting.polls += 1
        state = "connected" if meeting.polls > self.connect_polls else "connecting"
        return JSONResponse({
            "uuid": meeting.uuid, "extension": meeting.extension,
            "displayName": meeting.display_name, "state": state,
            "joinUrl": f"https://call.lifesizecloud.com/{meeting.extension}",
            "sip": f"sips:{meeting.extension}@lifesizecloud.com",
        })

    def delete(self, account: str, meeting_id: str) -> Response:
        meeting = self._meetings.get(meeting_id)
        if meeting is None or meeting.account != account:
            return _error(404, "no such meeting")
        del self._meetings[meeting_id]
        self._by_extension.pop(meeting.extension, None)
        self.counts["meetings_deleted"] += 1
        return JSONResponse({"statusCode": 200, "uuid": meeting_id})

    def stats(self) -> dict[str, int]:
        return {"web_logins": 0, "calls_answered": 0, **self.counts,
                "meetings_open": len(self._meetings),
                "sessions": len(self._sessions)}


def _same(given: str, secret: Secret) -> bool:
    return hmac.compare_digest(given.encode(), secret.reveal().encode())


def _remember(table: dict[str, Any], key: str, value: Any) -> None:
    """Insert, dropping the oldest entries so that a long demo does not grow forever."""
    table[key] = value
    while len(table) > _MAX_REMEMBERED:
        del table[next(iter(table))]


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
