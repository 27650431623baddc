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

import os
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import partial
from typing import TypeVar

from probe.model import ProbeResult, Seconds
from probe.store import _rows as rows
from probe.store._integrity import problems
from probe.store._migrations import apply_migrations
from probe.store._rebuild import StoredSeries
from probe.store.base import SeriesRows, StoredWindow, StoreError

T = TypeVar("T")
BUSY_TIMEOUT_MS = 10_000


class SqliteStore(StoredSeries):
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
            return apply_migrations(conn, where=self.path)

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

    def _each_series(
        self, accounts: Collection[str] | None, *, durations: bool
    ) -> Iterator[SeriesRows]:
        """Series one at a time, the lock taken per series so writers are not starved."""
        for sid, account, region in self._read("read series", lambda c: rows.series(c, accounts)):
            read = partial(
                rows.read_series, sid=sid, account=account, region=region, durations=durations
            )
            yield self._read("read results", read)

    def series(self) -> list[tuple[str, str]]:
        return [(a, r) for _, a, r in self._read("read series", lambda c: rows.series(c, None))]

    def load(self, found: Sequence[SeriesRows]) -> None:
        with self._transaction("load series") as conn:
            for one in found:
                rows.load_series(conn, one)

    def add_window(self, window: StoredWindow) -> None:
        try:
            with self._transaction(f"add maintenance window {window.id!r}") as conn:
                rows.insert_window(conn, window)
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise StoreError(
                    f"{self.path}: maintenance window {window.id!r} already exists"
                ) from exc
            raise

    def windows(self) -> list[StoredWindow]:
        return self._read("read maintenance windows", rows.read_windows)

    def delete_window(self, window_id: str) -> bool:
        with self._transaction(f"delete maintenance window {window_id!r}") as conn:
            return rows.delete_window(conn, window_id)

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
