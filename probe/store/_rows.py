"""The row-level SQL both backends share: placing probes and reading series back.

Every function takes an open ``Connection`` inside the caller's transaction (or lock);
none commits. The statements are plain SQL with ``?`` placeholders: ``sqlite3``
takes them as they are, and the PostgreSQL store hands them to psycopg through
``_pg.Rows``, which spells them ``%s``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from probe.diagnostics.records import files_from, files_json_ready
from probe.model import DiagnosticFile, ProbeResult, Seconds
from probe.sla.timeline import failure_rank
from probe.store._runs import place
from probe.store.base import Segment, SeriesRows, StoredWindow

_AROUND = """
SELECT * FROM (SELECT first_ts, last_ts, probes, ok, max_step, prev_ts FROM segments
               WHERE series_id = ? AND first_ts <= ? ORDER BY first_ts DESC LIMIT 2) AS b
UNION ALL
SELECT * FROM (SELECT first_ts, last_ts, probes, ok, max_step, prev_ts FROM segments
               WHERE series_id = ? AND first_ts > ? ORDER BY first_ts LIMIT 1) AS n
"""


class Cursor(Protocol):
    """What the row functions read from a statement's result (DB-API)."""

    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The part of a DB-API connection the row functions use (``sqlite3`` has it)."""

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor: ...
    def executemany(self, sql: str, seq_of_parameters: Iterable[Sequence[Any]], /) -> Cursor: ...


def series_id(conn: Connection, account: str, region: str) -> int:
    """The id of a series, created on first sight."""
    conn.execute(
        "INSERT INTO series (account, region) VALUES (?, ?) "
        "ON CONFLICT (account, region) DO NOTHING",
        (account, region),
    )
    row = conn.execute(
        "SELECT id FROM series WHERE account = ? AND region = ?", (account, region)
    ).fetchone()
    return int(row[0])


def write_probe(conn: Connection, sid: int, probe: ProbeResult, break_gap: Seconds) -> None:
    """One probe of series ``sid``: segments re-placed around it, its failure kept."""
    if not probe.is_evidence:
        conn.execute(
            "INSERT INTO ignored (series_id, ts, error, step, durations, diagnostics) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (sid, probe.ts, probe.error, probe.step, durations_json(probe.durations),
             diagnostics_json(probe.diagnostics)),
        )
        return
    around = [segment_of(row) for row in conn.execute(_AROUND, (sid, probe.ts, sid, probe.ts))]
    around.sort(key=lambda s: s.first_ts)
    host = next((s for s in around if s.contains(probe.ts)), None)
    failures = _failure_times(conn, sid, host) if host and not host.ok else []
    placed = place(around, probe.ts, probe.ok, failures=failures, break_gap=break_gap)
    if placed is not None:
        _replace(conn, sid, around, placed)
    if not probe.ok:
        _keep_failure(conn, sid, probe)


def _failure_times(conn: Connection, sid: int, host: Segment) -> list[float]:
    rows = conn.execute(
        "SELECT ts FROM failures WHERE series_id = ? AND ts >= ? AND ts <= ? ORDER BY ts",
        (sid, host.first_ts, host.last_ts),
    )
    return [row[0] for row in rows]


def _replace(
    conn: Connection, sid: int, old: list[Segment], new: list[Segment]
) -> None:
    """Write the difference between the segments loaded and the segments placed."""
    before = {s.first_ts: s for s in old}
    after = {s.first_ts: s for s in new}
    gone = [(sid, ts) for ts in before if ts not in after]
    conn.executemany("DELETE FROM segments WHERE series_id = ? AND first_ts = ?", gone)
    for ts, segment in after.items():
        if ts not in before:
            conn.execute(
                "INSERT INTO segments (series_id, first_ts, last_ts, probes, ok, max_step, "
                "prev_ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sid, ts, *_values(segment)),
            )
        elif before[ts] != segment:
            conn.execute(
                "UPDATE segments SET last_ts = ?, probes = ?, ok = ?, max_step = ?, prev_ts = ? "
                "WHERE series_id = ? AND first_ts = ?",
                (*_values(segment), sid, ts),
            )


def _keep_failure(conn: Connection, sid: int, probe: ProbeResult) -> None:
    """Of failures at one instant, keep the smallest ``(step, error)``, as R1 does.

    The row kept is the winner's whole: its durations and its diagnostic files (the
    loser's files stay on disk, unreferenced, until the budget prunes them)."""
    row = conn.execute(
        "SELECT step, error FROM failures WHERE series_id = ? AND ts = ?", (sid, probe.ts)
    ).fetchone()
    values = (probe.step, probe.error, durations_json(probe.durations),
              diagnostics_json(probe.diagnostics), sid, probe.ts)
    if row is None:
        conn.execute(
            "INSERT INTO failures (step, error, durations, diagnostics, series_id, ts) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            values,
        )
    elif failure_rank(probe.step, probe.error) < failure_rank(row[0], row[1]):
        conn.execute(
            "UPDATE failures SET step = ?, error = ?, durations = ?, diagnostics = ? "
            "WHERE series_id = ? AND ts = ?",
            values,
        )


def series(conn: Connection, accounts: Collection[str] | None) -> list[tuple[int, str, str]]:
    """``(id, account, region)`` of the series wanted, by account and region."""
    rows = conn.execute("SELECT id, account, region FROM series ORDER BY account, region")
    wanted = None if accounts is None else frozenset(accounts)
    return [(r[0], r[1], r[2]) for r in rows if wanted is None or r[1] in wanted]


def read_series(
    conn: Connection, sid: int, account: str, region: str, *, durations: bool
) -> SeriesRows:
    """One series' rows; ``durations`` decodes them and the diagnostics (export and
    claims need them, R1 does not)."""
    segments = [
        segment_of(row)
        for row in conn.execute(
            "SELECT first_ts, last_ts, probes, ok, max_step, prev_ts FROM segments "
            "WHERE series_id = ? ORDER BY first_ts",
            (sid,),
        )
    ]
    failures = [
        failure_of(r, account, region, durations=durations)
        for r in conn.execute(
            "SELECT ts, step, error, durations, diagnostics FROM failures "
            "WHERE series_id = ? ORDER BY ts",
            (sid,),
        )
    ]
    ignored = [
        failure_of(r, account, region, durations=durations)
        for r in conn.execute(
            "SELECT ts, step, error, durations, diagnostics FROM ignored WHERE series_id = ? "
            "ORDER BY ts, error",
            (sid,),
        )
    ]
    return SeriesRows(
        account=account, region=region, segments=segments, failures=failures, ignored=ignored
    )


def load_series(conn: Connection, found: SeriesRows) -> None:
    """Insert one series' rows as they are (copying a store): they were sound there.

    The series must have no rows yet; the primary keys refuse a second copy.
    """
    sid = series_id(conn, found.account, found.region)
    conn.executemany(
        "INSERT INTO segments (series_id, first_ts, last_ts, probes, ok, max_step, prev_ts) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(sid, s.first_ts, *_values(s)) for s in found.segments],
    )
    for table, kept in (("failures", found.failures), ("ignored", found.ignored)):
        conn.executemany(
            f"INSERT INTO {table} (series_id, ts, step, error, durations, diagnostics) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(sid, r.ts, r.step, r.error, durations_json(r.durations),
              diagnostics_json(r.diagnostics)) for r in kept],
        )


def insert_window(conn: Connection, window: StoredWindow) -> None:
    """Keep a maintenance window; accounts as ``*`` or a JSON array of names."""
    accounts = "*" if window.accounts is None else json.dumps(sorted(window.accounts))
    conn.execute(
        "INSERT INTO maintenance_windows (id, kind, accounts, start_ts, end_ts, name, "
        "created_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (window.id, window.kind, accounts, window.start, window.end, window.name,
         window.created_at, window.source),
    )


def read_windows(conn: Connection) -> list[StoredWindow]:
    """Every maintenance window, by start."""
    found = conn.execute(
        "SELECT id, kind, accounts, start_ts, end_ts, name, created_at, source "
        "FROM maintenance_windows ORDER BY start_ts, id"
    )
    return [
        StoredWindow(
            id=row[0], kind=row[1], accounts=None if row[2] == "*" else frozenset(
                json.loads(row[2])),
            start=row[3], end=row[4], name=row[5], created_at=row[6], source=row[7],
        )
        for row in found
    ]


def delete_window(conn: Connection, window_id: str) -> bool:
    """Forget a window; false when there was none with that id."""
    cursor = conn.execute("DELETE FROM maintenance_windows WHERE id = ?", (window_id,))
    return cursor.rowcount > 0


def segment_of(row: tuple[float, float, int, int, float, float | None]) -> Segment:
    """A ``segments`` row (first_ts, last_ts, probes, ok, max_step, prev_ts)."""
    return Segment(
        first_ts=row[0],
        last_ts=row[1],
        probes=row[2],
        ok=bool(row[3]),
        max_step=row[4],
        prev_ts=row[5],
    )


FailureRow = tuple[float, str | None, str | None, str | None, str | None]
"""ts, step, error, durations, diagnostics (the last two JSON text or NULL)."""


def failure_of(row: FailureRow, account: str, region: str, *, durations: bool) -> ProbeResult:
    """A ``failures`` or ``ignored`` row as the probe it was; ``durations`` decodes the
    durations and the diagnostics, which only exports and claims read."""
    return ProbeResult(
        ts=row[0],
        account=account,
        region=region,
        ok=False,
        step=row[1],
        error=row[2],
        durations=_durations(row[3], durations),
        diagnostics=_diagnostics(row[4], durations),
    )


def _values(s: Segment) -> tuple[float, int, bool, float, float | None]:
    return (s.last_ts, s.probes, s.ok, s.max_step, s.prev_ts)


def durations_json(durations: Mapping[str, float]) -> str | None:
    """How durations are stored: compact JSON text, NULL when there are none."""
    return json.dumps(dict(durations), separators=(",", ":")) if durations else None


def _durations(text: str | None, wanted: bool) -> dict[str, float]:
    return json.loads(text) if text and wanted else {}


def diagnostics_json(files: Sequence[DiagnosticFile]) -> str | None:
    """How diagnostic files are stored: a compact JSON array, NULL when there are none."""
    return json.dumps(files_json_ready(files), separators=(",", ":")) if files else None


def _diagnostics(text: str | None, wanted: bool) -> tuple[DiagnosticFile, ...]:
    return files_from(json.loads(text)) if text and wanted else ()
