"""The agent's HTTP side: ``/metrics``, ``/healthz``, ``/readyz``, the status page, the API.

``create_app`` builds a Starlette app from injected parts only (a snapshot getter, a
store, the API token, a clock, a change hook), so there is no global state and tests
run it through ``httpx.ASGITransport`` or a real uvicorn server alike. The agent runs it
with uvicorn on its own event loop, so no handler here may block: readers only look at
the current ``Snapshot`` (``/metrics`` serves its pre-rendered exposition, plain or
gzipped, as it is) and store calls go to a worker thread.

Every response carries a strict Content-Security-Policy and ``nosniff``: the status
page shows names and error texts from outside, and a page that may not run scripts or
load anything cannot be turned against whoever looks at it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from probe.agent.archive import Archive
from probe.agent.exporter import CONTENT_TYPE
from probe.agent.snapshot import Snapshot
from probe.agent.web.accounts import AccountViews
from probe.agent.web.maintenance_api import ApiError, MaintenanceApi
from probe.agent.web.openapi import OPENAPI
from probe.agent.web.page import render_status_page
from probe.credentials import Secret
from probe.store import WindowStore

__all__ = ["CONTENT_SECURITY_POLICY", "SecurityHeaders", "accepts_gzip", "create_app"]

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
"""No scripts, no fetches, no frames: the status page needs only its inline stylesheet."""

_SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)


class SecurityHeaders:
    """Pure ASGI middleware adding ``_SECURITY_HEADERS`` to every HTTP response.

    Pure ASGI rather than ``BaseHTTPMiddleware``, so that streaming and error responses
    (404, 405, 4xx from the API) get the headers too, at no per-request task cost.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [pair for pair in _SECURITY_HEADERS if pair[0] not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    *,
    snapshot: Callable[[], Snapshot],
    store: WindowStore,
    api_token: Secret | None,
    clock: Callable[[], float] = time.time,
    on_change: Callable[[], Awaitable[None]] | None = None,
    on_scrape: Callable[[], None] | None = None,
    archive: Archive | None = None,
) -> Starlette:
    """The agent's web app.

    ``snapshot`` returns the newest snapshot (a cheap read); ``store`` is the agent's
    ``Store`` (only its window methods are used); ``api_token`` guards the maintenance
    API's writes (``None`` refuses them); ``on_change`` is awaited after a window was
    added or deleted, so the agent folds it into the next snapshot (R3); ``on_scrape``
    is called on every ``/metrics`` request, as it is answered; ``archive`` reads the
    calendar months and statements of the account pages from the store (``None``: the
    pages show none).
    """
    api = MaintenanceApi(store=store, api_token=api_token, clock=clock, on_change=on_change)
    views = _Views(snapshot, clock, on_scrape or _nothing)
    accounts = AccountViews(snapshot=snapshot, clock=clock, archive=archive)
    app = Starlette(routes=_routes(views, accounts, api),
                    exception_handlers={ApiError: _api_error, HTTPException: _http_error})
    app.router.redirect_slashes = False  # never redirect a write (DELETE …/id/) elsewhere
    app.add_middleware(SecurityHeaders)
    return app


def _routes(views: _Views, accounts: AccountViews, api: MaintenanceApi) -> list[Route]:
    return [
        Route("/", views.status_page, methods=["GET"]),
        # ``:path``: an account name may hold a ``/`` (sent as %2F, which the server decodes).
        Route("/accounts/{name:path}/statements/{month}", accounts.statement, methods=["GET"]),
        Route("/accounts/{name:path}", accounts.page, methods=["GET"]),
        Route("/api/v1/status", accounts.status, methods=["GET"]),
        Route("/api/v1/accounts/{name:path}", accounts.account, methods=["GET"]),
        Route("/metrics", views.metrics, methods=["GET"]),
        Route("/healthz", views.healthz, methods=["GET"]),
        Route("/readyz", views.readyz, methods=["GET"]),
        Route("/api/v1/maintenance", api.windows, methods=["GET", "POST"]),
        Route("/api/v1/maintenance/{window_id}", api.delete_window, methods=["DELETE"]),
        Route("/api/v1/openapi.json", _openapi, methods=["GET"]),
    ]


def _nothing() -> None:
    pass


class _Views:
    """The read-only endpoints: each looks at the current snapshot and nothing else."""

    def __init__(self, snapshot: Callable[[], Snapshot], clock: Callable[[], float],
                 on_scrape: Callable[[], None]) -> None:
        self._snapshot = snapshot
        self._clock = clock
        self._on_scrape = on_scrape

    async def metrics(self, request: Request) -> Response:
        """The exposition rendered with the snapshot, gzipped if the scraper accepts it.

        Prometheus asks for gzip: at 10,000 series that is ~2 MB on the wire instead of
        ~53 MB. The gzip copy was made with the snapshot, so nothing is compressed here;
        a scraper without gzip (curl) gets it unpacked in a worker thread.
        """
        snapshot = self._snapshot()
        self._on_scrape()
        headers = {"Content-Type": CONTENT_TYPE, "Vary": "Accept-Encoding"}
        accepted = request.headers.get("accept-encoding", "")
        if snapshot.exposition_gzip and accepts_gzip(accepted):
            headers["Content-Encoding"] = "gzip"
            return Response(snapshot.exposition_gzip, headers=headers)
        plain = snapshot.exposition or await asyncio.to_thread(snapshot.plain_exposition)
        return Response(plain, headers=headers)

    async def healthz(self, request: Request) -> Response:
        """The process is alive and serving: always 200."""
        return PlainTextResponse("ok")

    async def readyz(self, request: Request) -> Response:
        """200 ``ok`` when ``Snapshot.ready``, else 503 with the reason."""
        ready, reason = self._snapshot().ready(self._clock())
        return PlainTextResponse(reason, status_code=200 if ready else 503)

    async def status_page(self, request: Request) -> Response:
        """The HTML page, never cached: it is a picture of now."""
        page = render_status_page(self._snapshot(), now=self._clock())
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (RFC 9110 12.5.3).

    ``gzip`` or ``*`` with a non-zero ``q`` (``gzip;q=0`` refuses it, and an explicit
    ``gzip`` outranks ``*``); an absent or empty header means identity only.
    """
    weights: dict[str, float] = {}
    for item in accept_encoding.lower().split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        weights[coding] = _quality(params)
    return weights.get("gzip", weights.get("x-gzip", weights.get("*", 0.0))) > 0


def _quality(params: list[str]) -> float:
    """The ``q`` of one coding, 1 when absent; an unreadable ``q`` counts as 0."""
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


async def _openapi(request: Request) -> Response:
    """The maintenance API's OpenAPI description."""
    return JSONResponse(OPENAPI)


async def _http_error(request: Request, exc: Exception) -> Response:
    """The router's 404 and 405: JSON ``{"error", "field"}`` under ``/api/`` as the
    API's own errors are, plain text elsewhere."""
    if not isinstance(exc, HTTPException):
        raise exc
    if request.url.path.startswith("/api/"):
        error = ApiError(exc.status_code, exc.detail)
        answer = error.response()
        answer.headers.update(exc.headers or {})
        return answer
    return PlainTextResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)


async def _api_error(request: Request, exc: Exception) -> Response:
    """``ApiError`` as its JSON answer; anything else stays a real error."""
    if not isinstance(exc, ApiError):
        raise exc
    return exc.response()
