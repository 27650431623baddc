"""The reference exposition: a prometheus-client custom collector over one ``Snapshot``.

``SnapshotCollector.collect()`` yields fresh metric families built from the snapshot and
nothing else, and ``generate_latest`` turns them into text. That is the slow, obviously
right way (~4 s of CPU at 10,000 series); the agent's exporter (``probe.agent.exporter``)
writes the same bytes directly, and the tests hold the two byte for byte equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.metrics_core import Metric

from probe.agent.metric_families import FAMILIES, STEPS
from probe.agent.snapshot import DURATION_BUCKETS, Histogram, RegionState, Snapshot

__all__ = ["SnapshotCollector", "reference_exposition"]

_SERIES = ["account", "region"]


class SnapshotCollector:
    """A custom collector: metric families of one snapshot, built afresh on each ``collect``."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        """Every family, in a fixed order; families without series still carry HELP/TYPE."""
        yield from _probe_families(self._snapshot.regions)
        yield from _state_families(self._snapshot)
        yield from _sla_families(self._snapshot)
        yield from _process_families(self._snapshot)


def reference_exposition(snapshot: Snapshot) -> bytes:
    """The same bytes through prometheus-client: the reference the fast path is tested on."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(snapshot))
    return generate_latest(registry)


def _gauge(name: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, FAMILIES[name].help, labels=labels)


def _counter(name: str, labels: list[str]) -> CounterMetricFamily:
    """A counter; prometheus-client appends ``_total`` to ``name`` in the exposition."""
    return CounterMetricFamily(name, FAMILIES[name].help, labels=labels)


def _buckets(histogram: Histogram) -> list[tuple[str, float]]:
    """Cumulative buckets with ``+Inf`` last, as the exposition wants them."""
    pairs = [(_le(bound), float(n))
             for bound, n in zip(histogram.buckets, histogram.counts, strict=True)]
    return [*pairs, ("+Inf", float(histogram.count))]


def _le(bound: float) -> str:
    """A bucket bound as prometheus-client writes its own (``0.5``, ``1.0``, ``60.0``)."""
    return repr(float(bound))


_EMPTY_DURATIONS = Histogram(buckets=DURATION_BUCKETS, counts=(0,) * len(DURATION_BUCKETS))


def _probe_families(regions: Iterable[RegionState]) -> Iterator[Metric]:
    """``lifesize_probe_*`` of every account-region."""
    success = _gauge("lifesize_probe_success", _SERIES)
    durations = HistogramMetricFamily(
        "lifesize_probe_duration_seconds", FAMILIES["lifesize_probe_duration_seconds"].help,
        labels=[*_SERIES, "step"])
    runs = _counter("lifesize_probe_runs", _SERIES)
    failures = _counter("lifesize_probe_failures", [*_SERIES, "step", "reason"])
    last_run = _gauge("lifesize_probe_last_run_timestamp_seconds", _SERIES)
    skipped = _counter("lifesize_probe_skipped_runs", _SERIES)
    for state in regions:
        series = [state.account, state.region]
        if state.last is not None:
            success.add_metric(series, 1.0 if state.last.ok else 0.0)
            last_run.add_metric(series, state.last.ts)
        for step in [*STEPS, *sorted(set(state.durations) - set(STEPS))]:
            histogram = state.durations.get(step, _EMPTY_DURATIONS)
            durations.add_metric([*series, step], _buckets(histogram), histogram.sum)
        runs.add_metric(series, state.runs_total)
        for (step, reason), count in sorted(state.failures_total.items()):
            failures.add_metric([*series, step, reason], count)
        skipped.add_metric(series, state.skipped_runs_total)
    yield from (success, durations, runs, failures, last_run, skipped)


def _state_families(snapshot: Snapshot) -> Iterator[Metric]:
    """What is going on now: regions down, maintenance active."""
    down = _gauge("lifesize_account_down", _SERIES)
    since = _gauge("lifesize_account_down_since_timestamp_seconds", _SERIES)
    for state in snapshot.regions:
        series = [state.account, state.region]
        down.add_metric(series, 1.0 if state.down else 0.0)
        if state.down and state.down_since is not None:
            since.add_metric(series, state.down_since)
    maintenance = _gauge("lifesize_maintenance_active", ["account"])
    for account in snapshot.accounts:
        maintenance.add_metric([account.account], 1.0 if account.maintenance_active else 0.0)
    yield from (down, since, maintenance)


def _sla_families(snapshot: Snapshot) -> Iterator[Metric]:
    """The contractual figures (R6) of every account and window, and region coverage."""
    by_window = ["account", "window"]
    unavailable = _gauge("lifesize_sla_unavailable_seconds", by_window)
    ratio = _gauge("lifesize_sla_availability_ratio", by_window)
    budget = _gauge("lifesize_sla_error_budget_remaining_seconds", by_window)
    objective = _gauge("lifesize_sla_objective_ratio", ["account"])
    observed = _gauge("lifesize_sla_observed_down_seconds", by_window)
    for account in snapshot.accounts:
        objective.add_metric([account.account], snapshot.objective)
        for window, figures in sorted(account.figures.items()):
            labels = [account.account, window]
            unavailable.add_metric(labels, figures.unavailable_seconds)
            ratio.add_metric(labels, figures.availability)
            budget.add_metric(labels, figures.error_budget_remaining_seconds)
            observed.add_metric(labels, figures.observed_down_seconds)
    coverage = _gauge("lifesize_probe_coverage_ratio", [*_SERIES, "window"])
    for state in snapshot.regions:
        for window, value in sorted(state.coverage.items()):
            coverage.add_metric([state.account, state.region, window], value)
    yield from (unavailable, ratio, budget, objective, observed, coverage)


def _process_families(snapshot: Snapshot) -> Iterator[Metric]:
    """The agent itself: version, probe interval, scheduler lateness, store errors."""
    build = _gauge("lifesize_probe_build_info", ["version"])
    build.add_metric([snapshot.version], 1.0)
    interval = _gauge("lifesize_probe_interval_seconds", [])
    interval.add_metric([], snapshot.interval)
    lateness = HistogramMetricFamily(
        "lifesize_probe_scheduler_lateness_seconds",
        FAMILIES["lifesize_probe_scheduler_lateness_seconds"].help,
        buckets=_buckets(snapshot.lateness), sum_value=snapshot.lateness.sum)
    errors = CounterMetricFamily(
        "lifesize_probe_store_errors", FAMILIES["lifesize_probe_store_errors"].help,
        value=snapshot.store_errors_total)
    yield from (build, interval, lateness, errors)
