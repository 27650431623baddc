"""The nouns of lifesize-probe, as frozen dataclasses.

Every instant in the core is an ``Instant``: seconds since the Unix epoch, UTC, as a
float. Converting to ``datetime`` happens only at the edges (config, rendering), so the
SLA engine does plain arithmetic and never meets a naive datetime or a DST fold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

Instant = float
"""Seconds since the Unix epoch, UTC."""

Seconds = float

NON_EVIDENCE_ERRORS: frozenset[str] = frozenset({"auth_rejected", "internal"})
"""Failure classes that say nothing about the service (SLA_RULES, "Input").

``auth_rejected``: the test account's credentials were refused; ``internal``: a bug in
the probe. Such results are treated as no probe at all and reported separately.
"""

MaintenanceKind = Literal["scheduled", "emergency", "customer_request"]
MAINTENANCE_KINDS: tuple[MaintenanceKind, ...] = ("scheduled", "emergency", "customer_request")

@dataclass(frozen=True, slots=True, kw_only=True)
class DiagnosticFile:
    """A file a failed probe left as evidence: a screenshot, a trace, a console log.

    ``path`` is relative to the diagnostics directory, ``/``-separated, so that a store
    and its directory can move together; ``sha256`` lets a claim's reader check it.
    """

    kind: str
    """``screenshot``, ``trace``, ``console`` or ``webrtc``."""
    path: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbeResult:
    """One probe: did a test account log in and set up a call at ``ts``?

    ``ok`` is true only when login and call setup both succeeded; otherwise ``step``
    names the step that failed and ``error`` its class (``reason`` in metrics).
    """

    ts: Instant
    account: str
    region: str
    ok: bool
    step: str | None = None
    error: str | None = None
    durations: Mapping[str, Seconds] = field(default_factory=dict, compare=False)
    """Seconds spent in each step (``login``, ``call``, ``total``)."""
    diagnostics: tuple[DiagnosticFile, ...] = field(default=(), compare=False)
    """What a failed browser probe left in the diagnostics directory (empty otherwise)."""

    @property
    def is_evidence(self) -> bool:
        """False for failures that blame the probe, not the service."""
        return self.ok or self.error not in NON_EVIDENCE_ERRORS


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open stretch of time ``[start, end)``."""

    start: Instant
    end: Instant

    @property
    def seconds(self) -> Seconds:
        return self.end - self.start


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    """A failed probe kept as evidence of an outage."""

    ts: Instant
    region: str
    step: str | None
    error: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DownInterval:
    """R1: one region's stretch of failed probes, ``[start, end]``.

    ``open`` marks an interval still running at the end of the data: it ends, for now,
    at its last failed probe.
    """

    region: str
    start: Instant
    end: Instant
    open: bool
    failures: tuple[Failure, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RegionTimeline:
    """R1 for one ``(account, region)``: down intervals and covered time."""

    account: str
    region: str
    down: tuple[DownInterval, ...]
    covered: tuple[Span, ...]
    probes: int
    ignored: Mapping[str, Sequence[Instant]]
    """When non-evidence failures happened, sorted, by error class (``auth_rejected``,
    ``internal``): reported separately, never as downtime."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Outage:
    """An account-level down piece after quorum (R2) and maintenance (R3).

    ``counted`` is the five-minute rule's verdict (R4) on the whole piece, decided before
    any split by month (R5).
    """

    account: str
    start: Instant
    end: Instant
    open: bool
    counted: bool
    regions: tuple[str, ...]
    failures: tuple[Failure, ...]

    @property
    def seconds(self) -> Seconds:
        return self.end - self.start


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """The stretch of time a set of figures is about: a calendar month, the month to
    date, the trailing 30 days.

    Inside the code it is a period, so that "window" always means a maintenance window;
    where it is public it keeps its old name: the metrics label ``window`` and the
    ``window`` key of the report's JSON (the ``window`` field of the figures).

    ``[start, end)`` is the period whose length is the denominator of availability and
    error budget; ``as_of`` (at most ``end``) is how far the data can reach, so that the
    coverage of a month still running is measured over the part that has passed.
    """

    label: str
    start: Instant
    end: Instant
    as_of: Instant

    @property
    def seconds(self) -> Seconds:
        return self.end - self.start

    @property
    def elapsed(self) -> Seconds:
        return max(0.0, min(self.as_of, self.end) - self.start)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditTier:
    """A month under ``below`` availability earns ``percent`` service credit."""

    below: float
    percent: float


@dataclass(frozen=True, slots=True, kw_only=True)
class MaintenanceWindow:
    """R3: time excluded from unavailable time, for some or all accounts.

    Either one-off (``start``/``end``) or recurring (a cron expression ``every`` with a
    ``duration``, evaluated in ``timezone``).
    """

    kind: MaintenanceKind
    accounts: frozenset[str] | None
    """Account names this window applies to; ``None`` means every account (``"*"``)."""
    name: str = ""
    start: Instant | None = None
    end: Instant | None = None
    every: str | None = None
    duration: Seconds | None = None
    timezone: str = "UTC"

    def applies_to(self, account: str) -> bool:
        return self.accounts is None or account in self.accounts


@dataclass(frozen=True, slots=True, kw_only=True)
class SlaPolicy:
    """The ``sla:`` settings with the defaults of SLA_RULES.md."""

    objective: float = 0.999
    min_outage: Seconds = 300.0
    timezone: str = "UTC"
    quorum: str | int = "majority"
    max_gap: Seconds = 300.0
    credits: tuple[CreditTier, ...] | None = None
    """``None``: no tiers configured (credit shown as null, never invented)."""
    claim_within: Seconds = 30 * 86400.0
