"""How the agent's tasks wait and how often they refresh.

Every task sleeps through ``until``, so that setting ``stop`` wakes it at once instead
of after its period. Both roles pace their snapshot refreshes with ``refresh_pause``.
"""

from __future__ import annotations

import asyncio

REFRESH_SHARE = 4
"""A refresh may cost at most one part in this many of the time between refreshes."""


async def until(*events: asyncio.Event, timeout: float | None = None) -> None:
    """Until one of ``events`` is set, or ``timeout`` seconds have passed (if given)."""
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


def refresh_pause(cost: float, *, every: float) -> float:
    """Seconds until the next refresh: ``every``, or longer when one costs more than a
    ``REFRESH_SHARE``-th of that, so that a large fleet's refreshes never crowd out the
    probes and the scrapes.

    ``cost`` is the computing a refresh did (building and rendering the snapshot), not
    the time it waited for the store: a locked or slow database must not slow the
    snapshot, or ``/readyz`` would report stale figures instead of the store.
    """
    return max(every, REFRESH_SHARE * cost)
