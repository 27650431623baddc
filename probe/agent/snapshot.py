"""What the exporter, the status page and the readiness check read: one frozen picture.

The agent refreshes a ``Snapshot`` after probes (at most every few seconds), off the
event loop; readers only ever swap in the newest one. A scrape therefore never runs the
SLA engine or touches the database, and never sees half an update.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from dataclasses import dataclass, field

from probe.model import Instant, MaintenanceWindow, Period, Seconds, Span
from probe.sla.days import DayFigures
from probe.sla.report import AccountFigures, AppliedMaintenance

DAYS = 90
"""Calendar days in each account's day bar (the status page and ``/api/v1/status``)."""
RECENT: Seconds = 24 * 3600.0
"""The stretch of each region's timeline on the account page: the last 24 hours."""


def recent_period(now: Instant) -> Period:
    """The last ``RECENT`` seconds up to ``now``: the account page's timeline."""
    return Period(label="24h", start=now - RECENT, end=now, as_of=now)

DURATION_BUCKETS: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0)
"""Upper bounds (seconds) of ``lifesize_probe_duration_seconds``: a sign-in takes a
fraction of a second to several seconds, a probe may run up to its 30 s timeout."""

LATENESS_BUCKETS: tuple[float, ...] = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0
)
"""Upper bounds (seconds) of ``lifesize_probe_scheduler_lateness_seconds``: fine enough to
place APScheduler's own ~2.5 ms, and reaching the 30 s after which a run is skipped."""



@dataclass(frozen=True, slots=True, kw_only=True)
class Histogram:
    """A cumulative histogram as Prometheus exposes it."""

    buckets: tuple[float, ...]
    counts: tuple[int, ...]
    """Cumulative count per bucket, same length as ``buckets`` (``+Inf`` is ``count``)."""
    count: int = 0
    sum: Seconds = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class LastProbe:
    """The most recent finished probe of one account-region."""

    ts: Instant
    ok: bool
    step: str | None
    error: str | None
    durations: Mapping[str, Seconds]


@dataclass(frozen=True, slots=True, kw_only=True)
class RegionState:
    """One account-region as this agent sees it.

    The source of ``lifesize_probe_*`` and ``lifesize_account_down``.
    """

    account: str
    region: str
    last: LastProbe | None
    runs_total: int
    skipped_runs_total: int
    failures_total: Mapping[tuple[str, str], int]
    """Failed probes by ``(step, error)``, non-evidence classes included."""
    durations: Mapping[str, Histogram]
    """By step: ``login``, ``call``, ``total``."""
    down: bool
    """Inside a down interval now (R1, this region only)."""
    down_since: Instant | None
    coverage: Mapping[str, float]
    """Coverage ratio by window label (``month``, ``30d``)."""
    recent_down: tuple[Span, ...] = ()
    """R1: this region's down intervals in the last ``RECENT`` seconds (the account page)."""
    recent_gaps: tuple[Span, ...] = ()
    """R1: its evidence gaps in the same stretch."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountState:
    """One account's contractual figures (``lifesize_sla_*``) and what is going on now."""

    account: str
    figures: Mapping[str, AccountFigures]
    """By window label: ``month`` (month to date in sla.timezone) and ``30d``."""
    maintenance_active: bool
    active_windows: tuple[MaintenanceWindow, ...] = ()
    down: bool = False
    """Down now at the account level: a quorum of its regions (R2), outside maintenance."""
    days: tuple[DayFigures, ...] = ()
    """The last ``DAYS`` calendar days in sla.timezone, oldest first (the day bar)."""
    recent_maintenance: tuple[AppliedMaintenance, ...] = ()
    """R3: maintenance covering the account in the last ``RECENT`` seconds."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """Everything readers need, as of ``generated_at``."""

    generated_at: Instant
    version: str
    objective: float
    regions: tuple[RegionState, ...] = ()
    accounts: tuple[AccountState, ...] = ()
    lateness: Histogram = field(
        default_factory=lambda: Histogram(
            buckets=LATENESS_BUCKETS, counts=(0,) * len(LATENESS_BUCKETS)
        )
    )
    store_errors_total: int = 0
    last_store_error: str | None = None
    scheduler_running: bool = False
    store_writable: bool = True
    last_probe_at: Instant | None = None
    interval: Seconds = 60.0
    exposition: bytes = b""
    """``/metrics`` rendered once per snapshot (rendering per scrape is too slow at scale);
    empty when only ``exposition_gzip`` is kept (the probing agent: Prometheus asks for
    gzip, and at 10,000 series the plain copy is 53 MB)."""
    exposition_gzip: bytes = b""  # ``exposition`` gzipped, for scrapers accepting gzip

    def plain_exposition(self) -> bytes:
        """The exposition as text: ``exposition``, or ``exposition_gzip`` unpacked (CPU
        and memory for a moment; call it off the event loop)."""
        if self.exposition or not self.exposition_gzip:
            return self.exposition
        return gzip.decompress(self.exposition_gzip)

    def account_view(self, name: str) -> tuple[AccountState | None, list[RegionState]]:
        """One account's state (``None`` before its first figures) and its regions by
        name; both empty for an account this snapshot does not know."""
        account = next((a for a in self.accounts if a.account == name), None)
        regions = sorted((r for r in self.regions if r.account == name),
                         key=lambda r: r.region)
        return account, regions

    def ready(self, now: Instant) -> tuple[bool, str]:
        """``/readyz``: store writable, scheduler running, a probe within 2 intervals."""
        if not self.store_writable:
            return False, f"store not writable: {self.last_store_error or 'unknown error'}"
        if not self.scheduler_running:
            return False, "scheduler not running"
        if self.last_probe_at is None or now - self.last_probe_at > 2 * self.interval:
            return False, "no probe finished within 2 intervals"
        return True, "ok"
