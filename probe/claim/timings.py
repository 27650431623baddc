"""The timings of the failed probes a claim attaches, from the store or a results file.

The SLA engine needs only when a probe failed, where and how; a claim also shows how
long each step took. The store keeps every failure in full, durations included; a
results file has them only when its writer put them there (``export-results`` and the
agent do; other tools may not), and the evidence says so where they are missing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from numbers import Real

import orjson

from probe.model import Failure, Instant
from probe.results_file import ResultsFileError, parse_line
from probe.sla.report import OutageInWindow
from probe.statement import Source
from probe.store import open_store

Timings = Mapping[tuple[str, Instant], Mapping[str, float]]
"""Durations of failed probes by ``(region, ts)``; a probe missing here has none."""


def read_timings(source: Source, account: str, periods: Collection[OutageInWindow]) -> Timings:
    """Durations of every failed probe behind ``periods`` that the source knows."""
    wanted = {(f.region, f.ts): f for period in periods for f in period.evidence}
    if not wanted:
        return {}
    if source.results is not None:
        return _from_file(source.results, account, wanted)
    assert source.database is not None
    return _from_store(source.database, account, wanted)


def _from_store(url: str, account: str, wanted: Mapping[tuple[str, Instant], Failure]) -> Timings:
    """Failures are kept in full in the store; read those of the account's series."""
    store = open_store(url, interval=60.0, max_gap=300.0, create=False)
    try:
        return {
            key: dict(probe.durations)
            for rows in store.dump() if rows.account == account
            for probe in rows.failures
            if probe.durations and (key := (probe.region, probe.ts)) in wanted
        }
    finally:
        store.close()


def _from_file(
    path: str, account: str, wanted: Mapping[tuple[str, Instant], Failure]
) -> Timings:
    """One pass over the file; of duplicate failures, the one the engine kept wins."""
    found: dict[tuple[str, Instant], Mapping[str, float]] = {}
    for number, line in _lines(path):
        if not line.strip():
            continue
        ts, who, region, ok, step, error = parse_line(line, path, number)
        failure = wanted.get((region, ts))
        if ok or who != account or failure is None:
            continue
        durations = _durations(orjson.loads(line).get("durations"))
        same = (step, error) == (failure.step, failure.error)
        if durations and (same or (region, ts) not in found):
            found[(region, ts)] = durations
    return found


def _lines(path: str) -> Iterator[tuple[int, bytes]]:
    try:
        with open(path, "rb") as handle:
            yield from enumerate(handle, start=1)
    except OSError as exc:
        raise ResultsFileError(path, None, f"cannot read: {exc.strerror or exc}") from exc


def _durations(value: object) -> dict[str, float] | None:
    """``{"login": 0.4, ...}``, or None when absent or not a mapping of numbers."""
    if not isinstance(value, dict):
        return None
    if not all(isinstance(k, str) and isinstance(v, Real) and not isinstance(v, bool)
               for k, v in value.items()):
        return None
    return {k: float(v) for k, v in value.items()}
