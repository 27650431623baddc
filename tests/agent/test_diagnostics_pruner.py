"""The agent's diagnostics pruner: one pass over a real SQLite store and a real folder.

The month of tests/reports/statement_data.py is written into the store; the folders
are those ``claim.keep``'s tests judge, so the pass must keep exactly what a claim may
still attach, and read the store only when some folder is over the budget or the age.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from probe.agent.diagnostics_pruner import keep_within_budget, prune_once
from probe.config import Settings
from probe.store import Store, StoreError, open_store
from tests.diagnostics.test_budget import NOW, evil_folders, on_disk, probe_folder
from tests.reports.statement_data import SETTINGS, all_results

pytestmark = pytest.mark.anyio

DAY = 86400.0


def settings(**diagnostics: object) -> Settings:
    return Settings.model_validate({**SETTINGS, "diagnostics": diagnostics})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'probe.db'}", interval=60, max_gap=300)
    try:
        opened.write(list(all_results()))
        yield opened
    finally:
        opened.close()


class Unreadable:
    """A store that cannot be read: any read is a ``StoreError``."""

    def timelines(self, **_: object) -> object:
        raise StoreError("database is down")

    def windows(self) -> object:
        raise StoreError("database is down")


def test_what_a_claim_may_attach_is_kept_and_the_rest_goes(store: Store,
                                                           tmp_path: Path) -> None:
    root = tmp_path / "diagnostics"
    names = {path: name for name, path in evil_folders(root).items()}
    pruned = prune_once(settings(max_bytes=0, max_age="1s"), store, root, now=NOW)
    assert {names[path] for path in on_disk(root)} == {"counted", "counted_end", "confirm",
                                                         "open"}
    assert {names[path] for path in pruned.removed} == {"short", "maintenance", "quiet"}


def test_within_budget_the_store_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "diagnostics"
    probe_folder(root, NOW - DAY, 10)
    pruned = prune_once(settings(max_bytes="1MB", max_age="40d"), Unreadable(),  # type: ignore[arg-type]
                        root, now=NOW)
    assert (pruned.count, pruned.left) == (0, sum(on_disk(root).values()))


async def test_a_pass_that_cannot_read_the_store_is_a_log_line_and_removes_nothing(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = tmp_path / "diagnostics"
    probe_folder(root, NOW - 60 * DAY, 10)
    stop = asyncio.Event()
    task = asyncio.create_task(keep_within_budget(
        settings(max_age="40d"), Unreadable(), root, stop,  # type: ignore[arg-type]
        clock=lambda: NOW, every=0.05))
    await asyncio.sleep(0.3)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert len(on_disk(root)) == 1
    skipped = [r for r in caplog.records if "pruning skipped" in r.getMessage()]
    assert skipped
    assert all(r.levelno == logging.WARNING for r in skipped)
    assert "database is down" in skipped[0].getMessage()


async def test_the_task_prunes_at_once_and_stops_when_told(store: Store,
                                                           tmp_path: Path) -> None:
    root = tmp_path / "diagnostics"
    old = probe_folder(root, NOW - 60 * DAY, 10, account="globex")
    stop = asyncio.Event()
    task = asyncio.create_task(keep_within_budget(settings(max_age="40d"), store, root, stop,
                                                  clock=lambda: NOW, every=3600))
    for _ in range(100):
        if old not in on_disk(root):
            break
        await asyncio.sleep(0.02)
    assert old not in on_disk(root)
    stop.set()
    await asyncio.wait_for(task, 5)
