"""What only the shared PostgreSQL store has to get right: several processes at once,
and a password in its URL that must never come out again."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from probe.store import Store, StoreError, open_store
from probe.store._migrations import for_postgres, migrations
from tests.postgres import Postgres
from tests.store.helpers import MINUTE, probes, reference, same_r1

ROOT = Path(__file__).resolve().parents[2]

MIGRATE = """
import os, sys, time
from probe.store.postgres import PostgresStore
store = PostgresStore(sys.argv[1], interval=60, max_gap=300)
while not os.path.exists(sys.argv[2]):  # every process connected: go at once
    time.sleep(0.001)
print(store.migrate())
store.close()
"""


def test_three_processes_migrating_at_once_apply_each_migration_once(
    postgres: Postgres, tmp_path: Path
) -> None:
    url, go = postgres.schema("migrate"), tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    children = [
        subprocess.Popen([sys.executable, "-c", MIGRATE, url, str(go)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    time.sleep(1.0)  # let them connect; not needed for correctness, only for a real race
    go.touch()
    outputs = [child.communicate(timeout=300) for child in children]
    assert [child.returncode for child in children] == [0, 0, 0], outputs
    applied = sorted(out.strip() for out, _ in outputs)
    everything = str([m.version for m in migrations()])
    assert applied == sorted(["[]", "[]", everything])
    ledger = postgres.execute("SELECT version FROM schema_migrations ORDER BY version", url)
    assert [row[0] for row in ledger] == [m.version for m in migrations()]


def test_two_writers_sending_the_same_batches_at_once_store_them_once(
    postgres: Postgres,
) -> None:
    """A replay racing the original (two processes, or an agent and an importer)."""
    url = postgres.schema("race")
    stores = [open_store(url, interval=60, max_gap=300) for _ in range(2)]
    pattern = ".....xxxx.....x...xx......" * 4
    written = [p for region in ("eu-west", "us-east", "ap-south")
               for p in probes(pattern, region=region)]
    batches = [[p for p in written if i * MINUTE <= p.ts - written[0].ts < (i + 1) * MINUTE]
               for i in range(len(pattern))]

    together, failed = threading.Barrier(2), []

    def writer(store: Store) -> None:
        for batch in batches:
            together.wait(timeout=60)  # both send this batch at the same moment
            try:
                store.write(batch)
            except StoreError as exc:
                failed.append(exc)

    threads = [threading.Thread(target=writer, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    try:
        got = stores[0].timelines(max_gap=300)
        for timeline, want in zip(got, reference(written), strict=True):
            same_r1(timeline, want)
        assert len(list(stores[0].results())) == len(written)
        assert stores[0].integrity_check() == []
    finally:
        for store in stores:
            store.close()


def with_password(url: str, password: str, user: str | None = None) -> str:
    parts = urlsplit(url)
    who = user or parts.username or "postgres"
    return urlunsplit(parts._replace(netloc=f"{who}:{password}@{parts.hostname}:{parts.port}"))


def test_a_password_never_shows_in_errors_reprs_or_logs(
    postgres: Postgres, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = urlsplit(postgres.url()).password or "s3cret-PW-4f2a"  # trust auth ignores it
    store = open_store(with_password(postgres.url(), secret), interval=60, max_gap=300)
    texts = [repr(store), str(store.url)]
    store.close()
    with pytest.raises(StoreError) as closed:
        store.write(probes("."))
    with pytest.raises(StoreError) as refused:
        open_store(f"postgresql://probe:{secret}@127.0.0.1:1/probe", interval=60, max_gap=300)
    with pytest.raises(StoreError) as unknown:
        open_store(with_password(postgres.url(), secret, user="nobody"), interval=60,
                   max_gap=300)
    errors = [str(closed.value), str(refused.value), str(unknown.value)]
    texts += errors + [record.getMessage() for record in caplog.records]
    assert not [text for text in texts if secret in text]
    assert all("\n" not in error for error in errors)
    assert errors[1].startswith("postgresql://probe@127.0.0.1:1/probe: cannot connect: ")
    assert 'role "nobody" does not exist' in errors[2]


def test_a_reader_refuses_a_database_without_the_store(postgres: Postgres) -> None:
    with pytest.raises(StoreError, match="no lifesize-probe store in this database"):
        open_store(postgres.schema("empty"), interval=60, max_gap=300, create=False)


def test_the_dialect_changes_only_the_numbered_key() -> None:
    sql = migrations()[0].sql
    translated = for_postgres(sql)
    assert "id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY," in translated
    assert "series_id INTEGER NOT NULL REFERENCES series (id)" in translated
    assert translated.replace(" GENERATED BY DEFAULT AS IDENTITY", "") == sql


NEEDS_POSTGRES = "def test_needs_a_server(postgres):\n    pass\n"


@pytest.mark.parametrize("ci", ["", "true"])
def test_without_a_server_tests_skip_saying_why_but_fail_under_ci(
    tmp_path: Path, ci: str
) -> None:
    (tmp_path / "test_needs.py").write_text(NEEDS_POSTGRES)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CI": ci,
           "LIFESIZE_TEST_POSTGRES": "postgresql://postgres@127.0.0.1:1/test"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "tests.postgres",
         "-p", "no:cacheprovider", "test_needs.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    reason = "PostgreSQL for the tests: postgresql://postgres@127.0.0.1:1/test: connection"
    assert reason in done.stdout
    if ci:
        assert done.returncode == 1
        assert "CI=true: these tests must run, not skip" in done.stdout
    else:
        assert done.returncode == 0
        assert "1 skipped" in done.stdout
