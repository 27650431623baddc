"""The row-level SQL of the SQLite store: placing probes and reading series back.

Every function takes an open connection inside the caller's transaction (or lock);
none commits. The statements avoid SQLite-only syntax so that issue 6 can reuse them
with ``%s`` placeholders.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from probe.model import ProbeResult, Seconds
from probe.store._runs import place
from probe.store.base import Segment

_AROUND = """
SELECT * FROM (SELECT first_ts, last_ts, probes, ok, max_step, prev_ts FROM segments
               WHERE series_id = ? AND first_ts <= ? ORDER BY first_ts DESC LIMIT 2) AS b
UNION ALL
SELECT * FROM (SELECT first_ts, last_ts, probes, ok, max_step, prev_ts FROM segments
               WHERE series_id = ? AND first_ts > ? ORDER BY first_ts LIMIT 1) AS n
"""


@dataclass(frozen=True, slots=True)
class SeriesRows:
    """Everything stored about one ``(account, region)``, in time order."""

    account: str
    region: str
    segments: list[Segment]
    failures: list[ProbeResult]
    ignored: list[ProbeResult]


def series_id(conn: sqlite3.Connection, account: str, region: str) -> int:
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


def write_probe(conn: sqlite3.Connection, sid: int, probe: ProbeResult, break_gap: Seconds) -> None:
    """One probe of series ``sid``: segments re-placed around it, its failure kept."""
    if not probe.is_evidence:
        conn.execute(
            "INSERT INTO ignored (series_id, ts, error, step, durations) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (sid, probe.ts, probe.error, probe.step, _json(probe.durations)),
        )
        return
    around = [_segment(row) for row in conn.execute(_AROUND, (sid, probe.ts, sid, probe.ts))]
    around.sort(key=lambda s: s.first_ts)
    host = next((s for s in around if s.contains(probe.ts)), None)
    failures = _failure_times(conn, sid, host) if host and not host.ok else []
    placed = place(around, probe.ts, probe.ok, failures=failures, break_gap=break_gap)
    if placed is not None:
        _replace(conn, sid, around, placed)
    if not probe.ok:
        _keep_failure(conn, sid, probe)


def _failure_times(conn: sqlite3.Connection, sid: int, host: Segment) -> list[float]:
    rows = conn.execute(
        "SELECT ts FROM failures WHERE series_id = ? AND ts >= ? AND ts <= ? ORDER BY ts",
        (sid, host.first_ts, host.last_ts),
    )
    return [row[0] for row in rows]


def _replace(
    conn: sqlite3.Connection, sid: int, old: list[Segment], new: list[Segment]
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


def _keep_failure(conn: sqlite3.Connection, sid: int, probe: ProbeResult) -> None:
    """Of failures at one instant, keep the smallest ``(step, error)``, as R1 does."""
    row = conn.execute(
        "SELECT step, error FROM failures WHERE series_id = ? AND ts = ?", (sid, probe.ts)
    ).fetchone()
    values = (probe.step, probe.error, _json(probe.durations), sid, probe.ts)
    if row is None:
        conn.execute(
            "INSERT INTO failures (step, error, durations, series_id, ts) VALUES (?, ?, ?, ?, ?)",
            values,
        )
    elif (probe.step or "", probe.error or "") < (row[0] or "", row[1] or ""):
        conn.execute(
            "UPDATE failures SET step = ?, error = ?, durations = ? "
            "WHERE series_id = ? AND ts = ?",
            values,
        )


def series(
    conn: sqlite3.Connection, accounts: Collection[str] | None
) -> list[tuple[int, str, str]]:
    """``(id, account, region)`` of the series wanted, by account and region."""
    rows = conn.execute("SELECT id, account, region FROM series ORDER BY account, region")
    wanted = None if accounts is None else frozenset(accounts)
    return [(r[0], r[1], r[2]) for r in rows if wanted is None or r[1] in wanted]


def read_series(
    conn: sqlite3.Connection, sid: int, account: str, region: str, *, durations: bool
) -> SeriesRows:
    """One series' rows; ``durations`` decodes them (export needs them, R1 does not)."""
    segments = [
        _segment(row)
        for row in conn.execute(
            "SELECT first_ts, last_ts, probes, ok, max_step, prev_ts FROM segments "
            "WHERE series_id = ? ORDER BY first_ts",
            (sid,),
        )
    ]
    failures = [
        ProbeResult(r[0], account, region, False, r[1], r[2], _durations(r[3], durations))
        for r in conn.execute(
            "SELECT ts, step, error, durations FROM failures WHERE series_id = ? ORDER BY ts",
            (sid,),
        )
    ]
    ignored = [
        ProbeResult(r[0], account, region, False, r[1], r[2], _durations(r[3], durations))
        for r in conn.execute(
            "SELECT ts, step, error, durations FROM ignored WHERE series_id = ? "
            "ORDER BY ts, error",
            (sid,),
        )
    ]
    return SeriesRows(account, region, segments, failures, ignored)


def _segment(row: tuple[float, float, int, int, float, float | None]) -> Segment:
    return Segment(row[0], row[1], row[2], bool(row[3]), row[4], row[5])


def _values(s: Segment) -> tuple[float, int, bool, float, float | None]:
    return (s.last_ts, s.probes, s.ok, s.max_step, s.prev_ts)


def _json(durations: Mapping[str, float]) -> str | None:
    return json.dumps(dict(durations), separators=(",", ":")) if durations else None


def _durations(text: str | None, wanted: bool) -> dict[str, float]:
    return json.loads(text) if text and wanted else {}
