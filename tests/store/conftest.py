"""One store suite for every backend: the ``backend`` fixture opens real databases.

SQLite on a real file in ``tmp_path``; PostgreSQL in a fresh schema of the session's
database (``tests/postgres.py``). Every test taking ``backend`` or ``store`` runs
against both.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from probe.store import Store, open_store
from tests.postgres import Postgres

_backends = itertools.count(1)


class Backend:
    """Opens databases of one backend by name; the same name is the same database."""

    def __init__(self, kind: str, root: Path, postgres: Postgres | None = None) -> None:
        self.kind, self._root, self._postgres = kind, root, postgres
        self._prefix = f"t{next(_backends)}"
        self._urls: dict[str, str] = {}
        self._open: list[Store] = []
        self._kept: dict[str, Store] = {}

    def url(self, name: str = "store") -> str:
        if self._postgres is None:
            return f"sqlite:///{self._root / name}.db"
        if name not in self._urls:
            self._urls[name] = self._postgres.schema(f"{self._prefix}_{name}")
        return self._urls[name]

    def open(self, name: str = "store", *, interval: float = 60.0, max_gap: float = 300.0) -> Store:
        store = open_store(self.url(name), interval=interval, max_gap=max_gap)
        self._open.append(store)
        return store

    def execute(self, sql: str, name: str = "store") -> None:
        """One statement on the database behind the store's back (to damage it)."""
        if self._postgres is None:
            with closing(sqlite3.connect(self._root / f"{name}.db")) as conn, conn:
                conn.execute(sql)
        else:
            self._postgres.execute(sql, self.url(name))

    def size(self, name: str = "store") -> int:
        """Bytes the database's rows and indexes take, free space in pages left out.

        SQLite: ``dbstat`` after a checkpoint. PostgreSQL: ``pgstattuple``'s live tuple
        bytes of every table and index. Page slack (and PostgreSQL's dead row versions,
        left to vacuum) would hide a small test's growth and amortises in real stores.
        """
        self.close_all()
        if self._postgres is not None:
            return self._pg_size(name)
        with closing(sqlite3.connect(self._root / f"{name}.db")) as conn:
            used = conn.execute("SELECT sum(pgsize - unused) FROM dbstat").fetchone()[0]
        return int(used)

    def _pg_size(self, name: str) -> int:
        assert self._postgres is not None
        url = self.url(name)
        self._postgres.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple SCHEMA public")
        [(used,)] = self._postgres.execute(
            "SELECT coalesce(sum((public.pgstattuple(c.oid)).tuple_len), 0) FROM pg_class c "
            "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'i')",
            url)
        return int(used)  # type: ignore[call-overload]

    def kept(self, name: str, *, interval: float = 60.0, max_gap: float = 300.0) -> Store:
        """One store per name for the whole test: hypothesis examples share it (each
        example writes its own accounts), so a slow disk does not pay a new database
        per example."""
        if name not in self._kept:
            self._kept[name] = self.open(name, interval=interval, max_gap=max_gap)
        return self._kept[name]

    def close_all(self) -> None:
        for store in self._open:
            store.close()
        self._open, self._kept = [], {}


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    postgres = request.getfixturevalue("postgres") if request.param == "postgres" else None
    opened = Backend(request.param, tmp_path, postgres)
    yield opened
    opened.close_all()


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.open()
