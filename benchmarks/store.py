"""Store benchmark: write throughput, bytes per healthy day, and a month report from the store,
for SQLite and for PostgreSQL.

1. Writes: 10,000 account-regions, each round one probe per account-region in one
   ``write`` call (what an agent does each interval), mostly ok with a few outages.
   Target: at least 5,000 probe writes a second, on either store.
2. Size (SQLite): a day of one-minute successes for 200 account-regions, written round
   by round; bytes per healthy account-region per day (target: well under 1 KB).
3. Month report: 1,000 accounts x 3 regions for October 2026 (133 million one-minute
   probes). Writing them through ``write`` would take hours, so the month is
   synthesized as the rows ``write`` would have produced (ok segments between failure
   runs, every failure in full; each region's own outages and flaps, and up to two
   outages that hit all three regions of an account, so quorum has work) and put in
   with ``Store.load`` (what ``copy-store`` uses); then ``store.timelines`` ->
   ``probe.sla.histories`` (quorum across the three regions) -> ``build_report`` over
   ``calendar_month``. Target: < 5 s, from either.

PostgreSQL: ``--postgres URL`` (default ``$LIFESIZE_TEST_POSTGRES``, else the local
test server); each run works in a fresh schema and drops it. ``--postgres ''`` skips it.
Prints wall and CPU seconds: on a busy machine the wall clock mostly measures others,
and for PostgreSQL the server's CPU is not in this process's CPU figure.

    python benchmarks/store.py [--rounds 10] [--accounts 1000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import psycopg

from probe.model import ProbeResult, SlaPolicy
from probe.sla import build_report, calendar_month, histories
from probe.store import Segment, SeriesRows, Store, open_store

T = TypeVar("T")
MONTH_START = datetime(2026, 10, 1, tzinfo=UTC).timestamp()
MINUTES = 31 * 24 * 60
REGIONS = ("eu-west", "us-east", "ap-south")
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def timed(label: str, work: Callable[[], T]) -> tuple[T, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"  {label}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    return result, wall


class Databases:
    """Fresh databases by name: SQLite files in a temporary folder, or schemas of one
    PostgreSQL database (dropped at the end)."""

    def __init__(self, root: Path, postgres: str | None) -> None:
        self.root, self.postgres = root, postgres
        self.schemas: list[str] = []

    def url(self, kind: str, name: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{self.root / name}.db"
        assert self.postgres is not None
        schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.postgres, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        self.schemas.append(schema)
        joiner = "&" if "?" in self.postgres else "?"
        return f"{self.postgres}{joiner}options={quote(f'-csearch_path={schema}')}"

    def drop(self) -> None:
        if self.postgres and self.schemas:
            with psycopg.connect(self.postgres, autocommit=True) as conn:
                for schema in self.schemas:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def write_throughput(databases: Databases, kind: str, rounds: int) -> None:
    print(f"{kind} writes: 10,000 account-regions x {rounds} rounds, one write() per round")
    store = open_store(databases.url(kind, "writes"), interval=60, max_gap=300)
    keys = [(f"account-{i // 3:04d}", REGIONS[i % 3]) for i in range(10_000)]
    rng = random.Random(7)
    failing = {k for k in keys if rng.random() < 0.01}  # 1 % of series in an outage
    batches = [
        [
            ProbeResult(
                ts=MONTH_START + 60 * n,
                account=a,
                region=r,
                ok=(a, r) not in failing or n % 10 < 3,
                step=None if (a, r) not in failing else "login",
                error=None if (a, r) not in failing else "http_503",
            )
            for a, r in keys
        ]
        for n in range(rounds)
    ]
    cpu = time.process_time()
    _, wall = timed("write", lambda: [store.write(batch) for batch in batches])
    cpu = time.process_time() - cpu
    total = rounds * len(keys)
    print(f"  {total / wall:,.0f} probes/s wall, {total / cpu:,.0f} probes/s CPU of this "
          f"process (target 5,000)")
    _, wall = timed("the last round again (a replay: every probe already stored)",
                    lambda: store.write(batches[-1]))
    print(f"  replay: {len(keys) / wall:,.0f} probes/s wall")
    store.close()


def bytes_per_day(root: Path, series: int = 200) -> None:
    print(f"sqlite size: {series} healthy account-regions, 1,440 one-minute probes a day")
    path = root / "size.db"
    open_store(f"sqlite:///{path}", interval=60, max_gap=300).close()
    sizes = [_used_bytes(path)]
    keys = [(f"account-{i:04d}", "eu-west") for i in range(series)]
    for day in range(2):
        store = open_store(f"sqlite:///{path}", interval=60, max_gap=300)
        for minute in range(day * 1440, (day + 1) * 1440):
            store.write(
                [
                    ProbeResult(ts=MONTH_START + 60 * minute, account=a, region=r, ok=True)
                    for a, r in keys
                ]
            )
        store.close()  # checkpoints the WAL into the file
        sizes.append(_used_bytes(path))
    print(f"  first day: {(sizes[1] - sizes[0]) / series:.0f} bytes per account-region "
          f"(series row + one segment, with indexes); second day: "
          f"{(sizes[2] - sizes[1]) / series:.0f} bytes (the segment is extended in place)")


def _used_bytes(path: Path) -> int:
    """Bytes in use by rows and indexes (``dbstat``): page slack left out."""
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT sum(pgsize - unused) FROM dbstat").fetchone()[0])


def month_report(databases: Databases, kind: str, accounts: int) -> None:
    count = accounts * len(REGIONS)
    print(f"{kind} month report: {accounts:,} accounts x 3 regions, October 2026 "
          f"({count * MINUTES / 1e6:.0f} M probes, synthesized directly as segments)")
    url = databases.url(kind, "month")
    with _store(url) as store:
        timed("synthesize rows (Store.load)", lambda: _synthesize(store, accounts))
    with _store(url, create=False) as store:
        policy = SlaPolicy()
        wall = time.perf_counter()
        timelines, _ = timed("store.timelines",
                             lambda: store.timelines(max_gap=policy.max_gap))
        found, _ = timed("histories", lambda: histories(timelines, policy))
        month = calendar_month(2026, 10, "UTC")
        report, _ = timed("build_report", lambda: build_report(found, month, policy))
        wall = time.perf_counter() - wall
    probes = sum(t.probes for t in timelines)
    counted = sum(1 for a in report.accounts for o in a.outages if o.outage.counted)
    print(f"  total {wall:.2f} s wall (target 5 s): {len(report.accounts):,} accounts, "
          f"{probes:,} probes folded, {counted:,} counted outages")


@contextmanager
def _store(url: str, create: bool = True) -> Iterator[Store]:
    store = open_store(url, interval=60, max_gap=300, create=create)
    try:
        yield store
    finally:
        store.close()


def _synthesize(store: Store, accounts: int) -> None:
    """The rows ``write`` produces for a month of one-minute probes with outages."""
    rng = random.Random(11)
    chunk: list[SeriesRows] = []
    shared: set[int] = set()
    for index in range(accounts * len(REGIONS)):
        account, region = f"account-{index // 3:04d}", REGIONS[index % 3]
        if index % 3 == 0:
            shared = _outages(rng, count=rng.randint(0, 2))  # hits all three regions
        failed = shared | _failed_minutes(rng)
        failures = [
            ProbeResult(
                ts=MONTH_START + 60 * m,
                account=account,
                region=region,
                ok=False,
                step="call",
                error="http_503",
                durations={"login": 1.2, "call": 30.0},
            )
            for m in sorted(failed)
        ]
        chunk.append(
            SeriesRows(
                account=account,
                region=region,
                segments=list(_segments(failed)),
                failures=failures,
                ignored=[],
            )
        )
        if len(chunk) == 200:
            store.load(chunk)
            chunk = []
    store.load(chunk)


def _outages(rng: random.Random, count: int) -> set[int]:
    """``count`` outages of 3-40 minutes."""
    failed: set[int] = set()
    for _ in range(count):
        start = rng.randrange(MINUTES)
        failed.update(range(start, min(MINUTES, start + rng.randint(3, 40))))
    return failed


def _failed_minutes(rng: random.Random) -> set[int]:
    """A region's own outages (3-40 minutes) and flaps (1-2 minutes), as in replay.py."""
    failed = _outages(rng, count=rng.randint(1, 4))
    for _ in range(rng.randint(2, 10)):
        start = rng.randrange(MINUTES)
        failed.update(range(start, min(MINUTES, start + rng.randint(1, 2))))
    return failed


def _segments(failed: set[int]) -> Iterator[Segment]:
    """Runs of equal outcome over the month's minutes, one segment each."""
    minute = 0
    while minute < MINUTES:
        ok = minute not in failed
        end = minute
        while end + 1 < MINUTES and (end + 1 not in failed) == ok:
            end += 1
        n = end - minute + 1
        prev = MONTH_START + 60 * (end - 1) if n > 1 else None
        yield Segment(
            first_ts=MONTH_START + 60 * minute,
            last_ts=MONTH_START + 60 * end,
            probes=n,
            ok=ok,
            max_step=60.0 if n > 1 else 0.0,
            prev_ts=prev,
        )
        minute = end + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--postgres", metavar="URL",
                        default=os.environ.get("LIFESIZE_TEST_POSTGRES") or LOCAL_POSTGRES,
                        help="a PostgreSQL server database where schemas can be created "
                             "('' skips PostgreSQL)")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.postgres else ["sqlite"]
    with tempfile.TemporaryDirectory() as root:
        databases = Databases(Path(root), args.postgres or None)
        try:
            for kind in kinds:
                write_throughput(databases, kind, args.rounds)
            bytes_per_day(Path(root))
            for kind in kinds:
                month_report(databases, kind, args.accounts)
        finally:
            databases.drop()


if __name__ == "__main__":
    main()
