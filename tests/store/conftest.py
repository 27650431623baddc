"""One store suite for every backend: the ``backend`` fixture opens real databases.

Today SQLite on a real file in ``tmp_path``; issue 6 adds PostgreSQL as a second
param of the same fixture, and every test here runs against both.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from probe.store import Store, open_store


class Backend:
    """Opens databases of one backend by name; the same name is the same database."""

    def __init__(self, kind: str, root: Path) -> None:
        self.kind, self._root = kind, root
        self._open: list[Store] = []
        self._kept: dict[str, Store] = {}

    def url(self, name: str = "store") -> str:
        return f"sqlite:///{self._root / name}.db"

    def open(self, name: str = "store", *, interval: float = 60.0, max_gap: float = 300.0) -> Store:
        store = open_store(self.url(name), interval=interval, max_gap=max_gap)
        self._open.append(store)
        return store

    def size(self, name: str = "store") -> int:
        """Bytes the database's rows and indexes take, free space in pages left out.

        SQLite: ``dbstat`` after a checkpoint. Page slack would hide a small test's
        growth (a few rows fit in pages already there) and amortises in real stores.
        """
        self.close_all()
        with closing(sqlite3.connect(self._root / f"{name}.db")) as conn:
            used = conn.execute("SELECT sum(pgsize - unused) FROM dbstat").fetchone()[0]
        return int(used)

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


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    opened = Backend(request.param, tmp_path)
    yield opened
    opened.close_all()


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.open()
