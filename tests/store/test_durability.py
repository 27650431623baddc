"""Migrations, crashes, integrity and errors: what keeps the store trustworthy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from probe.store import SqliteStore, Store, StoreError, open_store, sqlite_path
from probe.store._migrations import migrations
from tests.store.conftest import Backend
from tests.store.helpers import probes, reference, same_r1

CRASH = """
import os, signal, sys
from probe.store import open_store
from tests.store.helpers import probes
store = open_store(sys.argv[1], interval=60, max_gap=300)
store.write(probes("....xxx"))
store.write(probes("-------xx.."))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_migrations_run_once(backend: Backend) -> None:
    store = backend.open()
    assert store.migrate() == []  # open_store applied them all already
    assert [m.version for m in migrations()] == [1, 2]
    again = backend.open()
    assert again.migrate() == []


def test_a_fresh_database_records_every_migration(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "new.db"), interval=60, max_gap=300)
    assert store.migrate() == [1, 2]
    assert store.migrate() == []
    store.close()


def test_a_schema_newer_than_the_code_is_refused(backend: Backend) -> None:
    backend.open().close()
    backend.execute("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')")
    with pytest.raises(StoreError, match="schema version 99 is newer"):
        backend.open()


def test_nothing_committed_is_lost_to_kill_9(backend: Backend) -> None:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", CRASH, backend.url("crash")], env=env,
                          check=False, timeout=300)
    assert done.returncode == -9
    store = backend.open("crash")
    same_r1(store.timelines(max_gap=300)[0],
            reference(probes("....xxx") + probes("-------xx.."))[0])
    assert store.integrity_check() == []


def test_integrity_check_finds_a_failure_with_no_segment(backend: Backend) -> None:
    store = backend.open()
    store.write(probes("..x.."))
    assert store.integrity_check() == []
    store.close()
    backend.execute("UPDATE segments SET ok = NOT ok WHERE NOT ok")
    problems = backend.open().integrity_check()
    assert [p.split(":")[0] for p in problems] == ["failure outside every failed segment"]


def test_a_full_disk_is_a_store_error_and_the_store_carries_on(tmp_path: Path) -> None:
    path = str(tmp_path / "small.db")
    open_store(f"sqlite:///{path}", interval=60, max_gap=300).close()
    pages = os.path.getsize(path) // 4096
    store = SqliteStore(path, interval=60, max_gap=300, max_pages=pages + 1)
    store.write(probes(".x"))
    lots = [p for i in range(300) for p in probes(".x" * 5, region=f"r{i}")]
    full = r"small\.db: cannot write results: database or disk is full"
    with pytest.raises(StoreError, match=full):
        store.write(lots)
    store.write(probes("--."))  # the failed batch was rolled back, the store still works
    assert [t.probes for t in store.timelines(max_gap=300)] == [3]
    store.close()


def test_a_store_that_cannot_be_opened_says_where(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"nowhere/x\.db: cannot open the database"):
        open_store(f"sqlite:///{tmp_path}/nowhere/x.db", interval=60, max_gap=300)
    with pytest.raises(StoreError, match=r"missing\.db: no such database"):
        open_store(f"sqlite:///{tmp_path}/missing.db", interval=60, max_gap=300, create=False)


def test_a_closed_store_refuses_calls(store: Store) -> None:
    store.close()
    store.close()
    with pytest.raises(StoreError, match="the store is closed"):
        store.write(probes("."))


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///probe.db", "probe.db"),
        ("sqlite:///data/probe.db", "data/probe.db"),
        ("sqlite:////var/lib/probe.db", "/var/lib/probe.db"),
        ("sqlite://:memory:", ":memory:"),
        ("sqlite:///:memory:", ":memory:"),
    ],
)
def test_sqlite_urls(url: str, path: str) -> None:
    assert sqlite_path(url) == path


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://probe:s3cret-PW@db:5432/probe", "scheme postgresql:// is not a sqlite URL"),
        ("postgres://probe:s3cret-PW@db/probe", "scheme postgresql:// is not a sqlite URL"),
        ("mysql://probe:s3cret-PW@db/probe", "scheme mysql:// is not supported;"),
        ("probe:s3cret-PW@db/probe", "database URL must look like sqlite:///"),
        ("sqlite://host/probe.db", "a sqlite URL names no host"),
        ("sqlite:///", "sqlite URL has no file name"),
        ("sqlite:///probe.db?mode=ro", "has query parameters"),
    ],
)
def test_bad_urls_are_refused_without_echoing_secrets(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as caught:
        sqlite_path(url)
    assert "s3cret" not in str(caught.value)


def test_a_memory_store_works(tmp_path: Path) -> None:
    store = open_store("sqlite://:memory:", interval=60, max_gap=300)
    store.write(probes("..x"))
    assert store.timelines(max_gap=300)[0].probes == 3
    store.close()
