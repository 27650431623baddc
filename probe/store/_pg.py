"""The PostgreSQL store's SQL: the shared rows through psycopg, and the batched paths.

``Rows`` lets the row functions of ``_rows`` (written once, with ``?`` placeholders)
run on a psycopg connection. Where one statement per probe would cost a network
round trip per probe, the store works a whole batch at a time instead:

* ``lock_series`` resolves and locks the batch's series in one statement. The row
  locks (``FOR NO KEY UPDATE``, taken in id order) serialise two writers of the same
  series, so a probe sent twice at once is still placed once; other series, and the
  foreign-key checks of other writers, are not held up.
* ``append``: an agent writes each series' probes after everything stored for it.
  Those are placed in memory from the series' last segment (``_runs.coalesce``, the
  rule ``place`` applies after the last segment) and written with one statement per
  table. Any other probe (late, or sent again) goes through ``_rows.write_probe``, the
  exact path shared with SQLite, one probe at a time.
* ``read_rows`` reads many series with three statements in one snapshot.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from probe.model import ProbeResult, Seconds
from probe.sla.timeline import failure_rank
from probe.store._rows import diagnostics_json, durations_json, failure_of, segment_of
from probe.store._runs import coalesce
from probe.store.base import Segment, SeriesRows

Key = tuple[str, str]

_SEGMENT_COLUMNS = "series_id, first_ts, last_ts, probes, ok, max_step, prev_ts"
_SEGMENT_ARRAYS = (
    "unnest(%s::integer[], %s::float8[], %s::float8[], %s::integer[], %s::boolean[], "
    "%s::float8[], %s::float8[])"
)


class Rows:
    """A psycopg connection that takes the ``?`` placeholders of ``_rows``."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        return self._conn.execute(_placeholders(sql), parameters)

    def executemany(
        self, sql: str, seq_of_parameters: Iterable[Sequence[Any]], /
    ) -> psycopg.Cursor[Any]:
        cursor = self._conn.cursor()
        cursor.executemany(_placeholders(sql), list(seq_of_parameters))
        return cursor


@functools.cache
def _placeholders(sql: str) -> str:
    """``?`` → ``%s`` (the shared statements hold no literal ``?`` or ``%``)."""
    return sql.replace("?", "%s")


def lock_series(conn: psycopg.Connection[Any], keys: Sequence[Key], *, new: Sequence[Key]
                ) -> dict[Key, int]:
    """The ids of ``keys``, each series row locked until the transaction ends.

    ``new`` are the keys that may not exist yet: created first (``ON CONFLICT`` makes
    two agents creating one series at once harmless).
    """
    if new:
        conn.execute(
            "INSERT INTO series (account, region) SELECT * FROM unnest(%s::text[], %s::text[]) "
            "ON CONFLICT (account, region) DO NOTHING",
            _columns(new, 2),
        )
    found = conn.execute(
        "SELECT s.id, s.account, s.region FROM series AS s "
        "JOIN unnest(%s::text[], %s::text[]) AS w (account, region) "
        "ON s.account = w.account AND s.region = w.region "
        "ORDER BY s.id FOR NO KEY UPDATE OF s",
        _columns(keys, 2),
    )
    return {(account, region): sid for sid, account, region in found}


def last_segments(conn: psycopg.Connection[Any], ids: Iterable[int]) -> dict[int, Segment]:
    """The latest segment of each series that has one: one index probe per series."""
    found = conn.execute(
        "SELECT w.sid, s.first_ts, s.last_ts, s.probes, s.ok, s.max_step, s.prev_ts "
        "FROM unnest(%s::integer[]) AS w (sid) CROSS JOIN LATERAL ("
        " SELECT * FROM segments WHERE series_id = w.sid ORDER BY first_ts DESC LIMIT 1) AS s",
        (list(ids),),
    )
    return {row[0]: segment_of(row[1:]) for row in found}


def merged(probes: Iterable[ProbeResult]) -> list[ProbeResult]:
    """Evidence probes in time order, one per instant: failed if any failed there, and
    of several failures the one R1 and ``_rows`` keep (the smallest step and error)."""
    kept: dict[float, ProbeResult] = {}
    for probe in sorted(probes, key=lambda p: p.ts):
        there = kept.get(probe.ts)
        if there is None or (not probe.ok and (there.ok or _ranks_before(probe, there))):
            kept[probe.ts] = probe
    return list(kept.values())


def _ranks_before(probe: ProbeResult, there: ProbeResult) -> bool:
    return failure_rank(probe.step, probe.error) < failure_rank(there.step, there.error)


@dataclass
class Appended:
    """What the append path writes, gathered over a batch's series."""

    updated: list[tuple[int, Segment]] = field(default_factory=list)
    inserted: list[tuple[int, Segment]] = field(default_factory=list)
    failures: list[tuple[int, ProbeResult]] = field(default_factory=list)

    def add(self, sid: int, last: Segment | None, probes: Sequence[ProbeResult],
            break_gap: Seconds) -> bool:
        """Append ``probes`` (merged, in time order) to a series; false when one of them
        is not after ``last``, and nothing was added."""
        if last is not None and probes and probes[0].ts <= last.last_ts:
            return False
        segments = [] if last is None else [last]
        for probe in probes:
            fresh = Segment(first_ts=probe.ts, last_ts=probe.ts, probes=1, ok=probe.ok)
            segments[-1:] = coalesce([*segments[-1:], fresh], break_gap)
            if not probe.ok:
                self.failures.append((sid, probe))
        if last is not None:
            if segments[0] != last:
                self.updated.append((sid, segments[0]))
            segments = segments[1:]
        self.inserted += [(sid, segment) for segment in segments]
        return True

    def write(self, conn: psycopg.Connection[Any]) -> None:
        """One statement per table, none when there is nothing for it."""
        if self.updated:
            conn.execute(
                "UPDATE segments AS s SET last_ts = v.last_ts, probes = v.probes, ok = v.ok, "
                "max_step = v.max_step, prev_ts = v.prev_ts "
                f"FROM {_SEGMENT_ARRAYS} AS v ({_SEGMENT_COLUMNS}) "
                "WHERE s.series_id = v.series_id AND s.first_ts = v.first_ts",
                _segment_columns(self.updated),
            )
        if self.inserted:
            conn.execute(
                f"INSERT INTO segments ({_SEGMENT_COLUMNS}) SELECT * FROM {_SEGMENT_ARRAYS}",
                _segment_columns(self.inserted),
            )
        if self.failures:
            insert_failures(conn, "failures", self.failures)


def insert_failures(conn: psycopg.Connection[Any], table: str,
                    found: Sequence[tuple[int, ProbeResult]]) -> None:
    """Rows of ``failures`` or ``ignored`` in one statement; an ``ignored`` row already
    there is kept (a probe sent twice), a ``failures`` row there is an error (the
    append path only adds failures after the last segment)."""
    conflict = " ON CONFLICT DO NOTHING" if table == "ignored" else ""
    conn.execute(
        f"INSERT INTO {table} (series_id, ts, step, error, durations, diagnostics) "
        "SELECT * FROM unnest(%s::integer[], %s::float8[], %s::text[], %s::text[], "
        f"%s::text[], %s::text[]){conflict}",
        _columns([(sid, p.ts, p.step, p.error, durations_json(p.durations),
                   diagnostics_json(p.diagnostics)) for sid, p in found], 6),
    )


def _segment_columns(rows: Sequence[tuple[int, Segment]]) -> list[list[Any]]:
    return _columns([(sid, s.first_ts, s.last_ts, s.probes, s.ok, s.max_step, s.prev_ts)
                     for sid, s in rows], 7)


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows turned into ``width`` columns, each sent as one array parameter."""
    return [[row[i] for row in rows] for i in range(width)]


def read_rows(conn: psycopg.Connection[Any], series: Sequence[tuple[int, str, str]], *,
              durations: bool) -> list[SeriesRows]:
    """Every row of ``series`` (``(id, account, region)``), with three statements.

    Call it inside a ``REPEATABLE READ`` transaction: the three reads then see one
    snapshot, so a failed segment and its failures always agree.
    """
    ids = [sid for sid, _, _ in series]
    columns = "durations, diagnostics" if durations else "NULL, NULL"
    segments = _by_series(conn.execute(
        "SELECT series_id, first_ts, last_ts, probes, ok, max_step, prev_ts FROM segments "
        "WHERE series_id = ANY(%s) ORDER BY series_id, first_ts", (ids,)))
    failures = _by_series(conn.execute(
        f"SELECT series_id, ts, step, error, {columns} FROM failures "
        "WHERE series_id = ANY(%s) ORDER BY series_id, ts", (ids,)))
    ignored = _by_series(conn.execute(
        f"SELECT series_id, ts, step, error, {columns} FROM ignored "
        "WHERE series_id = ANY(%s) ORDER BY series_id, ts, error", (ids,)))
    return [
        SeriesRows(
            account=account, region=region,
            segments=[segment_of(row[1:]) for row in segments.get(sid, ())],
            failures=[failure_of(row[1:], account, region, durations=durations)
             for row in failures.get(sid, ())],
            ignored=[failure_of(row[1:], account, region, durations=durations)
             for row in ignored.get(sid, ())],
        )
        for sid, account, region in series
    ]


def _by_series(rows: Iterator[Any]) -> Mapping[int, list[Any]]:
    """Rows ordered by series id, grouped by it."""
    return {sid: list(group) for sid, group in itertools.groupby(rows, key=lambda r: r[0])}
