"""Probe results as JSON Lines: read them into region timelines, write them out.

One result per line: ``ts`` (RFC 3339 with an offset, or epoch seconds), ``account``,
``region``, ``ok``, ``step``, ``error``, optionally ``durations`` and ``diagnostics``
(the files a failed browser probe left, ``[{"kind", "path", "sha256", "size"}]``, checked
on every line: a claim opens those paths); other keys are ignored. Reading streams the file
through one ``TimelineBuilder`` per ``(account, region)``, so memory holds transitions
and failures, not successes. Input in any order is still read correctly: when a probe
turns up earlier than one already folded, the file is read again and sorted per
``(account, region)``, which costs memory but never correctness.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

import orjson

from probe.diagnostics.records import files_from, files_json_ready
from probe.instants import InstantError, parse_instant, utc
from probe.model import DiagnosticFile, ProbeResult, RegionTimeline
from probe.sla.timeline import OutOfOrder, TimelineBuilder

Row = tuple[float, str, str, bool, str | None, str | None]
Progress = Callable[[int], None]
_PROGRESS_EVERY = 1_000_000


class ResultsFileError(ValueError):
    """A results file that cannot be read, with the line that shows why."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        where = f"line {line}: " if line is not None else ""
        super().__init__(f"{path}: {where}{message}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadStats:
    """What reading a results file took in."""

    lines: int
    results: int
    sorted_fallback: bool


def read_timelines(
    path: str,
    *,
    max_gap: float,
    accounts: Collection[str] = (),
    progress: Progress | None = None,
) -> tuple[list[RegionTimeline], ReadStats]:
    """R1 timelines of every ``(account, region)`` in the file at ``path`` (``-``: stdin).

    ``accounts``, when given, keeps only those accounts.
    """
    if path == "-":
        lines = sys.stdin.readlines()
        return _read(lambda: iter(lines), path, max_gap, accounts, progress)
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise ResultsFileError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    return _read(lambda: _lines_of(path), path, max_gap, accounts, progress)


def _lines_of(path: str) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        yield from handle


def _read(
    source: Callable[[], Iterable[bytes | str]],
    path: str,
    max_gap: float,
    accounts: Collection[str],
    progress: Progress | None,
) -> tuple[list[RegionTimeline], ReadStats]:
    wanted = frozenset(accounts)
    rows = _Rows(source(), path, wanted, progress)
    try:
        timelines, count = _fold_in_order(rows, max_gap)
        fallback = False
    except OutOfOrder:
        rows = _Rows(source(), path, wanted, progress=None)
        timelines, count = _fold_sorted(rows, max_gap)
        fallback = True
    return timelines, ReadStats(lines=rows.lines, results=count, sorted_fallback=fallback)


class _Rows:
    """Parsed rows of a results file, counting lines as it goes."""

    def __init__(
        self, lines: Iterable[bytes | str], path: str, wanted: frozenset[str],
        progress: Progress | None,
    ) -> None:
        self._lines, self._path, self._wanted = lines, path, wanted
        self._progress = progress
        self.lines = 0

    def __iter__(self) -> Iterator[Row]:
        parse, wanted, path, progress = parse_line, self._wanted, self._path, self._progress
        number = 0
        for number, line in enumerate(self._lines, start=1):
            if progress is not None and number % _PROGRESS_EVERY == 0:
                progress(number)
            if not line.strip():
                continue
            row = parse(line, path, number)
            if not wanted or row[1] in wanted:
                yield row
        self.lines = number


def _fold_in_order(rows: Iterable[Row], max_gap: float) -> tuple[list[RegionTimeline], int]:
    """The streaming path: each ``(account, region)`` folded as its results arrive."""
    builders: dict[tuple[str, str], TimelineBuilder] = {}
    count = 0
    for ts, account, region, ok, step, error in rows:
        count += 1
        builder = builders.get((account, region))
        if builder is None:
            builder = builders[(account, region)] = TimelineBuilder(
                account, region, max_gap=max_gap
            )
        builder.add(ts, ok, step, error)
    return [b.finish() for b in builders.values()], count


def _fold_sorted(rows: Iterable[Row], max_gap: float) -> tuple[list[RegionTimeline], int]:
    """The fallback for unordered files: group, sort by time, then fold."""
    grouped: dict[tuple[str, str], list[Row]] = {}
    count = 0
    for row in rows:
        count += 1
        grouped.setdefault((row[1], row[2]), []).append(row)
    timelines = []
    for (account, region), group in grouped.items():
        group.sort(key=lambda row: row[0])
        builder = TimelineBuilder(account, region, max_gap=max_gap)
        for ts, _, _, ok, step, error in group:
            builder.add(ts, ok, step, error)
        timelines.append(builder.finish())
    return timelines, count


def parse_line(line: bytes | str, path: str, number: int) -> Row:
    """One JSON line as a row; ``ResultsFileError`` naming the line when it is not one.

    The checks are written inline for the common case: this runs a million times a month
    per 30 account-regions, and the replay target is 500,000 results a second.
    """
    try:
        data = orjson.loads(line)
        ts, account, region, ok = data["ts"], data["account"], data["region"], data["ok"]
        step, error, files = data.get("step"), data.get("error"), data.get("diagnostics")
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise _explain(exc, line, path, number) from None
    if (
        (ok is True or ok is False)
        and type(account) is str and account
        and type(region) is str and region
        and (step is None or type(step) is str)
        and (error is None or type(error) is str)
    ):
        if files is not None:
            diagnostics_of(files, path, number)
        instant = _instants.get(ts) if type(ts) is str else None
        if instant is None:
            try:
                instant = _instant(ts)
            except ValueError as exc:
                raise ResultsFileError(path, number, f"'ts' {exc}") from None
        return instant, account, region, ok, step, error
    raise _bad_field(data, path, number)


def diagnostics_of(value: object, path: str, number: int) -> tuple[DiagnosticFile, ...]:
    """The ``diagnostics`` of a line (``None``: none); ``ResultsFileError`` naming the
    line and the bad field when it is not a list of file records."""
    try:
        return files_from(value)
    except ValueError as exc:
        raise ResultsFileError(path, number, str(exc)) from None


def _explain(exc: Exception, line: bytes | str, path: str, number: int) -> ResultsFileError:
    if isinstance(exc, orjson.JSONDecodeError):
        return ResultsFileError(path, number, f"not valid JSON ({exc.msg})")
    if isinstance(exc, KeyError):
        return ResultsFileError(path, number, f"'{exc.args[0]}' is missing")
    return ResultsFileError(path, number, "expected a JSON object")


def _bad_field(data: dict[str, Any], path: str, number: int) -> ResultsFileError:
    ok = data["ok"]
    if ok is not True and ok is not False:
        return ResultsFileError(path, number, f"'ok' must be true or false, got {ok!r}")
    for key in ("account", "region"):
        value = data[key]
        if not isinstance(value, str) or not value:
            return ResultsFileError(
                path, number, f"'{key}' must be a non-empty string, got {value!r}"
            )
    key = "step" if not isinstance(data.get("step"), str | None) else "error"
    return ResultsFileError(path, number, f"'{key}' must be a string or null, got {data[key]!r}")


_instants: dict[str, float] = {}
"""Recently parsed timestamps: probes of one round share their ``ts`` text."""


def _instant(value: Any) -> float:
    """Epoch seconds from RFC 3339 text with an offset (``instants``), or from a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        instant = parse_instant(value)
    except InstantError as exc:
        raise ValueError(_TS_PROBLEMS[exc.problem].format(value=value)) from None
    if len(_instants) > 4096:
        _instants.clear()
    _instants[value] = instant
    return instant


_TS_PROBLEMS = {
    "not_text": "must be an RFC 3339 time or epoch seconds, got {value!r}",
    "not_rfc3339": "is not an RFC 3339 time: {value!r}",
    "no_offset": "has no UTC offset: {value!r} (add 'Z')",
}


def write_results(results: Iterable[ProbeResult], out: TextIO) -> int:
    """Results as JSON Lines, the format ``read_timelines`` reads; returns the count."""
    count = 0
    for result in results:
        out.write(orjson.dumps(result_record(result)).decode())
        out.write("\n")
        count += 1
    return count


def result_record(result: ProbeResult) -> dict[str, Any]:
    """The JSON object of one result (durations and diagnostics included when known)."""
    record: dict[str, Any] = {
        "ts": utc(result.ts),
        "account": result.account,
        "region": result.region,
        "ok": result.ok,
        "step": result.step,
        "error": result.error,
    }
    if result.durations:
        record["durations"] = dict(result.durations)
    if result.diagnostics:
        record["diagnostics"] = files_json_ready(result.diagnostics)
    return record

