"""The state of a fake Lifesize Cloud: its users, sessions, meetings, faults, counters.

``app.py`` serves it over HTTP; every endpoint reaches it through ``_requests.simulator``.
"""

from __future__ import annotations

import hmac
import itertools
import secrets as tokens
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from probe.config import Settings
from probe.credentials import Secret, Secrets
from probe.simulator._answers import error as _error
from probe.simulator.faults import Fault, FaultBook

__all__ = ["SimUser", "Simulator"]

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
