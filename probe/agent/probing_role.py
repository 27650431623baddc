"""The agent: probes on a schedule, results into the store, a snapshot for readers.

Data flows one way: flow → ``ProbeResult`` → series state and store → SLA engine →
snapshot → exporter and web. Everything blocking (the store, the engine, rendering the
exposition) runs in worker threads; the event loop only schedules, probes and copies.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from probe import __version__
from probe.agent.exporter import gzipped_exposition_for
from probe.agent.refresh import SeriesCopy, build_snapshot, capture
from probe.agent.scheduler import Job, ProbeScheduler, jitter_delay, lateness, offsets, slot
from probe.agent.snapshot import Snapshot
from probe.agent.state import AgentCounters, SeriesState
from probe.agent.waiting import refresh_pause, until
from probe.config import Account, Settings, User
from probe.flows import Flow
from probe.model import MaintenanceWindow, ProbeResult
from probe.sla.days import DayBars
from probe.sla.timeline import TimelineBuilder
from probe.store import Store, StoreError

_log = logging.getLogger(__name__)

REFRESH_EVERY = 2.0
"""Seconds between snapshot refreshes, at most (only when something changed)."""
WRITE_EVERY = 0.5
"""Seconds between store writes: probes finishing together go in one transaction."""
CAPTURE_BATCH = 200
"""Series copied for a refresh between two turns of the event loop."""
WINDOWS_WAIT = 1.0
"""Seconds a refresh waits for the stored maintenance windows (see ``_windows``)."""
MAX_BUFFERED = 100_000
"""Results kept in memory while the store refuses writes; older ones are dropped."""


@dataclass(slots=True)
class Series:
    """One scheduled (account, region) and the users it takes turns with."""

    account: Account
    state: SeriesState
    users: Iterator[User]
    offset: float

    @property
    def id(self) -> str:
        return f"{self.state.account}/{self.state.region}"


class Agent:
    """Runs until ``stop`` is set; every dependency is passed in."""

    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        flow: Flow,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.settings, self.store, self.flow, self.clock = settings, store, flow, clock
        self.policy = settings.policy()
        self.interval = settings.agent.interval
        self.counters = AgentCounters()
        self.snapshot = Snapshot(generated_at=clock(), version=__version__,
                                 objective=self.policy.objective, interval=self.interval)
        self._rng = rng or random.Random()
        self._limit = asyncio.Semaphore(settings.agent.concurrency)
        self._buffer: list[ProbeResult] = []
        self._dirty = asyncio.Event()
        self._inflight: set[asyncio.Task[None]] = set()
        self._stored_windows: tuple[MaintenanceWindow, ...] = ()
        self._windows_read: asyncio.Task[None] | None = None
        self.series: dict[str, Series] = {}
        self.scheduler = ProbeScheduler(interval=self.interval, anchor=clock(), wall=clock)
        self._copies: dict[str, tuple[int, SeriesCopy]] = {}
        self._refresh_cost = 0.0
        self._day_bars = DayBars()

    @property
    def series_count(self) -> int:
        return len(self.series)

    async def resume(self) -> None:
        """Rebuild every series' R1 state from the store, so an open outage carries on."""
        builders = await asyncio.to_thread(self.store.builders, max_gap=self.policy.max_gap)
        mine = probed_accounts(self.settings)
        spread = offsets(len(mine), self.interval)
        region = self.settings.agent.region
        for account, offset in zip(mine, spread, strict=True):
            builder = builders.get((account.name, region)) or TimelineBuilder(
                account.name, region, max_gap=self.policy.max_gap
            )
            state = SeriesState(account.name, region, builder)
            series = Series(account, state, itertools.cycle(account.users), offset)
            self.series[series.id] = series

    def start(self) -> None:
        """Schedule every series (inside the running loop)."""
        for series in self.series.values():
            self.scheduler.add(series.id, self._job(series), offset=series.offset)
        self.scheduler.start()
        self._dirty.set()

    def _job(self, series: Series) -> Job:
        async def run() -> None:
            task = asyncio.current_task()
            assert task is not None
            self._inflight.add(task)
            try:
                await self._probe(series)
            finally:
                self._inflight.discard(task)
        return run

    async def _probe(self, series: Series) -> None:
        started, anchor = self.clock(), self.scheduler.anchor
        self.counters.lateness.observe(lateness(started, anchor, series.offset, self.interval))
        series.state.started(slot(started, anchor, series.offset, self.interval))
        await asyncio.sleep(jitter_delay(self.settings.agent.jitter, self._rng))
        async with self._limit:
            result = await self._run_flow(series)
        self.record(series, result)

    async def _run_flow(self, series: Series) -> ProbeResult:
        try:
            return await self.flow.run(series.account, next(series.users))
        except Exception:  # the flow classes every failure; this is a bug in it
            _log.exception("probe of %s failed unexpectedly", series.id)
            return ProbeResult(
                ts=self.clock(),
                account=series.state.account,
                region=series.state.region,
                ok=False,
                step="login",
                error="internal",
            )

    def record(self, series: Series, result: ProbeResult) -> None:
        """A finished probe: counted, folded into the timeline, queued for the store."""
        series.state.record(result)
        self.counters.last_probe_at = self.clock()
        self._buffer.append(result)
        if len(self._buffer) > MAX_BUFFERED:
            dropped = len(self._buffer) - MAX_BUFFERED
            del self._buffer[:dropped]
            _log.error("store unwritable: dropped the %d oldest unsaved results", dropped)
        self._dirty.set()

    async def flush(self) -> bool:
        """Write buffered results in one transaction; false (and kept) when the store fails."""
        if not self._buffer:
            return True
        batch, self._buffer = self._buffer, []
        try:
            await asyncio.to_thread(self.store.write, batch)
        except StoreError as exc:
            self._buffer[:0] = batch
            self._store_failed(exc)
            return False
        self.counters.store_writable = True
        return True

    def _store_failed(self, exc: StoreError) -> None:
        if self.counters.store_failed(str(exc)):
            _log.error("store error: %s (probing goes on; results are kept in memory)", exc)
        self._dirty.set()

    async def writer(self, stop: asyncio.Event) -> None:
        """Flush every ``WRITE_EVERY`` seconds until ``stop``."""
        while not stop.is_set():
            await until(stop, timeout=WRITE_EVERY)
            await self.flush()

    async def refresher(self, stop: asyncio.Event) -> None:
        """Rebuild the snapshot when something changed.

        At most every ``REFRESH_EVERY`` seconds, slower when refreshes cost more than
        ``refresh_pause`` allows: at 10,000 series a refresh costs a second of CPU, and
        probes come first.
        """
        while not stop.is_set():
            await until(self._dirty, timeout=REFRESH_EVERY)
            if self._dirty.is_set():
                self._dirty.clear()
                await self.refresh()
            await until(stop, timeout=refresh_pause(self._refresh_cost, every=REFRESH_EVERY))

    async def _capture(self) -> list[SeriesCopy]:
        """Copies of every series, reusing those of series unchanged since the last time.

        Series state lives on the loop, so it is copied there, ``CAPTURE_BATCH`` changed
        series at a time with probes and scrapes let in between (at 10,000 series a
        refresh copies ~1,000, which in one go held the loop for ~0.1 s). Each copy is
        consistent; copies of different series may be milliseconds apart.
        """
        copies, copied = [], 0
        for series_id, series in list(self.series.items()):
            cached = self._copies.get(series_id)
            if cached is None or cached[0] != series.state.version:
                cached = self._copies[series_id] = (series.state.version,
                                                    capture([series.state])[0])
                copied += 1
                if copied % CAPTURE_BATCH == 0:
                    await asyncio.sleep(0)
            copies.append(cached[1])
        return copies

    async def refresh(self) -> None:
        """Copy on the loop, compute and render in a thread, then swap."""
        copies = await self._capture()
        windows = await self._windows()
        counters, lateness_now = replace(self.counters), self.counters.lateness.frozen()
        began = time.perf_counter()
        snapshot = await asyncio.to_thread(
            build_snapshot, copies, counters, lateness=lateness_now,
            policy=self.policy, maintenance=windows,
            regions=self.settings.account_regions(), now=self.clock(), version=__version__,
            interval=self.interval, scheduler_running=self.scheduler.running,
            day_bars=self._day_bars,
        )
        compressed = await asyncio.to_thread(
            gzipped_exposition_for, snapshot, self.settings.agent.role)
        self._refresh_cost = time.perf_counter() - began
        self.snapshot = replace(snapshot, exposition_gzip=compressed)

    def request_refresh(self) -> None:
        self._dirty.set()

    async def _windows(self) -> Sequence[MaintenanceWindow]:
        """Configured maintenance plus the windows declared at run time (R3).

        Stored windows are read by one task at a time; a refresh waits ``WINDOWS_WAIT``
        for it, then goes on with the windows read last: a store locked by another
        process must not freeze ``/metrics`` and ``/readyz`` (the read lands later)."""
        if self._windows_read is None or self._windows_read.done():
            self._windows_read = asyncio.create_task(self._read_windows())
        await asyncio.wait({self._windows_read}, timeout=WINDOWS_WAIT)
        return (*self.settings.maintenance_windows(), *self._stored_windows)

    async def _read_windows(self) -> None:
        try:
            stored = await asyncio.to_thread(self.store.windows)
            self._stored_windows = tuple(w.to_window() for w in stored)
        except StoreError as exc:
            self._store_failed(exc)

    async def drain(self, timeout: float) -> None:
        """Stop starting probes, let those in flight finish (bounded), write everything."""
        self.scheduler.pause()
        if self._inflight:
            _, pending = await asyncio.wait(set(self._inflight), timeout=timeout)
            for task in pending:
                task.cancel()
            if pending:
                _log.warning("cancelled %d probes still running at shutdown", len(pending))
        self.scheduler.shutdown()
        if not await self.flush():
            _log.error("%d results could not be stored at shutdown", len(self._buffer))

    async def aclose(self) -> None:
        """Close the flow: the browser flow's Chromium and its Playwright driver."""
        await self.flow.aclose()


def probed_accounts(settings: Settings) -> list[Account]:
    """Accounts this agent probes: those listing its region, or listing none; with users."""
    region = settings.agent.region
    return [
        account for account in settings.accounts
        if account.users and (not account.regions or region in account.regions)
    ]

