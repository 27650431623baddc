"""What the agent and the CLI know about a store: the ``Store`` protocol and its nouns.

A store keeps probe results durably and compactly. Consecutive evidence probes of one
``(account, region)`` with the same outcome form a ``Segment``; every failed probe is
also kept in full (step, error, durations, diagnostic files) as claim evidence, and
non-evidence failures (``auth_rejected``, ``internal``) are kept apart, as SLA_RULES
"Input" treats them as no probe at all. Reading segments and failures back and folding
them reproduces R1 exactly (``Store.builders``), which is how a restarted agent resumes
an open outage.

Exceptions::

    StoreError      cannot open, read or write the store (disk full included); one line
                    naming the database, never a password
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from probe.model import (
    Instant,
    MaintenanceKind,
    MaintenanceWindow,
    ProbeResult,
    RegionTimeline,
    Seconds,
)
from probe.sla.maintenance import window_problem
from probe.sla.timeline import TimelineBuilder


class StoreError(Exception):
    """The store cannot be opened, read or written; the message is one line."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    """A run of consecutive evidence probes of one series with the same outcome.

    A segment breaks wherever two probes are more than the store's break gap apart
    (``min(2 × interval, max_gap)``), so no gap inside a segment is an R1 evidence gap.
    ``max_step`` is the largest gap between neighbouring probes inside it (0 for one
    probe): the proof, checked on reading, that the segment can be folded exactly.
    ``prev_ts`` is the instant of the probe before ``last_ts`` when it is known (always,
    for a segment grown in time order): a failure arriving later at ``last_ts`` then
    shortens the segment exactly (``_runs``).
    """

    first_ts: Instant
    last_ts: Instant
    probes: int
    ok: bool
    max_step: Seconds = 0.0
    prev_ts: Instant | None = None

    def contains(self, ts: Instant) -> bool:
        return self.first_ts <= ts <= self.last_ts


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesRows:
    """Everything stored about one ``(account, region)``, in time order: what a store
    is made of, and what ``copy-store`` moves from one store to another."""

    account: str
    region: str
    segments: list[Segment]
    failures: list[ProbeResult]
    """Every failed evidence probe, in full (durations and diagnostic files only when
    asked for)."""
    ignored: list[ProbeResult]
    """Non-evidence failures (``auth_rejected``, ``internal``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredWindow:
    """R3: a maintenance window declared through the agent (its API or an importer)."""

    id: str
    kind: MaintenanceKind
    accounts: frozenset[str] | None
    """Account names; ``None`` means every account (``"*"``)."""
    start: Instant
    end: Instant
    name: str
    created_at: Instant
    source: str
    """Who declared it, e.g. ``api``."""

    def __post_init__(self) -> None:
        problem = window_problem(kind=self.kind, accounts=self.accounts, start=self.start,
                                 end=self.end)
        if problem is not None:
            raise ValueError(f"{problem[1]} (window {self.id!r})")
        if not self.id or not self.source:
            raise ValueError(f"id and source must be non-empty, got {self.id!r}, {self.source!r}")

    @classmethod
    def declare(
        cls,
        *,
        kind: MaintenanceKind,
        accounts: frozenset[str] | None,
        start: Instant,
        end: Instant,
        created_at: Instant,
        name: str = "",
        source: str = "api",
    ) -> StoredWindow:
        """A new window with a fresh random id (what the maintenance API creates)."""
        return cls(
            id=uuid.uuid4().hex, kind=kind, accounts=accounts, start=start, end=end,
            name=name, created_at=created_at, source=source,
        )

    def to_window(self) -> MaintenanceWindow:
        """The engine's view of this window (R3)."""
        return MaintenanceWindow(
            kind=self.kind, accounts=self.accounts, name=self.name, start=self.start, end=self.end
        )


class WindowStore(Protocol):
    """The maintenance windows of a store: all that the maintenance API and the
    importers need (any ``Store`` is one)."""

    def add_window(self, window: StoredWindow) -> None: ...

    def windows(self) -> list[StoredWindow]: ...

    def delete_window(self, window_id: str) -> bool: ...


class Store(Protocol):
    """Durable probe results and maintenance windows; every call is blocking.

    The agent calls a store from one worker thread at a time or several
    (``asyncio.to_thread``); implementations say how they stay safe for that.
    """

    def migrate(self) -> list[int]:
        """Apply the schema migrations not applied yet; returns the versions applied now."""
        ...

    def write(self, results: Sequence[ProbeResult]) -> None:
        """Store ``results`` in one transaction: all of them or none.

        Idempotent: a probe ``(account, region, ts)`` written twice is stored once, and
        results with the same ``(account, region, ts)`` merge as SLA_RULES "Input" says.
        """
        ...

    def builders(
        self, *, max_gap: Seconds, accounts: Collection[str] | None = None
    ) -> dict[tuple[str, str], TimelineBuilder]:
        """R1 builders of every series, fed with everything stored: an agent resumes them."""
        ...

    def timelines(
        self, *, max_gap: Seconds, accounts: Collection[str] | None = None
    ) -> list[RegionTimeline]:
        """R1 timelines of every series, equal to ``region_timeline`` over the probes."""
        ...

    def segments(self, account: str, region: str) -> list[Segment]:
        """The segments of one series, in time order."""
        ...

    def results(
        self, *, since: Instant | None = None, until: Instant | None = None
    ) -> Iterator[ProbeResult]:
        """Stored probes with ``since <= ts < until``, grouped by series, in time order."""
        ...

    def series(self) -> list[tuple[str, str]]:
        """Every ``(account, region)`` with anything stored, by account and region."""
        ...

    def dump(self) -> Iterator[SeriesRows]:
        """Every series' rows with durations, series by series (copying a store)."""
        ...

    def load(self, found: Sequence[SeriesRows]) -> None:
        """Insert rows taken from another store, as they are, in one transaction.

        For copying into a store that holds none of these series: rows of a series
        already here are refused (``StoreError``), never merged; merging goes
        through ``write``.
        """
        ...

    def add_window(self, window: StoredWindow) -> None:
        """Keep a maintenance window; ``StoreError`` if its id is taken."""
        ...

    def windows(self) -> list[StoredWindow]:
        """Every stored maintenance window, by start."""
        ...

    def delete_window(self, window_id: str) -> bool:
        """Forget a maintenance window; false when there was none with that id."""
        ...

    def integrity_check(self) -> list[str]:
        """Problems found in the database and in the store's invariants; empty when sound."""
        ...

    def close(self) -> None:
        """Release the database; committed data stays."""
        ...
