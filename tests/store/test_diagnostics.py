"""The diagnostic files of failed probes in the store (migration 0002), on both backends.

Kept with the failure and the ignored failure they belong to, read back where durations
are (exports, claims), carried by copies, and of two failures at one instant the one
R1 keeps keeps its own files. A store made before 0002 upgrades in place.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import cast

from probe.model import DiagnosticFile, ProbeResult
from probe.store import open_store
from probe.store._migrations import CREATE_TABLE, for_postgres, migrations, statements
from probe.store._rebuild import StoredSeries
from probe.store.transfer import copy_store
from tests.store.conftest import Backend
from tests.store.helpers import BASE, probes


def files(folder: str, *kinds: str) -> tuple[DiagnosticFile, ...]:
    return tuple(
        DiagnosticFile(kind=kind, path=f"acme/eu-west/{folder}/{kind}.bin",
                       sha256=hashlib.sha256(f"{folder}{kind}".encode()).hexdigest(),
                       size=100 + n)
        for n, kind in enumerate(kinds))


def with_files(found: list[ProbeResult]) -> list[ProbeResult]:
    """Every failure of ``found`` with files of its own (the successes have none)."""
    return [p if p.ok else replace(p, diagnostics=files(f"{p.ts:.0f}-1", "screenshot",
                                                        "trace")) for p in found]


def diagnostics_of(found: list[ProbeResult]) -> dict[float, tuple[DiagnosticFile, ...]]:
    return {p.ts: p.diagnostics for p in found if not p.ok}


def test_failures_and_ignored_keep_their_files(backend: Backend) -> None:
    written = with_files(probes("..xxc..i.x"))
    store = backend.open()
    store.write(written)
    back = list(store.results())
    assert back == written
    assert diagnostics_of(back) == diagnostics_of(written)
    assert all(f.diagnostics for f in back if not f.ok)


def test_a_failure_without_files_reads_back_without_files(backend: Backend) -> None:
    store = backend.open()
    store.write(probes("..x.i"))
    assert all(p.diagnostics == () for p in store.results())


def test_readers_of_r1_do_not_decode_them(backend: Backend) -> None:
    store = backend.open()
    store.write(with_files(probes("..xx")))
    reader = cast(StoredSeries, store)
    rows = list(reader._each_series(None, durations=False))
    assert [f.diagnostics for f in rows[0].failures] == [(), ()]


def test_of_two_failures_at_one_instant_the_kept_one_keeps_its_files(
    backend: Backend,
) -> None:
    """R1's tie-break (failure_rank, the smallest step and error): "call" before
    "login"; the winner's files go with it, the loser's are not kept."""
    store = backend.open()
    login = ProbeResult(ts=BASE, account="acme", region="eu-west", ok=False, step="login",
                        error="http_503", diagnostics=files("login", "screenshot"))
    call = replace(login, step="call", error="timeout", diagnostics=files("call", "trace"))
    store.write([login])
    store.write([call])  # at an instant already stored: the shared row path
    store.write([replace(login, diagnostics=files("again", "console"))])  # ranks after
    [kept] = list(store.results())
    assert (kept.step, kept.diagnostics) == ("call", files("call", "trace"))


def test_one_batch_with_both_keeps_the_winner_files(backend: Backend) -> None:
    store = backend.open()
    login = ProbeResult(ts=BASE, account="acme", region="eu-west", ok=False, step="login",
                        error="http_503", diagnostics=files("login", "screenshot"))
    call = replace(login, step="call", error="timeout", diagnostics=files("call", "trace"))
    store.write([login, call])
    [kept] = list(store.results())
    assert (kept.step, kept.diagnostics) == ("call", files("call", "trace"))


def test_a_copy_carries_them(backend: Backend) -> None:
    written = with_files(probes("..xxc..i.x") + probes(".x..", region="us-east"))
    source, target = backend.open("source"), backend.open("target")
    source.write(written)
    copy_store(source, target)
    assert diagnostics_of(list(target.results())) == diagnostics_of(written)
    merged = backend.open("merged")
    copy_store(source, merged, merge=True)
    assert diagnostics_of(list(merged.results())) == diagnostics_of(written)


def test_a_sqlite_history_copies_into_either_backend(backend: Backend, tmp_path: Path) -> None:
    written = with_files(probes("..xx..i"))
    other = open_store(f"sqlite:///{tmp_path / 'other.db'}", interval=60, max_gap=300)
    try:
        other.write(written)
        target = backend.open("from_sqlite")
        copy_store(other, target)
        assert diagnostics_of(list(target.results())) == diagnostics_of(written)
    finally:
        other.close()


def _make_0001_store(backend: Backend) -> None:
    """A store as lifesize-probe wrote it before 0002, with one failed probe in it."""
    first = migrations()[0]
    dialect = for_postgres if backend.kind == "postgres" else str
    backend.execute(CREATE_TABLE)
    for statement in statements(dialect(first.sql)):
        backend.execute(statement)
    for sql in (
        f"INSERT INTO schema_migrations (version, name) VALUES (1, '{first.name}')",
        "INSERT INTO series (id, account, region) VALUES (1, 'acme', 'eu-west')",
        f"INSERT INTO segments (series_id, first_ts, last_ts, probes, ok, max_step, prev_ts) "
        f"VALUES (1, {BASE}, {BASE}, 1, FALSE, 0, NULL)",
        f"INSERT INTO failures (series_id, ts, step, error, durations) "
        f"VALUES (1, {BASE}, 'login', 'http_503', '{{\"login\":1.5}}')",
    ):
        backend.execute(sql)


def test_a_store_made_before_0002_upgrades_and_keeps_its_failures(backend: Backend) -> None:
    _make_0001_store(backend)
    store = backend.open()  # open_store applies 0002
    assert store.migrate() == []
    assert store.integrity_check() == []
    [old] = list(store.results())
    assert (old.ts, old.step, dict(old.durations), old.diagnostics) == (
        BASE, "login", {"login": 1.5}, ())
    new = with_files(probes("x", start=BASE + 60))
    store.write(new)
    assert diagnostics_of(list(store.results())) == {BASE: (), **diagnostics_of(new)}
