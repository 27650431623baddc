"""Scheduling probes: the one module that imports APScheduler (3.x).

Every series (account, region) runs on an exact period with a fixed offset, spread
evenly over the interval, so a thousand series do not all fire at second zero. The
period stays exact because APScheduler 3.x's interval jitter accumulates (2 s of jitter
on a 10 s interval measured 11 s on average): instead each run waits a fresh random
fraction of ``jitter`` before it starts, which spreads load without moving the schedule.
A run that cannot start on time (the previous one still running, or the loop too busy
for longer than the grace time) is not queued up; the runner counts it as skipped from
the gap in run slots (``slot``), because with ``coalesce`` APScheduler merges missed
runs into one and reports at most one of them.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from probe.model import Instant, Seconds

Job = Callable[[], Awaitable[None]]


def offsets(count: int, interval: Seconds) -> list[Seconds]:
    """``count`` start offsets spread evenly over ``interval``."""
    return [interval * i / count for i in range(count)] if count else []


def lateness(now: Instant, anchor: Instant, offset: Seconds, interval: Seconds) -> Seconds:
    """How long after its scheduled time a run started (the period is exact).

    A run a hair early (the wall clock stepped back) is on time, not an interval late.
    """
    late = (now - anchor - offset) % interval
    return late if late < interval / 2 else 0.0


def slot(now: Instant, anchor: Instant, offset: Seconds, interval: Seconds) -> int:
    """Which scheduled run of a series ``now`` belongs to (0 for the first)."""
    return round((now - anchor - offset - lateness(now, anchor, offset, interval)) / interval)


class ProbeScheduler:
    """One APScheduler job per series on ``AsyncIOScheduler``, in the running loop.

    Use ``start()`` inside the event loop and ``shutdown()`` once.
    """

    def __init__(
        self, *, interval: Seconds, anchor: Instant, grace: Seconds | None = None
    ) -> None:
        self.interval, self.anchor = interval, anchor
        self._grace = max(1, round(grace if grace is not None else interval / 2))
        self._scheduler = AsyncIOScheduler(timezone=UTC)

    def add(self, series_id: str, job: Job, *, offset: Seconds) -> None:
        trigger = IntervalTrigger(
            seconds=self.interval,
            start_date=datetime.fromtimestamp(self.anchor + offset, tz=UTC),
            timezone=UTC,
        )
        self._scheduler.add_job(
            job, trigger, id=series_id, max_instances=1, coalesce=True,
            misfire_grace_time=self._grace, replace_existing=True,
        )

    def start(self) -> None:
        self._scheduler.start()

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def pause(self) -> None:
        """Start no new runs (runs already going carry on)."""
        if self._scheduler.running:
            self._scheduler.pause()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)


def jitter_delay(jitter: Seconds, rng: random.Random) -> Seconds:
    """A fresh random wait before one run: spreads load, never shifts the schedule."""
    return rng.uniform(0.0, jitter) if jitter > 0 else 0.0
