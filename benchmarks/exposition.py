"""Exposition: prometheus-client's ``generate_latest`` against the direct renderer, and gzip.

    .venv/bin/python benchmarks/exposition.py [--series 1000,10000] [--history 30]
        [--repeat 3]

For each size N it builds, in-process, the snapshot the agent would build from N
synthetic account-regions (``_agent_scale.workload``: the same config and probe
histories as ``agent_scale.py``, a short outage in every tenth), then prints the CPU
seconds of this thread (best of ``--repeat``) for:

- ``reference``: ``generate_latest`` over the tests' ``SnapshotCollector`` (the old path);
- ``direct``: ``render_exposition`` (what the agent runs now), and whether its bytes
  equal the reference's;
- ``gzip -N``: compressing the direct output at levels 1, 3, 6 and 9, with the size.

No targets and no assertions: figures to read.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _agent_scale.workload import INTERVAL, synthetic_states, write_config

from probe.agent.exporter import render as render_exposition
from probe.agent.refresh import build_snapshot, capture
from probe.agent.snapshot import Snapshot
from probe.agent.state import AgentCounters
from probe.config import load_config

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the reference is a test helper
from tests.agent.reference_exposition import reference_exposition

LEVELS = (1, 3, 6, 9)


def synthetic_snapshot(series: int, *, history: int) -> Snapshot:
    """The snapshot of ``series`` synthetic account-regions, as ``Agent.refresh`` builds it."""
    with tempfile.TemporaryDirectory() as folder:
        settings = load_config(write_config(Path(folder), series=series, sim_port=1,
                                            agent_port=2))
    now = time.time()
    counters = AgentCounters()
    return build_snapshot(
        capture(synthetic_states(series, history=history, now=now)), counters,
        lateness=counters.lateness.frozen(), policy=settings.policy(),
        maintenance=settings.maintenance_windows(), regions=settings.account_regions(),
        now=now, version="bench", interval=INTERVAL, scheduler_running=True)


def cpu(work: Callable[[], bytes], repeat: int) -> tuple[float, bytes]:
    """Best CPU seconds of this thread over ``repeat`` runs, and the last result."""
    best, result = float("inf"), b""
    for _ in range(repeat):
        began = time.thread_time()
        result = work()
        best = min(best, time.thread_time() - began)
    return best, result


def run_size(series: int, args: argparse.Namespace) -> None:
    snapshot = synthetic_snapshot(series, history=args.history)
    old_cpu, old = cpu(lambda: reference_exposition(snapshot), args.repeat)
    new_cpu, new = cpu(lambda: render_exposition(snapshot), args.repeat)
    lines = new.count(b"\n")
    print(f"{series:>6} series: {len(new) / 1e6:.1f} MB, {lines:,} lines")
    print(f"  reference (generate_latest) {old_cpu:7.3f} s CPU")
    print(f"  direct    (render)          {new_cpu:7.3f} s CPU  "
          f"x{old_cpu / new_cpu:.1f}  identical: {old == new}")
    for level in LEVELS:
        took, packed = cpu(lambda level=level: gzip.compress(new, level, mtime=0), args.repeat)
        print(f"  gzip -{level}                     {took:7.3f} s CPU  "
              f"{len(packed) / 1e6:6.2f} MB ({len(new) / len(packed):.0f}:1)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", default="1000,10000",
                        help="comma-separated numbers of account-regions")
    parser.add_argument("--history", type=int, default=30, help="probes per account-region")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; best is shown")
    args = parser.parse_args()
    for series in (int(n) for n in args.series.split(",")):
        run_size(series, args)


if __name__ == "__main__":
    main()
