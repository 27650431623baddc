"""Waiting for an event with a deadline: the agent's tasks all sleep this way, so that
setting ``stop`` wakes them at once instead of after their period."""

from __future__ import annotations

import asyncio


async def until(*events: asyncio.Event, timeout: float) -> None:
    """Until one of ``events`` is set, or ``timeout`` seconds have passed."""
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
