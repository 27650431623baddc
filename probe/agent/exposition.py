"""The text exposition (format 0.0.4) of a ``Snapshot``, written directly, and gzipped.

prometheus-client's ``generate_latest`` builds a ``Sample`` with a labels dict for every
line, then sorts and escapes that dict again per line: at 10,000 account-regions that is
570,000 lines and seconds of CPU. Here each label value is escaped once per series,
bucket bounds are formatted once per bucket layout, and values go through the same
``floatToGoString`` prometheus-client uses, so the bytes are identical to what
``generate_latest`` writes for ``exporter.SnapshotCollector`` (the reference; the tests
compare both on hand-built and generated snapshots).

Identical means prometheus-client's quirks too: counters are named ``<name>_total`` in
HELP, TYPE and samples, with no ``_created``; labels of a line are sorted by name (so
``le`` sits between ``account`` and ``region``); bounds are ``repr(float)`` (``1.0``).
"""

from __future__ import annotations

import gzip
import itertools
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping

from prometheus_client.utils import floatToGoString

from probe.agent.snapshot import DURATION_BUCKETS, Histogram, RegionState, Snapshot
from probe.sla.report import AccountFigures

__all__ = ["CHUNK_LINES", "GZIP_LEVEL", "HELP", "STEPS", "Wanted", "chunks", "families",
           "gzip_exposition", "render", "render_gzip"]

STEPS: tuple[str, ...] = ("login", "call", "total")
"""Steps whose duration histograms always exist, so ``rate()`` sees them from the start."""

GZIP_LEVEL = 3
"""Measured at 10,000 series (53 MB): levels 1 and 3 both take ~0.06 s of CPU, 3 is 10 %
smaller (2.0 MB); 6 takes 3x longer for 15 % less, 9 11x longer for 23 % less
(``benchmarks/exposition.py``)."""

_WINDOW_HELP = (
    " window=month is the calendar month to date in sla.timezone, window=30d the"
    " trailing 30 days."
)
_COUNTED = (
    " Counted per SLA_RULES: account-level down time (quorum of regions), maintenance"
    " cut out first, then only pieces of at least sla.min_outage (5 minutes by default,"
    " the five-minute rule) count, in full."
)

HELP: Mapping[str, str] = {
    "lifesize_probe_success": "1 if the last probe of this account from this region logged"
    " in and set up a call, 0 if it failed (any reason, auth_rejected and internal included).",
    "lifesize_probe_duration_seconds": "Time spent in each step of a probe: login, call"
    " (set-up until connected) and total.",
    "lifesize_probe_runs": "Probes finished for this account from this region.",
    "lifesize_probe_failures": "Failed probes by failing step and reason (error class);"
    " reason auth_rejected or internal is a problem of the probe, never downtime.",
    "lifesize_probe_last_run_timestamp_seconds": "Start of the last finished probe, Unix time.",
    "lifesize_probe_skipped_runs": "Probes not started because the previous one of this"
    " account and region was still running.",
    "lifesize_account_down": "1 while this region of the account is inside a down interval"
    " (R1: failed probes, until a probe succeeds), else 0. Before quorum and maintenance.",
    "lifesize_account_down_since_timestamp_seconds": "Start of the current down interval of"
    " this region, Unix time; the series exists only while the region is down.",
    "lifesize_maintenance_active": "1 while a maintenance window (config or API) covers the"
    " account: down time now is excluded from unavailable time (R3).",
    "lifesize_sla_unavailable_seconds": "Unavailable time in the window under the SLA."
    + _COUNTED + _WINDOW_HELP,
    "lifesize_sla_availability_ratio": "1 - unavailable / window length (the whole month"
    " for window=month; maintenance does not shorten it)." + _WINDOW_HELP,
    "lifesize_sla_error_budget_remaining_seconds": "(1 - objective) x window length minus"
    " unavailable time; negative when the objective is missed." + _WINDOW_HELP,
    "lifesize_sla_objective_ratio": "The availability the SLA promises per calendar month"
    " (sla.objective, 0.999 by default).",
    "lifesize_sla_observed_down_seconds": "Account-level down time seen in the window before"
    " maintenance and the five-minute rule: unavailable + excluded + short." + _WINDOW_HELP,
    "lifesize_probe_coverage_ratio": "Share of the elapsed window covered by probes of this"
    " region at most sla.max_gap apart (R1)." + _WINDOW_HELP,
    "lifesize_probe_build_info": "Always 1; the version label is the running lifesize-probe.",
    "lifesize_probe_interval_seconds": "agent.interval: seconds between two probes of the"
    " same account and region (LifesizeProbeStale fires after 3 without one).",
    "lifesize_probe_scheduler_lateness_seconds": "How late the scheduler started probes"
    " compared with their planned time.",
    "lifesize_probe_store_errors": "Store operations that failed (cannot read or write the"
    " database, disk full included).",
}
"""HELP text of every family, by family name (without ``_total``)."""

_go: Callable[[float], str] = floatToGoString
"""How prometheus-client spells a value (``+Inf``, ``NaN``, ``1e+22``); untyped there."""
_EMPTY_DURATIONS = Histogram(DURATION_BUCKETS, (0,) * len(DURATION_BUCKETS))
_Series = tuple[RegionState, str, str]
"""A region state with its account and region already escaped as label values."""
_Family = tuple[str, Iterable[str]]
"""A family's name (without ``_total``) and its lines, HELP and TYPE first."""
Wanted = Callable[[str], bool] | None
"""Which families to write, by name without ``_total``; ``None`` for all."""
CHUNK_LINES = 8192
"""Lines encoded at once: big enough for ``join`` to be cheap, small enough to not matter."""
_GZIP_WBITS = 31
"""zlib's window bits for a gzip wrapper (16 + 15)."""


def families(snapshot: Snapshot) -> Iterator[_Family]:
    """Every family of ``snapshot`` as (name, lines), in the collector's order.

    The lines are lazy: a family nobody asks for (``render(wanted=...)``) costs nothing.
    """
    series = [(state, _escape(state.account), _escape(state.region))
              for state in snapshot.regions]
    yield from _probe_families(series)
    yield from _state_families(snapshot, series)
    yield from _sla_families(snapshot, series)
    yield from _process_families(snapshot)


def chunks(snapshot: Snapshot, wanted: Wanted = None) -> Iterator[bytes]:
    """The exposition of the families ``wanted`` (by name; all when ``None``), encoded in
    pieces of ``CHUNK_LINES`` lines, so that the whole text never sits in memory as
    ``str`` (at 10,000 series it is 53 MB)."""
    lines = itertools.chain.from_iterable(
        lines for name, lines in families(snapshot) if wanted is None or wanted(name))
    while batch := list(itertools.islice(lines, CHUNK_LINES)):
        yield "".join(batch).encode()


def render(snapshot: Snapshot, wanted: Wanted = None) -> bytes:
    """The exposition of ``snapshot``, byte for byte what ``generate_latest`` writes."""
    return b"".join(chunks(snapshot, wanted))


def render_gzip(snapshot: Snapshot, wanted: Wanted = None) -> bytes:
    """``render`` gzipped as it is written: the plain text never exists whole, which at
    10,000 series keeps ~150 MB of transient copies out of the agent's peak memory."""
    packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
    packed = [packer.compress(chunk) for chunk in chunks(snapshot, wanted)]
    packed.append(packer.flush())
    return b"".join(packed)


def _family(name: str, kind: str, lines: Iterable[str]) -> Iterator[str]:
    """HELP and TYPE of ``name``, then ``lines``."""
    yield _header(name, kind)
    yield from lines


def gzip_exposition(exposition: bytes) -> bytes:
    """``exposition`` gzipped for scrapers that accept it; ``mtime=0`` keeps it reproducible."""
    return gzip.compress(exposition, compresslevel=GZIP_LEVEL, mtime=0)


def _escape(value: str) -> str:
    """A label value as prometheus-client escapes it: backslash, newline, double quote."""
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def _header(name: str, kind: str) -> str:
    """HELP and TYPE; a counter is ``<name>_total`` in both, as prometheus-client names it."""
    exposed = f"{name}_total" if kind == "counter" else name
    text = HELP[name].replace("\\", r"\\").replace("\n", r"\n")
    return f"# HELP {exposed} {text}\n# TYPE {exposed} {kind}\n"


class _Bounds:
    """``le`` strings of each bucket layout, formatted once per layout and render.

    Keyed by identity (histograms share their layout tuple): equal tuples are not
    always alike, ``(0.0,) == (-0.0,)`` but their ``le`` differ.
    """

    def __init__(self) -> None:
        self._known: dict[int, tuple[tuple[float, ...], tuple[str, ...]]] = {}

    def __call__(self, buckets: tuple[float, ...]) -> tuple[str, ...]:
        known = self._known.get(id(buckets))
        if known is None or known[0] is not buckets:
            known = self._known[id(buckets)] = (
                buckets, tuple(repr(float(bound)) for bound in buckets))
        return known[1]


def _histogram(name: str, histogram: Histogram, les: tuple[str, ...], *, head: str,
               tail: str, plain: str) -> Iterator[str]:
    """One histogram series: ``head`` + le + ``tail`` per bucket, ``plain`` for count/sum.

    Like ``HistogramMetricFamily``, no count and sum when the first bound is negative.
    """
    for le, count in zip(les, histogram.counts, strict=True):
        yield f"{name}_bucket{head}{le}{tail} {_go(count)}\n"
    yield f"{name}_bucket{head}+Inf{tail} {_go(histogram.count)}\n"
    if (histogram.buckets[0] if histogram.buckets else float("inf")) >= 0:
        yield f"{name}_count{plain} {_go(histogram.count)}\n"
        yield f"{name}_sum{plain} {_go(histogram.sum)}\n"


def _durations(series: Iterable[_Series]) -> Iterator[str]:
    """``lifesize_probe_duration_seconds``: the three steps always, then others sorted."""
    name = "lifesize_probe_duration_seconds"
    yield _header(name, "histogram")
    bounds = _Bounds()
    for state, account, region in series:
        for step in [*STEPS, *sorted(set(state.durations) - set(STEPS))]:
            histogram = state.durations.get(step, _EMPTY_DURATIONS)
            tail = f'",region="{region}",step="{_escape(step)}"}}'
            plain = f'{{account="{account}",region="{region}",step="{_escape(step)}"}}'
            yield from _histogram(name, histogram, bounds(histogram.buckets),
                                  head=f'{{account="{account}",le="', tail=tail, plain=plain)


def _failures(series: Iterable[_Series]) -> Iterator[str]:
    """``lifesize_probe_failures_total`` by step and reason, sorted as the collector does."""
    name = "lifesize_probe_failures"
    yield _header(name, "counter")
    for state, account, region in series:
        for (step, reason), count in sorted(state.failures_total.items()):
            yield (f'{name}_total{{account="{account}",reason="{_escape(reason)}",'
                   f'region="{region}",step="{_escape(step)}"}} {_go(count)}\n')


def _probe_families(series: list[_Series]) -> Iterator[_Family]:
    """``lifesize_probe_*`` of every account-region, in the collector's order."""
    yield "lifesize_probe_success", _family("lifesize_probe_success", "gauge", (
        f'lifesize_probe_success{{account="{a}",region="{r}"}} {"1.0" if s.last.ok else "0.0"}\n'
        for s, a, r in series if s.last is not None))
    yield "lifesize_probe_duration_seconds", _durations(series)
    yield "lifesize_probe_runs", _family("lifesize_probe_runs", "counter", (
        f'lifesize_probe_runs_total{{account="{a}",region="{r}"}} {_go(s.runs_total)}\n'
        for s, a, r in series))
    yield "lifesize_probe_failures", _failures(series)
    # One name per family: the lines are written later, when each name is read.
    last_run = "lifesize_probe_last_run_timestamp_seconds"
    yield last_run, _family(last_run, "gauge", (
        f'{last_run}{{account="{a}",region="{r}"}} {_go(s.last.ts)}\n'
        for s, a, r in series if s.last is not None))
    skipped = "lifesize_probe_skipped_runs"
    yield skipped, _family(skipped, "counter", (
        f'{skipped}_total{{account="{a}",region="{r}"}} {_go(s.skipped_runs_total)}\n'
        for s, a, r in series))


def _state_families(snapshot: Snapshot, series: list[_Series]) -> Iterator[_Family]:
    """Regions down, since when, maintenance active."""
    yield "lifesize_account_down", _family("lifesize_account_down", "gauge", (
        f'lifesize_account_down{{account="{a}",region="{r}"}} {"1.0" if s.down else "0.0"}\n'
        for s, a, r in series))
    since = "lifesize_account_down_since_timestamp_seconds"
    yield since, _family(since, "gauge", (
        f'{since}{{account="{a}",region="{r}"}} {_go(s.down_since)}\n'
        for s, a, r in series if s.down and s.down_since is not None))
    maintenance = "lifesize_maintenance_active"
    yield maintenance, _family(maintenance, "gauge", (
        f'{maintenance}{{account="{_escape(account.account)}"}}'
        f' {"1.0" if account.maintenance_active else "0.0"}\n'
        for account in snapshot.accounts))


def _sla_families(snapshot: Snapshot, series: list[_Series]) -> Iterator[_Family]:
    """The contractual figures (R6) by account and window, the objective, coverage."""
    windows = [(_escape(account.account), _escape(window), figures)
               for account in snapshot.accounts
               for window, figures in sorted(account.figures.items())]
    yield _by_window("lifesize_sla_unavailable_seconds", "unavailable_seconds", windows)
    yield _by_window("lifesize_sla_availability_ratio", "availability", windows)
    yield _by_window("lifesize_sla_error_budget_remaining_seconds",
                     "error_budget_remaining_seconds", windows)
    yield "lifesize_sla_objective_ratio", _objective(snapshot)
    yield _by_window("lifesize_sla_observed_down_seconds", "observed_down_seconds", windows)
    name = "lifesize_probe_coverage_ratio"
    yield name, _family(name, "gauge", (
        f'{name}{{account="{a}",region="{r}",window="{_escape(window)}"}} {_go(value)}\n'
        for s, a, r in series for window, value in sorted(s.coverage.items())))


def _by_window(name: str, attribute: str,
               windows: list[tuple[str, str, AccountFigures]]) -> _Family:
    """A gauge of every (escaped account, escaped window, figures), from one field."""
    return name, _family(name, "gauge", (
        f'{name}{{account="{a}",window="{w}"}} {_go(getattr(figures, attribute))}\n'
        for a, w, figures in windows))


def _objective(snapshot: Snapshot) -> Iterator[str]:
    """``lifesize_sla_objective_ratio``: one objective, repeated per account."""
    name, objective = "lifesize_sla_objective_ratio", _go(snapshot.objective)
    return _family(name, "gauge", (
        f'{name}{{account="{_escape(account.account)}"}} {objective}\n'
        for account in snapshot.accounts))


def _process_families(snapshot: Snapshot) -> Iterator[_Family]:
    """The agent itself: version, probe interval, scheduler lateness, store errors."""
    name = "lifesize_probe_build_info"
    yield name, _family(name, "gauge", [f'{name}{{version="{_escape(snapshot.version)}"}} 1.0\n'])
    name = "lifesize_probe_interval_seconds"
    yield name, _family(name, "gauge", [f"{name} {_go(snapshot.interval)}\n"])
    name = "lifesize_probe_scheduler_lateness_seconds"
    lateness = snapshot.lateness
    les = tuple(repr(float(bound)) for bound in lateness.buckets)
    yield name, _family(name, "histogram", _histogram(
        name, lateness, les, head='{le="', tail='"}', plain=""))
    name = "lifesize_probe_store_errors"
    yield name, _family(name, "counter", [f"{name}_total {_go(snapshot.store_errors_total)}\n"])
