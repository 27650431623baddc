"""The agent's maintenance importers: each ``maintenance.import`` entry polled until stop.

Imported windows go into the agent's store next to those declared through its API, so
the snapshot (``Agent._windows``), the status page and ``report --database`` apply them
like any other (R3). An importer never stops the agent: every failure is a log line.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import httpx

from probe.config import Settings, StatuspageImport
from probe.statuspage.plan import ImportRules
from probe.statuspage.poller import StatuspagePoller
from probe.store import WindowStore


def pollers_for(
    settings: Settings, store: WindowStore, clients: Callable[[StatuspageImport], httpx.AsyncClient]
) -> list[StatuspagePoller]:
    """One poller per ``maintenance.import`` entry, each with its own HTTP client."""
    return [
        StatuspagePoller(_rules(entry), store=store, client=clients(entry), every=entry.every,
                         timeout=entry.timeout)
        for entry in settings.maintenance.imports
    ]


async def run_importers(
    settings: Settings, store: WindowStore, stop: asyncio.Event,
    on_change: Callable[[], None] | None = None,
) -> None:
    """Poll every configured page until ``stop``; clients are opened and closed once."""
    if not settings.maintenance.imports:
        return
    async with contextlib.AsyncExitStack() as stack:
        def client(entry: StatuspageImport) -> httpx.AsyncClient:
            made = httpx.AsyncClient(timeout=entry.timeout, follow_redirects=True,
                                     trust_env=False)
            stack.push_async_callback(made.aclose)
            return made

        pollers = pollers_for(settings, store, client)
        await asyncio.gather(*(p.run(stop, on_change) for p in pollers))


def _rules(entry: StatuspageImport) -> ImportRules:
    accounts = None if entry.accounts == "*" else frozenset(entry.accounts)
    return ImportRules(page=entry.statuspage, components=entry.components, accounts=accounts,
                       notice=entry.notice)
