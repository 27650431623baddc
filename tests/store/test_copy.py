"""``lifesize-probe migrate`` and ``copy-store``: a SQLite history moved into PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from probe.cli import main
from probe.model import ProbeResult
from probe.store import Store, StoredWindow, open_store
from probe.store.transfer import copy_store
from tests.postgres import Postgres
from tests.store.helpers import BASE, probes, reference, same_r1

HISTORY = (probes("....xxxc...--...i..", region="eu-west")
           + probes("..x....cc.....", region="us-east")
           + probes("......i...", account="globex", start=BASE + 7200))
WINDOW = StoredWindow.declare(kind="scheduled", accounts=frozenset({"acme"}), start=BASE,
                              end=BASE + 600, created_at=BASE, name="patch")


def sqlite_history(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'agent.db'}"
    store = open_store(url, interval=60, max_gap=300)
    store.write(HISTORY)
    store.add_window(WINDOW)
    store.close()
    return url


def read_back(url: str) -> tuple[list[ProbeResult], list[StoredWindow], Store]:
    store = open_store(url, interval=60, max_gap=300, create=False)
    return list(store.results()), store.windows(), store


def test_migrate_creates_then_has_nothing_to_do(
    postgres: Postgres, capsys: pytest.CaptureFixture[str]
) -> None:
    url = postgres.schema("migrate_cli")
    assert main(["migrate", "--database", url]) == 0
    assert capsys.readouterr().err == "schema at version 2 (applied 1, 2)\n"
    assert main(["migrate", "--database", url]) == 0
    assert capsys.readouterr().err == "schema at version 2 (nothing to apply)\n"
    assert postgres.execute("SELECT count(*) FROM series", url) == [(0,)]


def test_copy_store_moves_everything_exactly(
    postgres: Postgres, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = sqlite_history(tmp_path), postgres.schema("copy")
    assert main(["copy-store", source, target]) == 0
    assert capsys.readouterr().err == (
        "copied 3 series (7 failed probes in full) and 1 maintenance windows\n")
    want, want_windows, original = read_back(source)
    got, got_windows, copied = read_back(target)
    try:
        assert got == want  # failures with their timings, successes, ignored failures
        assert got_windows == want_windows == [WINDOW]
        for timeline, expected in zip(copied.timelines(max_gap=300), reference(HISTORY),
                                      strict=True):
            same_r1(timeline, expected)
        assert copied.integrity_check() == []
        copied.write(probes("...................x", region="eu-west"))  # agents carry on
        assert copied.segments("acme", "eu-west")[-1].probes == 1
    finally:
        original.close()
        copied.close()


def test_a_target_with_data_is_refused_and_left_alone(
    postgres: Postgres, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = sqlite_history(tmp_path), postgres.schema("busy")
    store = open_store(target, interval=60, max_gap=300)
    store.write(probes("..", region="ap-south"))
    store.close()
    assert main(["copy-store", source, target]) == 2
    assert "the target store holds data already" in capsys.readouterr().err
    got, windows, store = read_back(target)
    store.close()
    assert (len(got), windows) == (2, [])


def test_merge_adds_and_copying_twice_counts_nothing_twice(
    postgres: Postgres, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = sqlite_history(tmp_path), postgres.schema("merge")
    store = open_store(target, interval=60, max_gap=300)
    store.write(probes("..x", region="ap-south"))
    store.close()
    for _ in range(2):
        assert main(["copy-store", "--merge", source, target]) == 0
    assert capsys.readouterr().err.splitlines()[-1] == (
        "merged 3 series (7 failed probes in full) and 0 maintenance windows")
    got, windows, store = read_back(target)
    try:
        for timeline, expected in zip(store.timelines(max_gap=300),
                                      reference(HISTORY + probes("..x", region="ap-south")),
                                      strict=True):
            same_r1(timeline, expected)
        assert windows == [WINDOW]
        assert [r for r in got if not r.ok] == sorted(
            [r for r in [*HISTORY, *probes("..x", region="ap-south")] if not r.ok],
            key=lambda r: (r.account, r.region, r.ts))
    finally:
        store.close()


def test_long_copies_report_progress_on_stderr(
    postgres: Postgres, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"sqlite:///{tmp_path / 'many.db'}"
    store = open_store(url, interval=60, max_gap=300)
    store.write([p for i in range(250) for p in probes("..", account=f"a{i:03d}")])
    store.close()
    monkeypatch.setattr("probe.cli.store.PROGRESS_EVERY", 0.0)
    assert main(["copy-store", url, postgres.schema("progress")]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "copying: 200 of 250 series (80%)",
        "copied 250 series (0 failed probes in full) and 0 maintenance windows",
    ]


def test_copy_store_calls_progress_after_each_batch(tmp_path: Path) -> None:
    source = open_store(sqlite_history(tmp_path), interval=60, max_gap=300)
    target = open_store(f"sqlite:///{tmp_path / 'copy.db'}", interval=60, max_gap=300)
    calls: list[tuple[int, int]] = []
    copy_store(source, target, batch=2, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(2, 3), (3, 3)]
    assert list(target.results()) == list(source.results())
    source.close()
    target.close()


def test_store_command_errors_name_no_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = sqlite_history(tmp_path)
    target = "postgresql://probe:s3cret-PW@127.0.0.1:1/probe"
    assert main(["copy-store", source, target]) == 2
    assert main(["migrate", "--database", target]) == 2
    assert main(["copy-store", f"sqlite:///{tmp_path / 'none.db'}", target]) == 2
    err = capsys.readouterr().err
    assert "s3cret" not in err
    assert err.splitlines() == [
        "postgresql://probe@127.0.0.1:1/probe: cannot connect: " + line.split(": ", 2)[2]
        for line in err.splitlines()[:2]
    ] + [f"{tmp_path / 'none.db'}: no such database"]
