"""Replay benchmark: how fast does ``report`` turn a month of results into a statement?

Generates a month of 1-minute probe results (default 10 accounts x 3 regions, about
1.3 million lines) with outages and flaps sprinkled in, then runs
``lifesize-probe report --format json`` on it in a child process and prints results
per second and the child's peak memory. It runs the report twice, on the first third
of the month and on the whole month: memory that stays flat while the results triple
is what streaming buys.

    python benchmarks/replay.py [--accounts 10] [--regions 3] [--keep FILE]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

MONTH_START = datetime(2026, 10, 1, tzinfo=UTC).timestamp()
MINUTES = 31 * 24 * 60
TARGET = 500_000


def generate(path: Path, accounts: int, regions: int, days: float, seed: int = 7) -> int:
    """Write results for ``days`` days; returns the number of lines."""
    rng = random.Random(seed)
    keys = [(f"account-{a:04d}", f"region-{r}") for a in range(accounts) for r in range(regions)]
    failing = _failures(rng, keys)
    minutes = int(days * 24 * 60)
    stamps = [
        datetime.fromtimestamp(MONTH_START + 60 * m, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for m in range(minutes)
    ]
    with path.open("w") as out:
        for minute, stamp in enumerate(stamps):
            for account, region in keys:
                if (account, region, minute) in failing:
                    out.write(f'{{"ts":"{stamp}","account":"{account}","region":"{region}",'
                              '"ok":false,"step":"call","error":"http_503"}\n')
                else:
                    out.write(f'{{"ts":"{stamp}","account":"{account}","region":"{region}",'
                              '"ok":true,"step":null,"error":null}\n')
    return minutes * len(keys)


def _failures(rng: random.Random, keys: list[tuple[str, str]]) -> set[tuple[str, str, int]]:
    """A few outages (3–40 minutes) and flaps (1–2 minutes) per account-region."""
    failing: set[tuple[str, str, int]] = set()
    for account, region in keys:
        for _ in range(rng.randint(1, 4)):
            start, length = rng.randrange(MINUTES), rng.randint(3, 40)
            failing.update((account, region, m) for m in range(start, start + length))
        for _ in range(rng.randint(2, 10)):
            start = rng.randrange(MINUTES)
            failing.update((account, region, m) for m in range(start, start + rng.randint(1, 2)))
    return failing


def run_report(path: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one ``report`` run in a fresh process."""
    command = [sys.executable, "-m", "probe", "report", "--results", str(path),
               "--month", "2026-10", "--format", "json", "--output", "/dev/null"]
    started = time.perf_counter()
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"report failed with exit status {child.returncode}")
    return elapsed, usage.ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--regions", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the generated month here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"report throughput, {args.accounts} accounts x {args.regions} regions, "
              f"1-minute probes (target: ≥ {TARGET:,} results/s on one core)")
        for days in (31 / 3, 31):
            path = args.keep if (args.keep and days == 31) else Path(tmp) / f"{days:.0f}d.jsonl"
            lines = generate(path, args.accounts, args.regions, days)
            size = path.stat().st_size / 2**20
            seconds, peak_kib = run_report(path)
            print(f"  {days:4.1f} days: {lines:>10,} results ({size:,.0f} MiB) in {seconds:6.2f} s"
                  f" = {lines / seconds:>9,.0f} results/s, peak RSS {peak_kib / 1024:6.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
