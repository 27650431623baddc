"""``integrity_check``: SQLite's own checks, then the store's invariants.

The invariants are what makes the store lossless: every failed segment holds exactly
the failures stored inside it, no failure lies outside a failed segment, and segments
of one series never overlap. The queries are plain SQL, portable to PostgreSQL.
"""

from __future__ import annotations

import sqlite3

_INVARIANTS = {
    "failed segment whose probe count differs from its failures": """
        SELECT s.series_id, s.first_ts FROM segments s
        WHERE NOT s.ok AND s.probes <> (
            SELECT count(*) FROM failures f
            WHERE f.series_id = s.series_id AND f.ts >= s.first_ts AND f.ts <= s.last_ts)
        """,
    "failure outside every failed segment": """
        SELECT f.series_id, f.ts FROM failures f
        WHERE NOT EXISTS (
            SELECT 1 FROM segments s
            WHERE s.series_id = f.series_id AND NOT s.ok
              AND s.first_ts <= f.ts AND f.ts <= s.last_ts)
        """,
    "segments that overlap": """
        SELECT series_id, first_ts FROM (
            SELECT series_id, first_ts,
                   LAG(last_ts) OVER (PARTITION BY series_id ORDER BY first_ts) AS previous
            FROM segments) AS t
        WHERE previous >= first_ts
        """,
    "one-probe segment with two ends": """
        SELECT series_id, first_ts FROM segments WHERE probes = 1 AND last_ts <> first_ts
        """,
}


def problems(conn: sqlite3.Connection) -> list[str]:
    """Every problem found, one line each; empty when the store is sound."""
    found = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
    found += [
        f"foreign key broken in {row[0]} row {row[1]}"
        for row in conn.execute("PRAGMA foreign_key_check")
    ]
    for name, query in _INVARIANTS.items():
        found += [
            f"{name}: series {row[0]} at {row[1]}" for row in conn.execute(query).fetchmany(20)
        ]
    return found
