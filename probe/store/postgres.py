"""The PostgreSQL store: one database that the agents of every region share.

psycopg 3 with a ``psycopg_pool`` connection pool: the agent calls the store from
worker threads, each call borrows a connection for one transaction. The schema is
the SQLite store's (the same migration files, ``_migrations.for_postgres``).

Several processes at once:

* Migrations take a transaction-level advisory lock first, so agents starting
  together apply each migration once, one after the other (DDL is transactional
  in PostgreSQL, so a failed migration leaves nothing behind).
* A write locks the rows of its series (``_pg.lock_series``) before reading their
  segments. Each ``(account, region)`` has one regional agent, so the locks are not
  contended; they make a batch sent twice, or by two processes at once, land once.
  A deadlock or serialisation failure (rare: locks are taken in id order) is retried.
* Reads run in ``REPEATABLE READ`` transactions, a chunk of series at a time.

Passwords: the URL goes to psycopg only; messages name ``PgUrl.shown``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

import psycopg
from psycopg import errors
from psycopg_pool import ConnectionPool

from probe.model import ProbeResult, Seconds
from probe.store import _pg
from probe.store import _rows as rows
from probe.store._integrity import invariant_problems
from probe.store._migrations import apply_migrations, for_postgres
from probe.store._pg_url import PgUrl, parse_pg_url
from probe.store._rebuild import StoredSeries
from probe.store.base import SeriesRows, StoredWindow, StoreError

T = TypeVar("T")

MIGRATION_LOCK = 0x6C69_6665_7369_7A65
"""``pg_advisory_xact_lock`` key of migrations: "lifesize" in ASCII."""
CHUNK = 1000
"""Series read per transaction: bounded memory, and no reader holds a snapshot long."""
POOL_SIZE = 4
"""Connections at most: the agent's writer, refresher and web side, and one spare."""
CONNECT_TIMEOUT = 10
RETRIES = 3
_RETRY = (errors.DeadlockDetected, errors.SerializationFailure)


class PostgresStore(StoredSeries):
    """A ``Store`` in a PostgreSQL database; ``url`` is ``postgresql://…`` (libpq's form).

    ``interval``, ``max_gap`` and ``create`` mean what they do for ``SqliteStore``;
    ``create=False`` refuses a database without the store's tables.
    """

    def __init__(
        self, url: str, *, interval: Seconds, max_gap: Seconds, create: bool = True
    ) -> None:
        if interval <= 0 or max_gap <= 0:
            raise ValueError(f"interval and max_gap must be positive, got {interval}, {max_gap}")
        try:
            self.url: PgUrl = parse_pg_url(url)
        except ValueError as exc:
            raise StoreError(f"database URL: {exc}") from None
        self.break_gap = min(2 * interval, max_gap)
        self._series: dict[tuple[str, str], int] = {}
        self._series_lock = threading.Lock()
        self._pool = self._open_pool()
        if not create and not self._has_store():
            self.close()
            raise StoreError(f"{self.url}: no lifesize-probe store in this database "
                             "(lifesize-probe migrate --database URL creates one)")

    def __repr__(self) -> str:
        return f"PostgresStore({self.url.shown!r})"

    # plumbing ---------------------------------------------------------------------------

    def _open_pool(self) -> ConnectionPool[Any]:
        """One connection first, for a clear error; then the pool, filled in the background."""
        options = {"application_name": "lifesize-probe", "connect_timeout": CONNECT_TIMEOUT}
        try:
            psycopg.connect(self.url.conninfo, **options).close()  # type: ignore[arg-type]
        except psycopg.Error as exc:
            raise StoreError(f"{self.url}: cannot connect: {self.url.redact(str(exc))}") from None
        pool: ConnectionPool[Any] = ConnectionPool(
            self.url.conninfo, min_size=1, max_size=POOL_SIZE, kwargs=options, open=False,
            name="lifesize-probe", check=ConnectionPool.check_connection, timeout=30)
        pool.open()
        return pool

    @contextmanager
    def _transaction(self, action: str) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection in one transaction, committed at the end, rolled back on
        error; any psycopg error becomes one ``StoreError`` line without secrets."""
        if self._pool.closed:
            raise StoreError(f"{self.url}: cannot {action}: the store is closed")
        try:
            with self._pool.connection() as conn:
                yield conn
        except psycopg.Error as exc:
            message = self.url.redact(str(exc)) or type(exc).__name__
            raise StoreError(f"{self.url}: cannot {action}: {message}") from exc

    def _read(self, action: str, query: Callable[[psycopg.Connection[Any]], T]) -> T:
        """``query`` in a read-only transaction that sees one snapshot throughout."""
        with self._transaction(action) as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return query(conn)

    def _has_store(self) -> bool:
        query = "SELECT to_regclass('schema_migrations') IS NOT NULL"
        return bool(self._read("look for the store", lambda c: c.execute(query).fetchall()[0][0]))

    # Store ------------------------------------------------------------------------------

    def migrate(self) -> list[int]:
        """Pending migrations in one transaction, behind the advisory lock."""
        with self._transaction("migrate the schema") as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            return apply_migrations(_pg.Rows(conn), where=str(self.url), dialect=for_postgres)

    def write(self, results: Sequence[ProbeResult]) -> None:
        """All ``results`` in one transaction; retried on a deadlock (nothing was kept)."""
        grouped: dict[tuple[str, str], list[ProbeResult]] = {}
        for result in results:
            grouped.setdefault((result.account, result.region), []).append(result)
        if not grouped:
            return
        for attempt in range(1, RETRIES + 1):
            try:
                ids = self._write(grouped)
                break
            except StoreError as exc:
                if attempt == RETRIES or not isinstance(exc.__cause__, _RETRY):
                    raise
        with self._series_lock:
            self._series.update(ids)  # only once committed: a rollback may drop new ids

    def _write(self, grouped: dict[tuple[str, str], list[ProbeResult]]
               ) -> dict[tuple[str, str], int]:
        with self._series_lock:
            new = [key for key in grouped if key not in self._series]
        with self._transaction("write results") as conn:
            ids = _pg.lock_series(conn, list(grouped), new=new)
            last = _pg.last_segments(conn, ids.values())
            appended, late = _pg.Appended(), []
            ignored = [(ids[k], p) for k, ps in grouped.items() for p in ps if not p.is_evidence]
            for key, probes in grouped.items():
                sid, evidence = ids[key], _pg.merged(p for p in probes if p.is_evidence)
                if not appended.add(sid, last.get(sid), evidence, self.break_gap):
                    late.append((sid, probes))
            appended.write(conn)
            if ignored:
                _pg.insert_failures(conn, "ignored", ignored)
            shared = _pg.Rows(conn)
            for sid, probes in late:
                for probe in sorted(probes, key=lambda p: p.ts):
                    if probe.is_evidence:
                        rows.write_probe(shared, sid, probe, self.break_gap)
        return ids

    def series(self) -> list[tuple[str, str]]:
        return [(a, r) for _, a, r in self._read("read series", lambda c: rows.series(
            _pg.Rows(c), None))]

    def load(self, found: Sequence[SeriesRows]) -> None:
        with self._transaction("load series") as conn:
            shared = _pg.Rows(conn)
            for one in found:
                rows.load_series(shared, one)

    def _each_series(
        self, accounts: Collection[str] | None, *, durations: bool
    ) -> Iterator[SeriesRows]:
        """Series by account and region, ``CHUNK`` of them per read transaction."""
        wanted = self._read("read series", lambda c: rows.series(_pg.Rows(c), accounts))
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            read = partial(_pg.read_rows, series=chunk, durations=durations)
            yield from self._read("read results", read)

    def add_window(self, window: StoredWindow) -> None:
        try:
            with self._transaction(f"add maintenance window {window.id!r}") as conn:
                rows.insert_window(_pg.Rows(conn), window)
        except StoreError as exc:
            if isinstance(exc.__cause__, errors.UniqueViolation):
                raise StoreError(
                    f"{self.url}: maintenance window {window.id!r} already exists") from exc
            raise

    def windows(self) -> list[StoredWindow]:
        return self._read("read maintenance windows", lambda c: rows.read_windows(_pg.Rows(c)))

    def delete_window(self, window_id: str) -> bool:
        with self._transaction(f"delete maintenance window {window_id!r}") as conn:
            return rows.delete_window(_pg.Rows(conn), window_id)

    def integrity_check(self) -> list[str]:
        """The store's invariants; PostgreSQL enforces the foreign keys itself."""
        return self._read("check integrity", lambda c: invariant_problems(_pg.Rows(c)))

    def close(self) -> None:
        """Close the pool; later calls raise ``StoreError``. Safe to call twice."""
        self._pool.close()
