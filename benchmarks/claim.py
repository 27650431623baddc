"""Claim and HTML statement benchmark: what a month costs from a store and from a file.

A month of one-minute probes (October 2026) for ``--accounts`` accounts x 3 regions,
written through ``Store.write`` into SQLite and exported as JSON Lines with durations;
account-0000 is down 45 minutes in every region on Oct 5. Then, through the command
line entry point:

1. ``report --format html`` for the month, from the store and from the file;
2. ``claim --account account-0000`` from the store and from the file (the claim reads
   its source twice: the figures, then the timings of the failed probes).

Prints wall and CPU seconds; no targets (the commands are run by hand, monthly).

    python benchmarks/claim.py [--accounts 10]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from probe.cli import main
from probe.model import ProbeResult
from probe.results_file import write_results
from probe.store import open_store

START = datetime(2026, 10, 1, tzinfo=UTC).timestamp()
OUTAGE = (datetime(2026, 10, 5, 10, tzinfo=UTC).timestamp(),
          datetime(2026, 10, 5, 10, 45, tzinfo=UTC).timestamp())
REGIONS = ("eu-west", "us-east", "ap-south")


def series(account: str, region: str) -> Iterator[ProbeResult]:
    for minute in range(31 * 24 * 60 + 1):
        ts = START + 60 * minute
        down = account == "account-0000" and OUTAGE[0] <= ts < OUTAGE[1]
        yield ProbeResult(
            ts=ts,
            account=account,
            region=region,
            ok=not down,
            step="login" if down else None,
            error="http_503" if down else None,
            durations={"login": 0.42, "call": 1.3, "total": 1.72}
            if not down
            else {"login": 5.0, "total": 5.0},
        )


def build(root: Path, accounts: int) -> tuple[str, Path]:
    url, path = f"sqlite:///{root / 'probe.db'}", root / "october.jsonl"
    store = open_store(url, interval=60, max_gap=300)
    begin = time.perf_counter()
    with path.open("w") as out:
        for n in range(accounts):
            for region in REGIONS:
                probes = list(series(f"account-{n:04d}", region))
                store.write(probes)
                write_results(probes, out)
    store.close()
    print(f"built {accounts} accounts x 3 regions, {accounts * 3 * 44641:,} probes "
          f"in {time.perf_counter() - begin:.1f} s")
    return url, path


def timed(label: str, argv: list[str]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"  {label}: exit {code}, {wall:.2f} s wall, {cpu:.2f} s CPU")


def run(accounts: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        url, path = build(root, accounts)
        month = ["--month", "2026-10"]
        claim = ["claim", "--account", "account-0000", *month, "--now", "2026-11-02T00:00:00Z"]
        for name, source in (("store", ["--database", url]), ("file", ["--results", str(path)])):
            timed(f"report --format html from the {name}",
                  ["report", *source, *month, "--format", "html",
                   "--output", str(root / "statement.html")])
            timed(f"claim from the {name}",
                  [*claim, *source, "--evidence", str(root / f"evidence-{name}.csv")])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10)
    run(parser.parse_args().accounts)
