"""The diagnostics budget: size, age, protection, and what ``claim.keep`` protects.

Real folders on disk, written by ``DiagnosticsDir`` as a browser flow writes them.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probe.claim.keep import Protected, claimable_months, protected_folders, protected_in
from probe.config import Settings
from probe.diagnostics import DiagnosticsDir
from probe.diagnostics.budget import Folder, folders, prune
from probe.diagnostics.folders import safe_name
from probe.model import ProbeResult, SlaPolicy
from probe.sla import region_timeline
from probe.statement import History
from tests.helpers import at
from tests.reports.statement_data import EVIL, SETTINGS, all_results, october_report

DAY = 86400.0
NOW = at("2026-11-02T00:00")


def probe_folder(root: Path, ts: float, size: int, *, account: str = "acme",
                 region: str = "eu-west", attempt: int = 1) -> str:
    folder = DiagnosticsDir(root).new_probe(account=account, region=region, ts=ts,
                                            attempt=attempt)
    folder.add(kind="screenshot", name="screenshot.png", data=b"s" * size)
    folder.add(kind="console", name="console.log", data=b"")
    return folder.relative.as_posix()


def on_disk(root: Path) -> dict[str, int]:
    return {f.path: f.bytes for f in folders(root)}


def test_folders_reads_the_layout_diagnostics_dir_writes(tmp_path: Path) -> None:
    ts = at("2026-10-05T10:00") + 0.123
    path = probe_folder(tmp_path, ts, 10, account="a b/c", attempt=2)
    (tmp_path / "stray.txt").write_text("not a probe")
    (tmp_path / "acme" / "eu-west" / "not-a-probe").mkdir(parents=True)
    [found] = folders(tmp_path)
    assert found == Folder(account=safe_name("a b/c"), region="eu-west", ts=ts, attempt=2,
                           path=path, bytes=10)
    assert list(folders(tmp_path / "absent")) == []


def test_oldest_go_first_until_the_budget_is_met(tmp_path: Path) -> None:
    paths = [probe_folder(tmp_path, NOW - (5 - n) * 3600, 100) for n in range(5)]
    pruned = prune(tmp_path, max_bytes=250, max_age=30 * DAY, now=NOW)
    assert pruned.removed == tuple(paths[:3])
    assert (pruned.count, pruned.bytes, pruned.left) == (3, 300, 200)
    assert set(on_disk(tmp_path)) == set(paths[3:])


def test_nothing_older_than_max_age_is_left(tmp_path: Path) -> None:
    old = probe_folder(tmp_path, NOW - 41 * DAY, 1, region="us-east")
    young = probe_folder(tmp_path, NOW - 39 * DAY, 1)
    pruned = prune(tmp_path, max_bytes=10**9, max_age=40 * DAY, now=NOW)
    assert pruned.removed == (old,)
    assert list(on_disk(tmp_path)) == [young]
    assert not (tmp_path / "acme" / "us-east").exists(), "an emptied region goes too"


def test_protected_folders_survive_age_and_budget(tmp_path: Path) -> None:
    kept = probe_folder(tmp_path, NOW - 60 * DAY, 500)
    other = probe_folder(tmp_path, NOW - DAY, 100)
    pruned = prune(tmp_path, max_bytes=0, max_age=DAY / 2, now=NOW, keep={kept})
    assert pruned.removed == (other,)
    assert pruned.left == 500, "over budget: only protected folders are left"
    assert list(on_disk(tmp_path)) == [kept]


def test_within_budget_and_age_nothing_is_touched(tmp_path: Path) -> None:
    paths = {probe_folder(tmp_path, NOW - n * 60, 10) for n in range(3)}
    assert prune(tmp_path, max_bytes=30, max_age=DAY, now=NOW).removed == ()
    assert set(on_disk(tmp_path)) == paths


def test_one_walk_and_no_file_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap for tens of thousands of files: each directory listed once, no file read."""
    for n in range(60):
        probe_folder(tmp_path, NOW - n * 60, 10, account=f"a{n % 2}", region=f"r{n % 3}")
    scans: list[str] = []
    real = os.scandir

    def counting(path: str | os.PathLike[str]) -> Iterator[os.DirEntry[str]]:
        scans.append(str(path))
        return real(path)

    monkeypatch.setattr("probe.diagnostics.budget.os.scandir", counting)
    monkeypatch.setattr("builtins.open", None)
    pruned = prune(tmp_path, max_bytes=10**9, max_age=DAY, now=NOW)
    assert pruned.removed == ()
    assert len(scans) == len(set(scans)) == 1 + 2 + 6 + 60


FOLDERS = st.lists(st.tuples(st.integers(0, 90), st.integers(0, 500), st.booleans()),
                   max_size=12)


@settings(max_examples=60, deadline=None)
@given(found=FOLDERS, max_bytes=st.integers(0, 3000), max_age_days=st.integers(1, 60))
def test_the_budget_is_met_unless_everything_left_is_protected(
    found: list[tuple[int, int, bool]], max_bytes: int, max_age_days: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        written = {probe_folder(root, NOW - age * DAY - n, size, region=f"r{n % 3}"):
                   (age, protect) for n, (age, size, protect) in enumerate(found)}
        keep = {path for path, (_, protect) in written.items() if protect}
        before = {f.path: f for f in folders(root)}
        pruned = prune(root, max_bytes=max_bytes, max_age=max_age_days * DAY, now=NOW,
                       keep=keep)
        left = on_disk(root)
    assert keep <= set(left), "protected folders survive"
    assert set(left) | set(pruned.removed) == set(before)
    assert pruned.bytes == sum(before[p].bytes for p in pruned.removed)
    assert pruned.left == sum(left.values())
    unprotected = [p for p in left if p not in keep]
    assert pruned.left <= max_bytes or not unprotected, "the budget is met"
    assert all(written[p][0] <= max_age_days for p in unprotected), "none too old is left"
    assert all(before[r].ts <= before[k].ts for r in pruned.removed for k in unprotected), \
        "the oldest go first"


# -- what a claim may still need (probe.claim.keep) ------------------------------------

POLICY = Settings.model_validate(SETTINGS).policy()


def evil_folders(root: Path) -> dict[str, str]:
    """A folder per kind of moment of the statement month, EVIL's eu-west region."""
    moments = {
        "counted": at("2026-10-05T10:20"), "counted_end": at("2026-10-05T10:44"),
        "confirm": at("2026-10-05T10:44") + 40, "short": at("2026-10-12T14:02"),
        "maintenance": at("2026-10-20T02:20"), "open": at("2026-10-31T23:55"),
        "quiet": at("2026-10-08T12:00"),
    }
    return {name: probe_folder(root, ts, 10, account=EVIL, region="eu-west")
            for name, ts in moments.items()}


def kept_at(root: Path, protect: Protected) -> set[str]:
    names = {path: name for name, path in evil_folders(root).items()}
    prune(root, max_bytes=0, max_age=0, now=NOW, keep=protect)
    return {names[path] for path in on_disk(root)}


def test_counted_outages_before_their_deadline_are_kept(tmp_path: Path) -> None:
    protect = protected_folders(october_report().accounts, now=NOW, policy=POLICY)
    assert kept_at(tmp_path, protect) == {"counted", "counted_end", "confirm", "open"}


def test_past_the_deadline_a_counted_outage_may_go(tmp_path: Path) -> None:
    protect = protected_folders(october_report().accounts, now=at("2026-11-10T00:00"),
                                policy=POLICY)
    assert kept_at(tmp_path, protect) == {"open"}


def test_another_region_or_account_is_not_kept(tmp_path: Path) -> None:
    protect = protected_folders(october_report().accounts, now=NOW, policy=POLICY)
    ts = at("2026-10-05T10:20")
    assert protect(Folder(account=safe_name(EVIL), region="eu-west", ts=ts, attempt=1,
                          path="x", bytes=0))
    assert not protect(Folder(account=safe_name(EVIL), region="mars", ts=ts, attempt=1,
                              path="x", bytes=0))
    assert not protect(Folder(account="globex", region="eu-west", ts=ts, attempt=1,
                              path="x", bytes=0))


def test_protected_in_reads_the_months_a_claim_can_reach(tmp_path: Path) -> None:
    config = Settings.model_validate(SETTINGS)
    by_series: dict[tuple[str, str], list[ProbeResult]] = {}
    for result in all_results():
        by_series.setdefault((result.account, result.region), []).append(result)
    history = History(timelines=[region_timeline(a, r, found, max_gap=300)
                                 for (a, r), found in by_series.items()])
    assert kept_at(tmp_path, protected_in(history, config, now=NOW)) == {
        "counted", "counted_end", "confirm", "open"}


@pytest.mark.parametrize(("now", "labels"), [
    ("2026-11-02T00:00", ["2026-10", "2026-11"]),
    ("2026-11-30T12:00", ["2026-10", "2026-11"]),
    ("2026-12-31T12:00", ["2026-12"]),
    ("2026-03-15T00:00", ["2026-02", "2026-03"]),
])
def test_claimable_months(now: str, labels: list[str]) -> None:
    months = claimable_months(at(now), SlaPolicy(claim_within=30 * DAY))
    assert [m.label for m in months] == labels
    assert months[-1].as_of == at(now)
