"""The SQLite store: one file, WAL mode, the standard library's ``sqlite3``.

Durability: WAL with ``synchronous=NORMAL``. A transaction is committed once its
frames are in the WAL file, which the operating system keeps when the process dies
(``kill -9``, a crash): nothing committed is lost then. Only a power cut or kernel
crash can lose the last transactions before a checkpoint — never corrupt the file —
and a probe lost that way is a short evidence gap, which R1 already accounts for. That
is worth the fsync per write that ``FULL`` would cost.

Threads: one connection opened with ``check_same_thread=False`` and a lock around
every call, so the agent may call the store from ``asyncio.to_thread`` workers; calls
are serialised, which SQLite's single writer would do anyway. ``busy_timeout`` makes
another process's write (a ``report`` reading the same file, an importer) wait rather
than fail.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import partial
from typing import TypeVar

from probe.model import Instant, ProbeResult, RegionTimeline, Seconds
from probe.sla.timeline import TimelineBuilder
from probe.store import _sqlite_rows as rows
from probe.store._integrity import problems
from probe.store._migrations import CREATE_TABLE, migrations
from probe.store._rebuild import expand, fold
from probe.store.base import Segment, StoredWindow, StoreError

T = TypeVar("T")
BUSY_TIMEOUT_MS = 10_000


class SqliteStore:
    """A ``Store`` in one SQLite file (or ``:memory:``).

    ``interval`` and ``max_gap`` set the break gap of segments,
    ``min(2 × interval, max_gap)``: segments break on gaps the interval explains badly
    (a missed round is fine, two are not), and never on a gap R1 does not see as one,
    so that an ok segment folds exactly (``_rebuild.fold``). ``create=False`` refuses a
    file that does not exist (a reader given a wrong path should say so, not report an
    empty month); ``max_pages`` caps the file's size in pages (tests use it to fill
    the "disk").
    """

    def __init__(
        self,
        path: str,
        *,
        interval: Seconds,
        max_gap: Seconds,
        create: bool = True,
        max_pages: int | None = None,
    ) -> None:
        if interval <= 0 or max_gap <= 0:
            raise ValueError(f"interval and max_gap must be positive, got {interval}, {max_gap}")
        self.path = path
        self.break_gap = min(2 * interval, max_gap)
        self._lock = threading.RLock()
        self._series: dict[tuple[str, str], int] = {}
        self._conn: sqlite3.Connection | None = _connect(path, create=create, max_pages=max_pages)

    # plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _guard(self, action: str) -> Iterator[sqlite3.Connection]:
        """Serialise the call and turn any sqlite3 error into one ``StoreError`` line."""
        with self._lock:
            if self._conn is None:
                raise StoreError(f"{self.path}: cannot {action}: the store is closed")
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: cannot {action}: {exc}") from exc

    @contextmanager
    def _transaction(self, action: str) -> Iterator[sqlite3.Connection]:
        """One write transaction, rolled back on any error (SQLite may have already)."""
        with self._guard(action) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    with suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise

    def _read(self, action: str, query: Callable[[sqlite3.Connection], T]) -> T:
        with self._guard(action) as conn:
            return query(conn)

    # Store ------------------------------------------------------------------------------

    def migrate(self) -> list[int]:
        """Apply pending migrations in one transaction (DDL is transactional here)."""
        with self._transaction("migrate the schema") as conn:
            conn.execute(CREATE_TABLE)
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            known = migrations()
            if done - {m.version for m in known}:
                raise StoreError(
                    f"{self.path}: schema version {max(done)} is newer than this "
                    f"lifesize-probe knows ({len(known)}); upgrade lifesize-probe"
                )
            applied = []
            for migration in known:
                if migration.version not in done:
                    _run_script(conn, migration.sql)
                    conn.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                        (migration.version, migration.name),
                    )
                    applied.append(migration.version)
        return applied

    def write(self, results: Sequence[ProbeResult]) -> None:
        """All ``results`` in one transaction, each series in time order (fast path)."""
        grouped: dict[tuple[str, str], list[ProbeResult]] = {}
        for result in results:
            grouped.setdefault((result.account, result.region), []).append(result)
        with self._lock:
            seen: dict[tuple[str, str], int] = {}
            with self._transaction("write results") as conn:
                for key, probes in grouped.items():
                    sid = self._series.get(key)
                    if sid is None:
                        sid = seen[key] = rows.series_id(conn, *key)
                    for probe in sorted(probes, key=lambda p: p.ts):
                        rows.write_probe(conn, sid, probe, self.break_gap)
            self._series.update(seen)  # only once committed: a rollback may drop new ids

    def builders(
        self, *, max_gap: Seconds, accounts: Collection[str] | None = None
    ) -> dict[tuple[str, str], TimelineBuilder]:
        return {
            (s.account, s.region): fold(
                s.account, s.region, s.segments, s.failures, s.ignored, max_gap=max_gap
            )
            for s in self._each_series(accounts, durations=False)
        }

    def timelines(
        self, *, max_gap: Seconds, accounts: Collection[str] | None = None
    ) -> list[RegionTimeline]:
        built = self.builders(max_gap=max_gap, accounts=accounts)
        return [builder.finish() for builder in built.values()]

    def segments(self, account: str, region: str) -> list[Segment]:
        found = list(self._each_series([account], durations=False))
        return next((s.segments for s in found if s.region == region), [])

    def results(
        self, *, since: Instant | None = None, until: Instant | None = None
    ) -> Iterator[ProbeResult]:
        """Stored probes, series by series (see ``_rebuild.expand`` for ok segments)."""
        low = float("-inf") if since is None else since
        high = float("inf") if until is None else until
        for s in self._each_series(None, durations=True):
            for probe in expand(s.account, s.region, s.segments, s.failures, s.ignored):
                if low <= probe.ts < high:
                    yield probe

    def _each_series(
        self, accounts: Collection[str] | None, *, durations: bool
    ) -> Iterator[rows.SeriesRows]:
        """Series one at a time, the lock taken per series so writers are not starved."""
        for sid, account, region in self._read("read series", lambda c: rows.series(c, accounts)):
            read = partial(
                rows.read_series, sid=sid, account=account, region=region, durations=durations
            )
            yield self._read("read results", read)

    def add_window(self, window: StoredWindow) -> None:
        accounts = "*" if window.accounts is None else json.dumps(sorted(window.accounts))
        values = (window.id, window.kind, accounts, window.start, window.end, window.name,
                  window.created_at, window.source)
        try:
            with self._transaction(f"add maintenance window {window.id!r}") as conn:
                conn.execute(
                    "INSERT INTO maintenance_windows (id, kind, accounts, start_ts, end_ts, "
                    "name, created_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise StoreError(
                    f"{self.path}: maintenance window {window.id!r} already exists"
                ) from exc
            raise

    def windows(self) -> list[StoredWindow]:
        query = (
            "SELECT id, kind, accounts, start_ts, end_ts, name, created_at, source "
            "FROM maintenance_windows ORDER BY start_ts, id"
        )
        found = self._read("read maintenance windows", lambda c: c.execute(query).fetchall())
        return [_window(row) for row in found]

    def delete_window(self, window_id: str) -> bool:
        with self._transaction(f"delete maintenance window {window_id!r}") as conn:
            cursor = conn.execute("DELETE FROM maintenance_windows WHERE id = ?", (window_id,))
            return cursor.rowcount > 0

    def integrity_check(self) -> list[str]:
        return self._read("check integrity", problems)

    def close(self) -> None:
        """Close the connection; later calls raise ``StoreError``. Safe to call twice."""
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            with suppress(sqlite3.Error):
                conn.close()


def _connect(path: str, *, create: bool, max_pages: int | None) -> sqlite3.Connection:
    """Open ``path`` with the store's settings, or raise ``StoreError`` naming it."""
    if not create and path != ":memory:" and not os.path.exists(path):
        raise StoreError(f"{path}: no such database")
    try:
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        if max_pages is not None:
            conn.execute(f"PRAGMA max_page_count = {int(max_pages)}").fetchone()
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the database: {exc}") from exc
    return conn


def _run_script(conn: sqlite3.Connection, sql: str) -> None:
    """Run a migration statement by statement, inside the open transaction.

    ``executescript`` would commit first; ``sqlite3.complete_statement`` finds where
    each statement ends, semicolons in strings and triggers included.
    """
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in statement.splitlines()
    ):
        raise StoreError(f"unterminated statement in a migration: {statement.strip()[:60]!r}")


def _window(row: tuple[str, str, str, float, float, str, float, str]) -> StoredWindow:
    accounts = None if row[2] == "*" else frozenset(json.loads(row[2]))
    return StoredWindow(
        id=row[0], kind=row[1],  # type: ignore[arg-type]  # the CHECK constraint holds it
        accounts=accounts, start=row[3], end=row[4], name=row[5], created_at=row[6],
        source=row[7],
    )
