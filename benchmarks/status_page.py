"""Status page: what the day bars, the pages and the status API cost at fleet sizes.

    .venv/bin/python benchmarks/status_page.py [--accounts 100,1000] [--repeat 3]

For each size it builds, in-process, the R1 timelines of that many accounts (one region
each) over 100 days: covered throughout except an evidence gap in every seventh account,
a counted 45-minute outage and a 3-minute one in every tenth, a maintenance window for
all. Then it prints the CPU seconds of this thread (best of ``--repeat``) for:

- ``snapshot``: ``refresh.build_snapshot`` with every day of the bars computed (an
  agent's first refresh), and ``days kept``: as a running agent refreshes, with the
  finished days kept by its ``DayBars`` and only today computed;
- ``day bars``: ``sla.days.day_figures`` alone, 90 days for every account, and kept;
- ``page /``: ``render_status_page`` from the snapshot (target: under 0.2 s at 1,000);
- ``page /accounts/NAME``: one account page (without its store-read months);
- ``api /api/v1/status``: the status document, serialised.

No targets are asserted: figures to read.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from types import MappingProxyType

import orjson

from probe.agent.refresh import SeriesCopy, build_snapshot
from probe.agent.snapshot import DAYS, LATENESS_BUCKETS, Histogram, LastProbe, Snapshot
from probe.agent.state import AgentCounters
from probe.agent.web.account_page import render_account_page
from probe.agent.web.page import render_status_page
from probe.agent.web.status_api import status_document
from probe.model import DownInterval, Failure, MaintenanceWindow, RegionTimeline, SlaPolicy, Span
from probe.sla import histories
from probe.sla.days import DayBars, day_figures
from probe.sla.rules import calendar_days

NOW = 1_796_300_000.0  # 2026-12-03, mid-day UTC
DAY = 86400.0
POLICY = SlaPolicy()
MAINTENANCE = (MaintenanceWindow(kind="scheduled", accounts=None, name="weekly",
                                 every="0 2 * * SUN", duration=3600.0, timezone="UTC"),)


def timeline(index: int) -> RegionTimeline:
    name, start = f"account-{index:04d}", NOW - 100 * DAY
    covered = [Span(start, NOW)]
    if index % 7 == 0:  # a two-hour evidence gap 20 days ago
        gap = NOW - 20 * DAY
        covered = [Span(start, gap), Span(gap + 7200, NOW)]
    down = []
    if index % 10 == 0:
        for at, minutes in ((NOW - 40 * DAY, 45), (NOW - 12 * DAY, 3)):
            fails = tuple(Failure(ts=at + 60 * m, region="eu-west", step="login",
                                  error="http_503") for m in range(minutes))
            down.append(DownInterval(region="eu-west", start=at, end=at + 60 * minutes,
                                     open=False, failures=fails))
    return RegionTimeline(account=name, region="eu-west", down=tuple(down),
                          covered=tuple(covered), probes=144_000, ignored={})


def copies(accounts: int) -> list[SeriesCopy]:
    last = LastProbe(ts=NOW - 20, ok=True, step=None, error=None, durations={})
    return [SeriesCopy(timeline=timeline(i), last=last, runs=144_000, skipped=0,
                       failures=MappingProxyType({}), durations=MappingProxyType({}))
            for i in range(accounts)]


def snapshot_of(found: list[SeriesCopy], day_bars: DayBars | None = None) -> Snapshot:
    counters = AgentCounters()
    return build_snapshot(
        found, counters, lateness=Histogram(buckets=LATENESS_BUCKETS,
                                            counts=(0,) * len(LATENESS_BUCKETS)),
        policy=POLICY, maintenance=MAINTENANCE, regions={}, now=NOW, version="bench",
        interval=60.0, scheduler_running=True, day_bars=day_bars)


def cpu(work: Callable[[], object], repeat: int) -> float:
    """Best CPU seconds of this thread over ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        began = time.thread_time()
        work()
        best = min(best, time.thread_time() - began)
    return best


def run_size(accounts: int, repeat: int) -> None:
    found = copies(accounts)
    snapshot = snapshot_of(found)
    days = calendar_days(NOW, "UTC", DAYS)
    history = histories((c.timeline for c in found), POLICY, maintenance=MAINTENANCE,
                        regions={})
    page = render_status_page(snapshot, now=NOW)
    kept = DayBars()
    snapshot_of(found, kept)  # as a running agent: the finished days known
    figures = {
        "snapshot": cpu(lambda: snapshot_of(found), repeat),
        "snapshot, days kept": cpu(lambda: snapshot_of(found, kept), repeat),
        "day bars": cpu(lambda: [day_figures(h, days, MAINTENANCE) for h in history], repeat),
        "day bars, days kept": cpu(lambda: [kept.figures(h, days, MAINTENANCE)
                                            for h in history], repeat),
        "page /": cpu(lambda: render_status_page(snapshot, now=NOW), repeat),
        "page /accounts/NAME": cpu(lambda: render_account_page(
            "account-0000", snapshot, now=NOW, months=()), repeat),
        "api /api/v1/status": cpu(lambda: orjson.dumps(status_document(snapshot)), repeat),
    }
    print(f"{accounts:>6} accounts: page / is {len(page) / 1e6:.2f} MB")
    for label, seconds in figures.items():
        print(f"  {label:<22} {seconds * 1000:8.1f} ms CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", default="100,1000", help="comma-separated sizes")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; best is shown")
    args = parser.parse_args()
    for accounts in (int(n) for n in args.accounts.split(",")):
        run_size(accounts, args.repeat)


if __name__ == "__main__":
    main()
