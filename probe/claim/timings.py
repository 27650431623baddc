"""The timings and diagnostic files of the failed probes a claim attaches, from the
store or a results file.

The SLA engine needs only when a probe failed, where and how; a claim also shows how
long each step took and which files a failed browser probe left (screenshot, trace,
console log, WebRTC statistics). The store keeps every failure in full, durations and
diagnostics included; a results file has them only when its writer put them there
(``export-results`` and the agent do; other tools may not), and the evidence says so
where timings are missing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from numbers import Real

import orjson

from probe.model import DiagnosticFile, Failure, Instant
from probe.results_file import ResultsFileError, diagnostics_of, parse_line
from probe.sla.report import OutageInWindow
from probe.statement import Source
from probe.store import open_store

Key = tuple[str, Instant]
"""A failed probe of the claiming account: ``(region, ts)``."""
Timings = Mapping[Key, Mapping[str, float]]
"""Durations of failed probes by ``(region, ts)``; a probe missing here has none."""
Diagnostics = Mapping[Key, tuple[DiagnosticFile, ...]]
"""Diagnostic files of failed probes by ``(region, ts)``; a probe missing here left none."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Details:
    """What the source knows of the failed probes beyond the engine's view of them."""

    timings: Timings = field(default_factory=dict)
    diagnostics: Diagnostics = field(default_factory=dict)


def read_timings(source: Source, account: str, periods: Collection[OutageInWindow]) -> Details:
    """Durations and diagnostic files of every failed probe behind ``periods`` that the
    source knows."""
    wanted = {(f.region, f.ts): f for period in periods for f in period.evidence}
    if not wanted:
        return Details()
    if source.results is not None:
        return _from_file(source.results, account, wanted)
    assert source.database is not None
    return _from_store(source.database, account, wanted)


def _from_store(url: str, account: str, wanted: Mapping[Key, Failure]) -> Details:
    """Failures are kept in full in the store; read those of the account's series."""
    timings: dict[Key, Mapping[str, float]] = {}
    diagnostics: dict[Key, tuple[DiagnosticFile, ...]] = {}
    store = open_store(url, interval=60.0, max_gap=300.0, create=False)
    try:
        for rows in store.dump():
            if rows.account != account:
                continue
            for probe in rows.failures:
                if (key := (probe.region, probe.ts)) not in wanted:
                    continue
                if probe.durations:
                    timings[key] = dict(probe.durations)
                if probe.diagnostics:
                    diagnostics[key] = probe.diagnostics
    finally:
        store.close()
    return Details(timings=timings, diagnostics=diagnostics)


def _from_file(path: str, account: str, wanted: Mapping[Key, Failure]) -> Details:
    """One pass over the file; of duplicate failures, the one the engine kept wins, for
    durations and diagnostics alike (a line without them never hides another's)."""
    timings: dict[Key, Mapping[str, float]] = {}
    diagnostics: dict[Key, tuple[DiagnosticFile, ...]] = {}
    for number, line in _lines(path):
        if not line.strip():
            continue
        ts, who, region, ok, step, error = parse_line(line, path, number)
        failure = wanted.get(key := (region, ts))
        if ok or who != account or failure is None:
            continue
        record = orjson.loads(line)
        same = (step, error) == (failure.step, failure.error)
        durations = _durations(record.get("durations"))
        if durations and (same or key not in timings):
            timings[key] = durations
        files = diagnostics_of(record.get("diagnostics"), path, number)
        if files and (same or key not in diagnostics):
            diagnostics[key] = files
    return Details(timings=timings, diagnostics=diagnostics)


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
