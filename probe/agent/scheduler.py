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

APScheduler 3.x plans runs on the wall clock: stepped back an hour (NTP, a VM resumed,
an operator), it would wait an hour before the next probe; stepped forward, the slots
would count thousands of skipped runs. So the scheduler watches the wall clock against
the monotonic one and, when it jumped, moves the anchor by the jump and re-plans every
job from it: probes keep their pace, with neither a pause nor a burst.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.interval import IntervalTrigger

from probe.model import Instant, Seconds

Job = Callable[[], Awaitable[None]]

_log = logging.getLogger(__name__)

CLOCK_CHECK_EVERY = 1.0
"""Seconds (monotonic) between two looks at the wall clock."""
CLOCK_STEP = 1.0
"""A wall clock that moved this much more, or less, than the monotonic one jumped."""


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
        self, *, interval: Seconds, anchor: Instant, grace: Seconds | None = None,
        wall: Callable[[], float] = time.time, monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval, self._anchor = interval, anchor
        self._grace = max(1, round(grace if grace is not None else interval / 2))
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._jobs: dict[str, tuple[Job, Seconds]] = {}
        self._wall, self._monotonic = wall, monotonic
        self._mark = (wall(), monotonic())
        self._timer: asyncio.TimerHandle | None = None

    @property
    def anchor(self) -> Instant:
        """The instant the exact period counts from, after any jump of the wall clock."""
        self.follow_clock()
        return self._anchor

    def add(self, series_id: str, job: Job, *, offset: Seconds) -> None:
        self._jobs[series_id] = (job, offset)
        trigger = IntervalTrigger(
            seconds=self.interval,
            start_date=datetime.fromtimestamp(self._anchor + offset, tz=UTC),
            timezone=UTC,
        )
        self._scheduler.add_job(
            job, trigger, id=series_id, max_instances=1, coalesce=True,
            misfire_grace_time=self._grace, replace_existing=True,
        )

    def start(self) -> None:
        self._scheduler.start()
        self._mark = (self._wall(), self._monotonic())
        self._watch()

    def _watch(self) -> None:
        self.follow_clock()
        self._timer = asyncio.get_running_loop().call_later(CLOCK_CHECK_EVERY, self._watch)

    def follow_clock(self) -> Seconds:
        """Re-plan every job when the wall clock jumped; the jump in seconds, else 0."""
        wall, monotonic = self._wall(), self._monotonic()
        jump = (wall - self._mark[0]) - (monotonic - self._mark[1])
        self._mark = (wall, monotonic)
        if abs(jump) < CLOCK_STEP:
            return 0.0
        _log.warning("the wall clock jumped %+.1f s: the probe schedule moves with it", jump)
        self._anchor += jump
        running = self._scheduler.state == STATE_RUNNING
        if running:
            self._scheduler.pause()  # no wakeup per job: one when resumed
        for series_id, (job, offset) in self._jobs.items():
            self.add(series_id, job, offset=offset)
        if running:
            self._scheduler.resume()
        return jump

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def pause(self) -> None:
        """Start no new runs (runs already going carry on)."""
        if self._scheduler.running:
            self._scheduler.pause()

    def shutdown(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)


def jitter_delay(jitter: Seconds, rng: random.Random) -> Seconds:
    """A fresh random wait before one run: spreads load, never shifts the schedule."""
    return rng.uniform(0.0, jitter) if jitter > 0 else 0.0
