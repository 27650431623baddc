"""Statuspage answers written from the documented field list, and a page to serve them.

``item(...)`` is one scheduled maintenance as ``/api/v2/scheduled-maintenances.json``
lists it (id, name, status, scheduled_for, scheduled_until, resolved_at, components,
created_at, plus a few fields the importer ignores); ``feed(...)`` the whole document.
``FakePage`` is a real HTTP app whose answer a test sets: a document, a status, raw
bytes, or a slow trickle.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

PAGE = {"id": "y2j98763l56x", "name": "Lifesize", "url": "https://status.example.com",
        "time_zone": "Etc/UTC", "updated_at": "2026-10-20T02:00:00.000Z"}


def item(ident: str, start: str, until: str, *, name: str = "Planned maintenance",
         status: str = "scheduled", resolved: str | None = None,
         created: str | None = "2026-10-01T09:00:00.000Z",
         components: tuple[tuple[str, str], ...] = (("c1", "Video Calling"),)) -> dict[str, Any]:
    """One maintenance; times as Statuspage writes them (milliseconds, Z)."""
    found: dict[str, Any] = {
        "id": ident, "name": name, "status": status, "impact": "maintenance",
        "scheduled_for": start, "scheduled_until": until, "resolved_at": resolved,
        "shortlink": f"https://stspg.io/{ident}", "page_id": PAGE["id"],
        "incident_updates": [{"id": f"u-{ident}", "status": status,
                              "body": "We will be performing maintenance.",
                              "created_at": created, "display_at": created}],
        "components": [{"id": cid, "name": cname, "status": "operational",
                        "page_id": PAGE["id"], "group_id": None, "showcase": True}
                       for cid, cname in components],
    }
    if created is not None:
        found["created_at"] = created
    return found


def feed(*items: dict[str, Any]) -> dict[str, Any]:
    return {"page": PAGE, "scheduled_maintenances": list(items)}


@dataclass
class FakePage:
    """What the fake page answers next; ``hits`` counts requests."""

    document: Any = field(default_factory=feed)
    status: int = 200
    raw: bytes | None = None
    trickle: float | None = None
    """Seconds between bytes: a page that answers, but too slowly."""
    hits: int = 0
    paths: list[str] = field(default_factory=list)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        self.hits += 1
        self.paths.append(request.url.path)
        body = self.raw if self.raw is not None else orjson.dumps(self.document)
        if self.trickle is not None:
            response: Response = StreamingResponse(self._slowly(body), status_code=self.status,
                                                   media_type="application/json")
        else:
            response = Response(body, status_code=self.status, media_type="application/json")
        await response(scope, receive, send)

    async def _slowly(self, body: bytes) -> AsyncIterator[bytes]:
        for index in range(len(body)):
            await asyncio.sleep(self.trickle or 0)
            yield body[index:index + 1]
