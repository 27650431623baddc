"""``agent.role: sla``: the account-level view of every region, from the shared store.

Agents in several regions (``role: region``) write to one database; one agent with
``role: sla`` probes nothing. Every ``agent.interval`` (and at once after a
maintenance window is declared through its API) it reads every region's timelines
and the stored maintenance from the database and builds the same snapshot a probing
agent builds (``refresh.build_snapshot``: quorum R2, maintenance R3, the five-minute
rule R4–R6, coverage), and exports the families of ``exporter.exposition_for``.

A region whose agent stopped writing is an evidence gap (R1), neither up nor down:
its timeline ends at its last probe, its coverage falls as the window goes on, and an
outage it had open is closed at its last failure once ``max_gap`` has passed
(``close_stale``). Quorum then counts it as not down.

``SlaAgent`` keeps the ``role.Role`` interface that ``main`` drives, so both roles
share the web side, the pacing of refreshes and the shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from types import MappingProxyType

from probe import __version__
from probe.agent.exporter import exposition_for
from probe.agent.refresh import SeriesCopy, build_snapshot
from probe.agent.snapshot import LATENESS_BUCKETS, Histogram, LastProbe, Snapshot
from probe.agent.state import AgentCounters
from probe.agent.waiting import refresh_pause, until
from probe.config import Settings
from probe.model import Instant, MaintenanceWindow, RegionTimeline, Seconds
from probe.sla.days import DayBars
from probe.store import Store, StoreError

_log = logging.getLogger(__name__)

_NO_LATENESS = Histogram(buckets=LATENESS_BUCKETS, counts=(0,) * len(LATENESS_BUCKETS))


class SlaAgent:
    """Reads the shared store and publishes account-level snapshots; probes nothing."""

    def __init__(
        self, *, settings: Settings, store: Store, clock: Callable[[], float] = time.time
    ) -> None:
        self.settings, self.store, self.clock = settings, store, clock
        self.policy = settings.policy()
        self.interval = settings.agent.interval
        self.counters = AgentCounters()
        self.snapshot = Snapshot(generated_at=clock(), version=__version__,
                                 objective=self.policy.objective, interval=self.interval)
        self._dirty = asyncio.Event()
        self._running = False
        self._refresh_cost = 0.0
        self._day_bars = DayBars()

    @property
    def series_count(self) -> int:
        """Probes none: the regional agents do."""
        return 0

    async def resume(self) -> None:
        """A first snapshot before the web side starts."""
        await self.refresh()

    def start(self) -> None:
        self._running = True

    async def writer(self, stop: asyncio.Event) -> None:
        """Nothing to write: the regional agents write, this one reads."""
        await stop.wait()

    async def refresher(self, stop: asyncio.Event) -> None:
        """Refresh every ``interval`` (slower when ``refresh_pause`` says so), or at once
        when ``request_refresh`` was called, until ``stop``."""
        while not stop.is_set():
            await self.refresh()
            await until(stop, self._dirty,
                        timeout=refresh_pause(self._refresh_cost, every=self.interval))
            self._dirty.clear()

    def request_refresh(self) -> None:
        self._dirty.set()

    async def drain(self, timeout: float) -> None:
        """Nothing in flight to wait for."""
        self._running = False

    async def aclose(self) -> None:
        """Nothing held beyond the store."""

    async def refresh(self) -> None:
        """Read the store, build and render the snapshot off the loop, swap it in.

        Only the build counts as the refresh's cost: reading a busy database is waiting.
        """
        try:
            timelines = await asyncio.to_thread(
                self.store.timelines, max_gap=self.policy.max_gap,
                accounts=[a.name for a in self.settings.accounts] or None)
            stored = await asyncio.to_thread(self.store.windows)
        except StoreError as exc:
            self._store_failed(exc)
            return
        self.counters.store_writable = True
        windows = (*self.settings.maintenance_windows(), *(w.to_window() for w in stored))
        began = time.perf_counter()
        self.snapshot = await asyncio.to_thread(self._build, timelines, windows, self.clock())
        self._refresh_cost = time.perf_counter() - began

    def _build(self, timelines: Sequence[RegionTimeline],
               windows: Sequence[MaintenanceWindow], now: Instant) -> Snapshot:
        closed = [close_stale(t, now, self.policy.max_gap) for t in timelines]
        snapshot = build_snapshot(
            [_copy(t) for t in closed], replace(self.counters), lateness=_NO_LATENESS,
            policy=self.policy, maintenance=windows,
            regions=self.settings.account_regions(), now=now, version=__version__,
            interval=self.interval, scheduler_running=self._running, day_bars=self._day_bars)
        newest = max((last_evidence(t) or 0.0 for t in timelines), default=0.0)
        snapshot = replace(snapshot, last_probe_at=newest or None)
        exposition, compressed = exposition_for(snapshot, "sla")
        return replace(snapshot, exposition=exposition, exposition_gzip=compressed)

    def _store_failed(self, exc: StoreError) -> None:
        """Keep the last figures, say the store is unreadable (``/readyz``, the counter)."""
        if self.counters.store_failed(str(exc)):
            _log.error("store error: %s (the figures shown are the last read)", exc)
        snapshot = replace(self.snapshot, store_writable=False, last_store_error=str(exc),
                           store_errors_total=self.counters.store_errors)
        exposition, compressed = exposition_for(snapshot, "sla")
        self.snapshot = replace(snapshot, exposition=exposition, exposition_gzip=compressed)


def last_evidence(timeline: RegionTimeline) -> Instant | None:
    """The latest probe R1 saw in a timeline (the end of its covered time or of its
    latest down interval), or ``None``."""
    ends = [timeline.covered[-1].end] if timeline.covered else []
    ends += [timeline.down[-1].end] if timeline.down else []
    return max(ends, default=None)


def close_stale(timeline: RegionTimeline, now: Instant, max_gap: Seconds) -> RegionTimeline:
    """R1 as of ``now``: more than ``max_gap`` without a probe is an evidence gap, so an
    outage still open at the last probe is closed there, not carried on by a dead agent.
    """
    last = last_evidence(timeline)
    if not timeline.down or not timeline.down[-1].open or last is None or now - last <= max_gap:
        return timeline
    down = (*timeline.down[:-1], replace(timeline.down[-1], open=False))
    return replace(timeline, down=down)


def _copy(timeline: RegionTimeline) -> SeriesCopy:
    """A timeline read from the store in the shape ``build_snapshot`` takes; no counters
    (the regional agents export those), the last probe as far as R1 knows it."""
    return SeriesCopy(timeline=timeline, last=_last_probe(timeline), runs=0, skipped=0,
                      failures=MappingProxyType({}), durations=MappingProxyType({}))


def _last_probe(timeline: RegionTimeline) -> LastProbe | None:
    last = last_evidence(timeline)
    if last is None:
        return None
    failures = timeline.down[-1].failures if timeline.down else ()
    failed = failures[-1] if failures and failures[-1].ts == last else None
    if failed is None:
        return LastProbe(ts=last, ok=True, step=None, error=None, durations=MappingProxyType({}))
    return LastProbe(
        ts=last, ok=False, step=failed.step, error=failed.error, durations=MappingProxyType({})
    )
