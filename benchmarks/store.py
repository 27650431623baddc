"""Store benchmark: write throughput, bytes per healthy day, and a month report from the store.

1. Writes: 10,000 account-regions, each round one probe per account-region in one
   ``write`` call (what an agent does each interval), mostly ok with a few outages.
   Target: at least 5,000 probe writes a second.
2. Size: a day of one-minute successes for 200 account-regions, written round by
   round; bytes per healthy account-region per day (target: well under 1 KB).
3. Month report: 1,000 accounts x 3 regions for October 2026 (133 million one-minute
   probes). Writing them through ``write`` would take hours, so the month is
   synthesized directly as the rows ``write`` would have produced (ok segments between
   failure runs, every failure in full); then ``store.timelines`` ->
   ``probe.sla.histories`` -> ``build_report`` over ``calendar_month``. Target: < 5 s.

Prints wall and CPU seconds: on a busy machine the wall clock mostly measures others.

    python benchmarks/store.py [--rounds 10] [--accounts 1000]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from probe.model import ProbeResult, SlaPolicy
from probe.sla import build_report, calendar_month, histories
from probe.store import open_store

T = TypeVar("T")
MONTH_START = datetime(2026, 10, 1, tzinfo=UTC).timestamp()
MINUTES = 31 * 24 * 60
REGIONS = ("eu-west", "us-east", "ap-south")


def timed(label: str, work: Callable[[], T]) -> tuple[T, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"  {label}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    return result, wall


def write_throughput(root: Path, rounds: int) -> None:
    print(f"writes: 10,000 account-regions x {rounds} rounds, one write() per round")
    store = open_store(f"sqlite:///{root / 'writes.db'}", interval=60, max_gap=300)
    keys = [(f"account-{i // 3:04d}", REGIONS[i % 3]) for i in range(10_000)]
    rng = random.Random(7)
    failing = {k for k in keys if rng.random() < 0.01}  # 1 % of series in an outage
    batches = [
        [ProbeResult(MONTH_START + 60 * n, a, r, (a, r) not in failing or n % 10 < 3,
                     None if (a, r) not in failing else "login",
                     None if (a, r) not in failing else "http_503")
         for a, r in keys]
        for n in range(rounds)
    ]
    cpu = time.process_time()
    _, wall = timed("write", lambda: [store.write(batch) for batch in batches])
    cpu = time.process_time() - cpu
    total = rounds * len(keys)
    print(f"  {total / wall:,.0f} probes/s wall, {total / cpu:,.0f} probes/s CPU "
          f"(target 5,000)")
    store.close()


def bytes_per_day(root: Path, series: int = 200) -> None:
    print(f"size: {series} healthy account-regions, 1,440 one-minute probes a day")
    path = root / "size.db"
    open_store(f"sqlite:///{path}", interval=60, max_gap=300).close()
    sizes = [_used_bytes(path)]
    keys = [(f"account-{i:04d}", "eu-west") for i in range(series)]
    for day in range(2):
        store = open_store(f"sqlite:///{path}", interval=60, max_gap=300)
        for minute in range(day * 1440, (day + 1) * 1440):
            store.write([ProbeResult(MONTH_START + 60 * minute, a, r, True) for a, r in keys])
        store.close()  # checkpoints the WAL into the file
        sizes.append(_used_bytes(path))
    print(f"  first day: {(sizes[1] - sizes[0]) / series:.0f} bytes per account-region "
          f"(series row + one segment, with indexes); second day: "
          f"{(sizes[2] - sizes[1]) / series:.0f} bytes (the segment is extended in place)")


def _used_bytes(path: Path) -> int:
    """Bytes in use by rows and indexes (``dbstat``): page slack left out."""
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT sum(pgsize - unused) FROM dbstat").fetchone()[0])


def month_report(root: Path, accounts: int) -> None:
    count = accounts * len(REGIONS)
    print(f"month report: {accounts:,} accounts x 3 regions, October 2026 "
          f"({count * MINUTES / 1e6:.0f} M probes, synthesized directly as segments)")
    path = root / "month.db"
    open_store(f"sqlite:///{path}", interval=60, max_gap=300).close()
    timed("synthesize rows", lambda: _synthesize(path, accounts))
    print(f"  database: {path.stat().st_size / 1e6:.1f} MB")
    store = open_store(f"sqlite:///{path}", interval=60, max_gap=300, create=False)
    policy = SlaPolicy()
    wall = time.perf_counter()
    timelines, _ = timed("store.timelines", lambda: store.timelines(max_gap=policy.max_gap))
    found, _ = timed("histories", lambda: histories(timelines, policy))
    month = calendar_month(2026, 10, "UTC")
    report, _ = timed("build_report", lambda: build_report(found, month, policy))
    wall = time.perf_counter() - wall
    probes = sum(t.probes for t in timelines)
    counted = sum(1 for a in report.accounts for o in a.outages if o.outage.counted)
    print(f"  total {wall:.2f} s wall (target 5 s): {len(report.accounts):,} accounts, "
          f"{probes:,} probes folded, {counted:,} counted outages")
    store.close()


def _synthesize(path: Path, accounts: int) -> None:
    """The rows ``write`` produces for a month of one-minute probes with outages."""
    rng = random.Random(11)
    with sqlite3.connect(path) as conn:
        for sid in range(1, accounts * len(REGIONS) + 1):
            account, region = f"account-{(sid - 1) // 3:04d}", REGIONS[(sid - 1) % 3]
            conn.execute("INSERT INTO series (id, account, region) VALUES (?, ?, ?)",
                         (sid, account, region))
            failed = _failed_minutes(rng)
            conn.executemany(
                "INSERT INTO segments (series_id, first_ts, last_ts, probes, ok, max_step, "
                "prev_ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(sid, *row) for row in _segments(failed)],
            )
            conn.executemany(
                "INSERT INTO failures (series_id, ts, step, error, durations) "
                "VALUES (?, ?, 'call', 'http_503', '{\"login\":1.2,\"call\":30.0}')",
                [(sid, MONTH_START + 60 * m) for m in sorted(failed)],
            )


def _failed_minutes(rng: random.Random) -> set[int]:
    """A few outages (3-40 minutes) and flaps (1-2 minutes), as in replay.py."""
    failed: set[int] = set()
    for _ in range(rng.randint(1, 4)):
        start = rng.randrange(MINUTES)
        failed.update(range(start, min(MINUTES, start + rng.randint(3, 40))))
    for _ in range(rng.randint(2, 10)):
        start = rng.randrange(MINUTES)
        failed.update(range(start, min(MINUTES, start + rng.randint(1, 2))))
    return failed


def _segments(failed: set[int]) -> Iterator[tuple[float, float, int, bool, float, float | None]]:
    """Runs of equal outcome over the month's minutes, one row each."""
    minute = 0
    while minute < MINUTES:
        ok = minute not in failed
        end = minute
        while end + 1 < MINUTES and (end + 1 not in failed) == ok:
            end += 1
        n = end - minute + 1
        prev = MONTH_START + 60 * (end - 1) if n > 1 else None
        yield (MONTH_START + 60 * minute, MONTH_START + 60 * end, n, ok,
               60.0 if n > 1 else 0.0, prev)
        minute = end + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--accounts", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        write_throughput(Path(root), args.rounds)
        bytes_per_day(Path(root))
        month_report(Path(root), args.accounts)


if __name__ == "__main__":
    main()
