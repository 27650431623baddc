"""``integrity_check``: the database's own checks, then the store's invariants.

The invariants are what makes the store lossless: every failed segment holds exactly
the failures stored inside it, no failure lies outside a failed segment, and segments
of one series never overlap. The queries are plain SQL that both backends run.
"""

from __future__ import annotations

from probe.store._rows import Connection

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


def problems(conn: Connection) -> list[str]:
    """SQLite's page and foreign-key checks, then the invariants; empty when sound."""
    found = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
    found += [
        f"foreign key broken in {row[0]} row {row[1]}"
        for row in conn.execute("PRAGMA foreign_key_check")
    ]
    return found + invariant_problems(conn)


def invariant_problems(conn: Connection) -> list[str]:
    """The store's invariants, at most 20 findings each (PostgreSQL checks the rest)."""
    found = []
    for name, query in _INVARIANTS.items():
        rows = list(conn.execute(query + " LIMIT 20"))
        found += [f"{name}: series {row[0]} at {row[1]}" for row in rows]
    return found
