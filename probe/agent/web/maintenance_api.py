"""``/api/v1/maintenance``: declare maintenance windows (R3) while the agent runs.

Emergency and customer-requested maintenance is rarely known in advance, so it can be
declared at run time and is kept durably in the store. Reading is open; writing needs
``Authorization: Bearer <agent.api_token>``, and without a configured token every write
is refused, because an unauthenticated write could erase unavailable time from a claim.

Every field is validated here (``validate_window``) and every mistake is a 4xx answer
``{"error": ..., "field": ...}``: bad input never reaches the store or becomes a 500.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from probe.credentials import Secret
from probe.instants import EXAMPLE, InstantError, parse_instant, utc
from probe.model import Instant, MaintenanceKind
from probe.sla.maintenance import window_problem
from probe.store import StoredWindow, StoreError, WindowStore

__all__ = [
    "MAX_BODY", "ApiError", "MaintenanceApi", "validate_window", "window_json",
]

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
"""Largest request body accepted, in bytes; a window is a few hundred."""

MAX_NAME = 200
_FIELDS = frozenset({"kind", "accounts", "start", "end", "name"})
_NO_STORE = {"Cache-Control": "no-store"}
_CHALLENGE = 'Bearer realm="lifesize-probe"'
_NO_TOKEN = ("maintenance API writes are disabled: no API token is configured; set"
             " agent.api_token_env or agent.api_token_file in the config and restart")


class ApiError(Exception):
    """A request the API refuses: status, message, and the offending field if any."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field

    def response(self) -> JSONResponse:
        body = {"error": self.message, "field": self.field}
        headers = dict(_NO_STORE)
        if self.status == 401:
            headers["WWW-Authenticate"] = _CHALLENGE
        return JSONResponse(body, status_code=self.status, headers=headers)


class MaintenanceApi:
    """The three endpoints, over an injected store, token, clock and change hook."""

    def __init__(
        self,
        *,
        store: WindowStore,
        api_token: Secret | None,
        clock: Callable[[], float],
        on_change: Callable[[], Awaitable[None]] | None,
    ) -> None:
        self._store = store
        self._token = api_token
        self._clock = clock
        self._on_change = on_change

    async def windows(self, request: Request) -> Response:
        """``/api/v1/maintenance``: GET lists, POST declares (one route, one Allow header)."""
        if request.method == "POST":
            return await self.create_window(request)
        return await self.list_windows(request)

    async def list_windows(self, request: Request) -> Response:
        """GET: every stored window, by start."""
        windows = await self._call(self._store.windows)
        return JSONResponse({"windows": [window_json(w) for w in windows]}, headers=_NO_STORE)

    async def create_window(self, request: Request) -> Response:
        """POST: validate, store durably, let the agent refresh; 201 with the stored window."""
        self._authorize(request)
        fields = validate_window(await read_json(request))
        window = StoredWindow.declare(created_at=self._clock(), source="api", **fields)
        await self._call(self._store.add_window, window)
        log.info("maintenance window %s declared through the API", window.id)
        await self._changed()
        return JSONResponse(window_json(window), status_code=201, headers=_NO_STORE)

    async def delete_window(self, request: Request) -> Response:
        """DELETE /{id}: forget a stored window; 404 if there is none with that id."""
        self._authorize(request)
        window_id = request.path_params["window_id"]
        if not await self._call(self._store.delete_window, window_id):
            raise ApiError(404, f"no maintenance window with id {window_id!r}", "id")
        log.info("maintenance window %s deleted through the API", window_id)
        await self._changed()
        return Response(status_code=204, headers=_NO_STORE)

    def _authorize(self, request: Request) -> None:
        """Bearer token, compared in constant time; 403 when writes are not configured."""
        if self._token is None:
            raise ApiError(403, _NO_TOKEN)
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        expected = self._token.reveal().encode()
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
            raise ApiError(401, "a valid 'Authorization: Bearer <token>' header is required")

    async def _call(self, action: Callable[..., Any], *args: Any) -> Any:
        """A blocking store call in a worker thread; a store failure is a 503, not a 500."""
        try:
            return await anyio.to_thread.run_sync(action, *args)
        except StoreError as exc:
            log.error("maintenance API: %s", exc)
            raise ApiError(503, f"store unavailable: {exc}") from exc

    async def _changed(self) -> None:
        """Tell the agent; the window is already durable, so a failed refresh is only logged
        (the next snapshot picks it up) rather than reported as a failed write."""
        if self._on_change is None:
            return
        try:
            await self._on_change()
        except Exception:
            log.exception("maintenance API: refreshing the snapshot after a change failed")


async def read_json(request: Request) -> Any:
    """The JSON body, at most ``MAX_BODY`` bytes, refused before it is read in full."""
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind != "application/json":
        raise ApiError(415, "send the window as JSON with 'Content-Type: application/json'")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiError(413, f"request body is larger than {MAX_BODY} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise ApiError(413, f"request body is larger than {MAX_BODY} bytes")
    try:
        return json.loads(bytes(body), object_pairs_hook=_no_duplicates,
                          parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, f"request body is not valid JSON: {exc}") from None


def validate_window(data: Any) -> dict[str, Any]:
    """The keyword arguments of ``StoredWindow.declare`` for a request body, or ``ApiError``."""
    if not isinstance(data, dict):
        raise ApiError(400, "request body must be a JSON object")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        fields = ", ".join(sorted(_FIELDS))
        raise ApiError(400, f"unknown field {unknown[0]!r}; fields are {fields}", unknown[0])
    for key in ("kind", "accounts", "start", "end"):
        if key not in data:
            raise ApiError(400, f"{key} is required", key)
    start, end = _instant(data["start"], "start"), _instant(data["end"], "end")
    kind, accounts = data["kind"], _accounts(data["accounts"])
    problem = window_problem(kind=kind, accounts=accounts, start=start, end=end)
    if problem is not None:
        raise ApiError(400, problem[1], problem[0])
    return {"kind": cast(MaintenanceKind, kind), "accounts": accounts,
            "start": start, "end": end, "name": _name(data.get("name", ""))}


def window_json(window: StoredWindow) -> dict[str, Any]:
    """A stored window as the API shows it; times RFC 3339 in UTC."""
    accounts: str | list[str] = "*" if window.accounts is None else sorted(window.accounts)
    return {"id": window.id, "kind": window.kind, "accounts": accounts,
            "start": utc(window.start), "end": utc(window.end), "name": window.name,
            "created_at": utc(window.created_at), "source": window.source}


def _accounts(value: Any) -> frozenset[str] | None:
    if value == "*":
        return None
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ApiError(400, 'accounts must be "*" or a list of account names', "accounts")
    return frozenset(value)


def _instant(value: Any, field: str) -> Instant:
    """RFC 3339 with an explicit offset (``Z`` or ``±hh:mm``): no guessing a time zone."""
    try:
        return parse_instant(value)
    except InstantError:
        raise ApiError(400, f"{field} must be an RFC 3339 time with offset, such as"
                       f" {EXAMPLE}, got {value!r}", field) from None


def _name(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_NAME:
        raise ApiError(400, f"name must be a string of at most {MAX_NAME} characters", "name")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key appears twice in one object")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
