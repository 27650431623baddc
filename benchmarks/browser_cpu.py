"""CPU, memory and latency of browser probes against the simulator: warm browser vs cold.

    .venv/bin/python benchmarks/browser_cpu.py [--probes 40] [--cold-probes 15]
        [--concurrency 1,2,4] [--api-probes 200] [--headroom 0.7] [--trace]

The simulator (``lifesize-probe simulate``, the packaged demo config) runs in a process
of its own on a free loopback port, so its CPU (the aiortc peer encoding the call's
video) is not counted. Against it run, at each concurrency:

* warm: one ``BrowserFlow`` for every probe, as the agent runs it: one Playwright
  driver and one Chromium, a fresh context per probe (``diagnostics=None``: no trace);
  two probes first, untimed, launch the browser;
* cold: a new ``BrowserFlow`` per probe, closed after its one probe: each probe starts
  the Playwright driver (node) and Chromium, then stops both, as ``npx playwright
  test`` or Cloudprober's browser probe do per run (they also start a node test runner,
  which is not done here, so cold is if anything understated);
* blank ctx: in the warm browser, a fresh context with ``about:blank``, closed: what
  isolating each probe in its own context costs before the probe does anything;
* with ``--trace``, warm again with a diagnostics directory, so every context records a
  trace (discarded when the probe passes);

and, first, ``LifesizeFlow`` (the API probe) for the capacity table. Figures only.
Latency is the wall time of ``flow.run`` (for cold, the launch of driver and browser
included, their closing not); CPU includes everything, closing too.

What CPU is counted, and why none is missed or counted twice: a process's
``/proc/PID/stat`` gives its own time (``utime + stime``, all its threads, living or
dead) and the time of the children it has waited for, with theirs (``cutime +
cstime``; for this process that is ``getrusage(RUSAGE_CHILDREN)``). Call ``own +
reaped`` its inclusive time. A count is the sum of the inclusive times of this process
and of every descendant still in ``/proc`` (zombies too), the simulator's tree left
out; a run's CPU is the difference of the counts at its ends. Own times only grow, and
when a process is reaped its inclusive time leaves its own line and joins its
parent's ``reaped``, so the sum does not jump: whatever happens between the counts
(processes started, ended, reaped by Chromium's zygote, by node, or by this process),
the difference is the CPU the tree spent, once. A count reads the members parents
first and starts over if one vanished meanwhile (reaped after its parent was read:
its time would be in neither line).

That holds only if every process is reaped inside the tree, and Chromium does not see
to it: when a browser closes, its zygotes outlive it, are reparented to PID 1, and
take with them their ``reaped``: the CPU of every renderer they ran. So this process
makes itself a child subreaper (``PR_SET_CHILD_SUBREAPER``): the tree's orphans are
reparented here and stay in the count, and the sampler reaps them (them only: asyncio
reaps the node drivers, ``Popen`` the simulator) under the lock the counts take, so
their time moves into this process's ``reaped`` between counts, never during one.
Checked: after cold probes, with nothing left running, count plus the meter's own CPU
equals ``getrusage`` SELF + CHILDREN to the millisecond; without the subreaper both
lose about 1.7 CPU-s of a 3.5 CPU-s cold probe. Keeping each pid's last seen ``utime +
stime + cutime + cstime`` from 100 ms samples instead would count a renderer twice
(its last seen total, and its zygote's ``cutime`` once reaped); with own times only it
loses each process's last 100 ms, and all of one that lives less. The "where the CPU
goes" lines are made that way (own times by kind of process), which is why they cover
a little less than the total.

A thread samples the tree every 100 ms for the browser's memory (driver plus Chromium
processes, not this one): the peak of the sum of RSS, which counts a page shared by n
processes n times, and, every 0.5 s (``smaps_rollup`` of a Chromium process costs 2-5
ms to read), the peak of the sum of PSS, which divides shared pages among their users:
what the processes cost together, close to what a cgroup is charged. PSS is what is
compared with the 400 MB target. (It also shares the Chromium binary's pages with any
other Chromium on the machine, say a test run's: it reads lower while one runs.) The
meter's own CPU (sampler and counts, measured with ``time.thread_time``) is taken out
of the figures and printed apart.

Capacity: one 2-core agent probing every 60 s with a headroom of 0.7 can spend
``2 × 60 × 0.7`` CPU-s per interval (less a warm browser's idle CPU, measured); over
CPU-s per probe, that many account-regions. For browser probes memory bounds it too:
probes are spread over the interval (the scheduler's offsets), so ``N`` account-regions
of mean latency ``L`` run ``N × L / 60`` probes at once on average, and the PSS measured
at each concurrency, fitted as ``a + b × c``, says how many fit in ``--memory-mb``.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import anyio
import httpx

from probe.config import Account, Settings, TargetSection, User, load_config
from probe.credentials import Secrets
from probe.diagnostics import DiagnosticsDir
from probe.flows import LifesizeFlow
from probe.flows.browser import BrowserFlow
from probe.model import ProbeResult
from probe.simulator import demo_config

CORES = 2
INTERVAL = 60.0
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024
PR_SET_CHILD_SUBREAPER = 36
SAMPLE_EVERY = 0.1
PSS_EVERY = 5
"""Samples between PSS reads: ``smaps_rollup`` of a Chromium process costs 2-5 ms."""
WARM_UP = 2
TARGET_WARM_CPU = 0.5
TARGET_RATIO = 3.0
TARGET_MB = 400.0

Probe = Callable[[Account, User], Awaitable[tuple[ProbeResult, float]]]


# -- /proc -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Stat:
    """The fields of ``/proc/PID/stat`` used here; times in clock ticks."""

    pid: int
    ppid: int
    comm: str
    state: str
    start: int
    """Start time in ticks after boot: with the pid, names one process."""
    own: int
    """utime + stime: the process's own CPU, all its threads."""
    reaped: int
    """cutime + cstime: the children it waited for, with the children they waited for."""
    rss: int
    """Resident pages."""

    @property
    def key(self) -> tuple[int, int]:
        return self.pid, self.start


def read_stat(pid: int) -> Stat | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone (reaped), or never there
        return None
    head, tail = text.rsplit(")", 1)
    fields = tail.split()  # fields[0] is field 3 of proc(5), ``state``
    return Stat(pid=pid, ppid=int(fields[1]), comm=head.split("(", 1)[1], state=fields[0],
                start=int(fields[19]), own=int(fields[11]) + int(fields[12]),
                reaped=int(fields[13]) + int(fields[14]), rss=int(fields[21]))


def proc_table() -> dict[int, Stat]:
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := read_stat(int(entry))) is not None:
            table[stat.pid] = stat
    return table


def tree(table: dict[int, Stat], root: int, exclude: int) -> list[int]:
    """``root`` and its descendants, parents before children, without ``exclude``'s tree."""
    children: dict[int, list[int]] = {}
    for stat in table.values():
        children.setdefault(stat.ppid, []).append(stat.pid)
    order, index = [root], 0
    while index < len(order):
        order += [pid for pid in children.get(order[index], []) if pid != exclude]
        index += 1
    return order


def pss(pid: int) -> int | None:
    """Proportional set size in bytes (0 for a zombie); None when it cannot be read."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except PermissionError:
        return None
    except OSError:  # gone since the table was read
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def kind_of(stat: Stat, root: int) -> str:
    """What a process of the tree is: python, driver, browser, renderer, gpu, utility…

    ``other`` when it cannot be told: a zombie has no command line left.
    """
    if stat.pid == root:
        return "python"
    if stat.comm.startswith("node"):
        return "driver"
    try:
        argv = Path(f"/proc/{stat.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "other"
    if "crashpad" in stat.comm:
        return "crashpad"
    for arg in argv.split():
        if arg.startswith("--type="):
            return {"gpu-process": "gpu"}.get(arg[7:], arg[7:])
    return "browser" if argv and "chrom" in stat.comm else "other"


def make_subreaper() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    done: int = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    return done == 0


# -- the meter ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Usage:
    cpu: float
    """CPU seconds of this process and its descendants, the meter's own left out."""
    overhead: float
    rss: int
    pss: int | None
    kinds: dict[str, float]
    """CPU seconds by kind of process (own times, last seen)."""
    memory: dict[str, int]
    """PSS (else RSS) by kind of process at the peak."""


@dataclass(slots=True)
class _Window:
    total: int
    overhead: float
    base: dict[tuple[int, int], int]
    last: dict[tuple[int, int], int] = field(default_factory=dict)
    kinds: dict[tuple[int, int], str] = field(default_factory=dict)
    rss: int = 0
    pss: int | None = 0
    memory: dict[str, int] = field(default_factory=dict)


class Meter:
    """Counts the tree's CPU (see the module's docstring) and samples its memory."""

    def __init__(self, *, exclude: int) -> None:
        self.root = os.getpid()
        self.exclude = exclude
        self.adopted = 0
        self._samples = 0
        self._lock = threading.Lock()
        self._overhead = 0.0
        self._parents: dict[tuple[int, int], int] = {}
        self._window: _Window | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="meter", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def begin(self) -> None:
        with self._lock:
            began = time.thread_time()
            table = proc_table()
            base = {table[pid].key: table[pid].own for pid in tree(table, self.root,
                                                                   self.exclude)}
            self._window = _Window(total=self._count(), overhead=self._overhead, base=base)
            self._overhead += time.thread_time() - began

    def end(self) -> Usage:
        with self._lock:
            began = time.thread_time()
            self._sample()
            window, self._window = self._window, None
            assert window is not None, "end() without begin()"
            total = self._count()
            self._overhead += time.thread_time() - began
            overhead = self._overhead - window.overhead
            kinds: dict[str, float] = {}
            for key, last in window.last.items():
                spent = (last - window.base.get(key, 0)) / TICK
                if window.kinds[key] == "python":
                    spent -= overhead
                kinds[window.kinds[key]] = kinds.get(window.kinds[key], 0.0) + spent
            return Usage(cpu=(total - window.total) / TICK - overhead, overhead=overhead,
                         rss=window.rss, pss=window.pss, kinds=kinds, memory=window.memory)

    def descendants(self) -> list[Stat]:
        """The living descendants, the simulator's tree left out (zombies too)."""
        with self._lock:
            table = proc_table()
            return [table[pid] for pid in tree(table, self.root, self.exclude)[1:]]

    def _count(self) -> int:
        """The sum of inclusive times of the tree, read parents first, in ticks."""
        for _ in range(20):
            table = proc_table()
            total = 0
            for pid in tree(table, self.root, self.exclude):
                stat = read_stat(pid)
                if stat is None or stat.start != table[pid].start:
                    break  # reaped while being read: its time may be in no line read
                total += stat.own + stat.reaped
            else:
                return total
        raise RuntimeError("the process tree kept changing while it was counted")

    def _loop(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY):
            with self._lock:
                began = time.thread_time()
                self._sample()
                self._overhead += time.thread_time() - began

    def _sample(self) -> None:
        """Memory and own times of the tree; then reap its orphans (under the lock)."""
        table = proc_table()
        members = [table[pid] for pid in tree(table, self.root, self.exclude)]
        self._samples += 1
        for stat in members:
            self._parents.setdefault(stat.key, stat.ppid)
        if self._window is not None:
            self._measure(self._window, members)
        for stat in members:
            if stat.ppid == self.root and stat.state == "Z" and self._adopted(stat):
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(stat.pid, os.WNOHANG)
                    self.adopted += 1

    def _measure(self, window: _Window, members: list[Stat]) -> None:
        read_pss = window.pss is not None and self._samples % PSS_EVERY == 0
        rss, total_pss, unreadable = 0, 0, False
        rss_kinds, pss_kinds = Counter[str](), Counter[str]()
        for stat in members:
            window.last[stat.key] = stat.own
            if window.kinds.get(stat.key) in (None, "zygote", "other"):  # renderers are forked
                window.kinds[stat.key] = kind_of(stat, self.root)          # from a zygote
            if stat.pid == self.root:
                continue
            kind = window.kinds[stat.key]
            rss += stat.rss * PAGE
            rss_kinds[kind] += stat.rss * PAGE
            share = pss(stat.pid) if read_pss else 0
            unreadable = unreadable or share is None
            total_pss += share or 0
            pss_kinds[kind] += share or 0
        if rss > window.rss:
            window.rss = rss
            if window.pss is None:
                window.memory = dict(rss_kinds)
        if unreadable:
            window.pss, window.memory = None, dict(rss_kinds)
        elif read_pss and window.pss is not None and total_pss > window.pss:
            window.pss, window.memory = total_pss, dict(pss_kinds)

    def _adopted(self, stat: Stat) -> bool:
        """An orphan reparented here: not one of the node drivers asyncio waits for."""
        return self._parents.get(stat.key) != self.root or not stat.comm.startswith("node")


# -- runs --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    what: str
    concurrency: int
    probes: int
    ok: int
    failures: Counter[str]
    wall: float
    latencies: list[float]
    launches: int
    usage: Usage

    @property
    def cpu(self) -> float:
        """CPU seconds per probe."""
        return self.usage.cpu / self.probes

    @property
    def mean(self) -> float:
        return sum(self.latencies) / len(self.latencies)

    def quantile(self, q: float) -> float:
        """Nearest rank: with 40 probes, p99 is the slowest."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    def line(self) -> str:
        pss = "n/a" if self.usage.pss is None else f"{self.usage.pss / MB:4.0f}"
        failed = "" if not self.failures else "  failed: " + ", ".join(
            f"{error}×{count}" for error, count in self.failures.most_common())
        memory = "" if not self.usage.rss else \
            f"  peak rss={self.usage.rss / MB:4.0f} MB pss={pss} MB  launches={self.launches}"
        return (f"{self.what:<11} c={self.concurrency:<2} n={self.probes:<3} ok={self.ok:<3} "
                f"cpu/probe={self.cpu:6.3f} s  p50={self.quantile(0.5) * 1000:5.0f} ms  "
                f"p99={self.quantile(0.99) * 1000:5.0f} ms{memory}{failed}")

    def where(self) -> str:
        kinds = sorted(self.usage.kinds.items(), key=lambda item: -item[1])
        covered = sum(self.usage.kinds.values()) / self.usage.cpu if self.usage.cpu else 0
        parts = "  ".join(f"{kind} {spent / self.probes:.3f}" for kind, spent in kinds
                          if spent / self.probes >= 0.0005)
        memory = sorted(self.usage.memory.items(), key=lambda item: -item[1])
        peak = "  ".join(f"{kind} {size / MB:.0f}" for kind, size in memory if size >= MB)
        return (f"{self.what:<11} c={self.concurrency:<2} {parts}  (these cover "
                f"{covered:.0%} of the total; meter {self.usage.overhead / self.probes:.3f})\n"
                f"{'':<16} memory at the peak, MB: {peak}")


async def drive(what: str, probe: Probe, users: list[tuple[Account, User]], *, probes: int,
                concurrency: int, meter: Meter, launches: Callable[[], int]) -> Run:
    latencies: list[float] = []
    failures: Counter[str] = Counter()
    numbers = iter(range(probes))

    async def worker() -> None:
        for number in numbers:
            account, user = users[number % len(users)]
            result, seconds = await probe(account, user)
            latencies.append(seconds)
            if not result.ok:
                failures[f"{result.step}/{result.error}"] += 1

    launched = launches()
    meter.begin()
    wall = time.perf_counter()
    async with anyio.create_task_group() as tasks:
        for _ in range(concurrency):
            tasks.start_soon(worker)
    wall = time.perf_counter() - wall
    usage = meter.end()
    return Run(what, concurrency, probes, probes - failures.total(), failures, wall,
               latencies, launches() - launched, usage)


def timed(run: Callable[[Account, User], Awaitable[ProbeResult]]) -> Probe:
    async def probe(account: Account, user: User) -> tuple[ProbeResult, float]:
        began = time.perf_counter()
        result = await run(account, user)
        return result, time.perf_counter() - began
    return probe


async def blank_context(flow: BrowserFlow, account: Account,
                        user: User) -> tuple[ProbeResult, float]:
    """What a fresh context costs with nothing in it: the floor of a warm probe."""
    began = time.perf_counter()
    async with flow.chromium.lease() as browser:
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto("about:blank")
        await context.close()
    return (ProbeResult(ts=time.time(), account=account.name, region="bench", ok=True),
            time.perf_counter() - began)


class Cold:
    """A new flow per probe, so a new driver and browser, closed after its one probe."""

    def __init__(self, make: Callable[[], BrowserFlow]) -> None:
        self._make = make
        self.launches = 0

    async def probe(self, account: Account, user: User) -> tuple[ProbeResult, float]:
        flow = self._make()
        try:
            began = time.perf_counter()
            result = await flow.run(account, user)
            return result, time.perf_counter() - began
        finally:
            await flow.aclose()
            self.launches += flow.chromium.launches


async def hang_up(url: str) -> int:
    """Close the simulator's WebRTC peers still open 2 s after a run (each probe should
    have hung up: closing its context closes the call page); how many there were."""
    async with httpx.AsyncClient(base_url=url) as client:
        for _ in range(20):
            open_peers: int = (await client.get("/_sim/stats")).json()["peers_open"]
            if not open_peers:
                return 0
            await anyio.sleep(0.1)
        await client.delete("/_sim/peers")
        return open_peers


@dataclass
class Bench:
    url: str
    settings: Settings
    target: TargetSection
    secrets: Secrets
    meter: Meter
    args: argparse.Namespace
    levels: list[int]
    lingering: Counter[str] = field(default_factory=Counter)

    def users(self, flow: str) -> list[tuple[Account, User]]:
        default = self.settings.target.flow
        return [(a, u) for a in self.settings.accounts if (a.flow or default) == flow
                for u in a.users]

    def browser_flow(self, diagnostics: DiagnosticsDir | None = None) -> BrowserFlow:
        return BrowserFlow(self.target, region="bench", secrets=self.secrets,
                           diagnostics=diagnostics)

    async def runs(self, what: str, probe: Probe, probes: int,
                   launches: Callable[[], int]) -> list[Run]:
        done = []
        for level in self.levels:
            run = await drive(what, probe, self.users("browser"), probes=probes,
                              concurrency=level, meter=self.meter, launches=launches)
            print(run.line(), flush=True)
            done.append(run)
            peers = await hang_up(self.url)
            if peers:
                self.lingering[what] += peers
        return done

    async def api(self) -> Run:
        flow = LifesizeFlow(self.target, region="bench", secrets=self.secrets)
        users = self.users("lifesize")
        for probes in (20, self.args.api_probes):  # the first, untimed, warms up
            run = await drive("api", timed(flow.run), users, probes=probes, concurrency=10,
                              meter=self.meter, launches=lambda: 0)
        await flow.aclose()
        print(f"{run.line()}  ({run.cpu * 1000:.2f} ms per probe)", flush=True)
        return run

    async def warm(self, diagnostics: DiagnosticsDir | None,
                   what: str) -> tuple[list[Run], Run | None, float]:
        """The warm runs; with no diagnostics, the blank-context floor and idle CPU too."""
        flow = self.browser_flow(diagnostics)
        try:
            for account, user in self.users("browser")[:1] * WARM_UP:
                await flow.run(account, user)
            await hang_up(self.url)
            runs = await self.runs(what, timed(flow.run), self.args.probes,
                                   lambda: flow.chromium.launches)
            if diagnostics is not None:
                return runs, None, 0.0
            blank = await drive("blank ctx", partial(blank_context, flow),
                                self.users("browser"), probes=10, concurrency=1,
                                meter=self.meter, launches=lambda: flow.chromium.launches)
            print(f"{blank.line()}  (new context, about:blank, close: the floor)", flush=True)
            return runs, blank, await self.idle()
        finally:
            await flow.aclose()

    async def idle(self) -> float:
        """CPU seconds per second of the warm browser between probes."""
        await anyio.sleep(1)
        seconds = float(self.args.idle)
        self.meter.begin()
        await anyio.sleep(seconds)
        return self.meter.end().cpu / seconds

    async def cold(self) -> list[Run]:
        cold = Cold(self.browser_flow)
        return await self.runs("cold", cold.probe, self.args.cold_probes,
                               lambda: cold.launches)


# -- the report --------------------------------------------------------------------------

def fit(runs: list[Run]) -> tuple[float, float] | None:
    """PSS (else RSS) in MB as ``a + b × concurrency``, least squares."""
    points = [(r.concurrency, (r.usage.rss if r.usage.pss is None else r.usage.pss) / MB)
              for r in runs]
    if len(points) == 1:
        return 0.0, points[0][1] / points[0][0]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mx) ** 2 for x in xs)
    if spread == 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in points) / spread
    return my - slope * mx, slope


def by_memory(runs: list[Run], run: Run, budget: float) -> int | None:
    line = fit(runs)
    if line is None or line[1] <= 0:
        return None
    concurrent = math.floor((budget - line[0]) / line[1])
    return max(0, math.floor(concurrent * INTERVAL / run.mean))


def report(args: argparse.Namespace, api_cpu: float, warm: list[Run], cold: list[Run],
           idle: float) -> None:
    print("\ntargets")
    for w in warm:
        verdict = "met" if w.cpu <= TARGET_WARM_CPU else "MISSED"
        print(f"  c={w.concurrency:<2} warm CPU per probe {w.cpu:.3f} s "
              f"(target ≤ {TARGET_WARM_CPU} s: {verdict})", end="")
        match = next((c for c in cold if c.concurrency == w.concurrency), None)
        if match is not None:
            ratio = match.cpu / w.cpu
            verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
            print(f"; cold {match.cpu:.3f} s, cold/warm {ratio:.1f}× "
                  f"(target ≥ {TARGET_RATIO:g}×: {verdict})", end="")
        print()
    top = max(warm, key=lambda r: r.concurrency)
    memory = top.usage.pss if top.usage.pss is not None else top.usage.rss
    measure = "PSS" if top.usage.pss is not None else "RSS (no PSS readable)"
    verdict = "met" if memory / MB < TARGET_MB else "MISSED"
    print(f"  c={top.concurrency:<2} warm browser peak {measure} {memory / MB:.0f} MB (target "
          f"< {TARGET_MB:g} MB: {verdict}); the RSS sum, {top.usage.rss / MB:.0f} MB, counts "
          f"a shared page once in every process that maps it")

    budget = CORES * INTERVAL * args.headroom
    spare = budget - idle * INTERVAL
    print(f"\ncapacity of one {CORES}-core agent probing every {INTERVAL:g} s, headroom "
          f"{args.headroom:g}: {budget:g} CPU-s per interval, {spare:.1f} with a warm "
          f"browser idling at {idle * 1000:.1f} ms/s; memory ≤ {args.memory_mb:g} MB")
    print(f"  {'probe':<20} {'CPU-s/probe':>11} {'by CPU':>8} {'by memory':>10} "
          f"{'account-regions':>16}")
    print(f"  {'api (lifesize)':<20} {api_cpu:11.4f} {math.floor(budget / api_cpu):8d} "
          f"{'-':>10} {math.floor(budget / api_cpu):16d}")
    for name, runs, cpu_budget in (("browser warm", warm, spare), ("browser cold", cold,
                                                                   budget)):
        for run in runs:
            cpu_bound = math.floor(cpu_budget / run.cpu)
            mem_bound = by_memory(runs, run, args.memory_mb)
            held = cpu_bound if mem_bound is None else min(cpu_bound, mem_bound)
            mem = "n/a" if mem_bound is None else str(mem_bound)
            print(f"  {name + f' c={run.concurrency}':<20} {run.cpu:11.3f} {cpu_bound:8d} "
                  f"{mem:>10} {held:16d}")
    for name, runs in (("warm", warm), ("cold", cold)):
        line = fit(runs)
        if line is not None:
            over = f" (the fixed part alone is over {args.memory_mb:g} MB)" \
                if line[0] >= args.memory_mb else ""
            print(f"  {name}: memory ≈ {line[0]:.0f} + {line[1]:.0f} MB × concurrent probes"
                  f"{over}; mean latency {runs[-1].mean:.2f} s at c={runs[-1].concurrency}")


# -- the simulator and main --------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def simulator() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``lifesize-probe simulate`` (the packaged demo config) on a free loopback port."""
    listen = f"127.0.0.1:{free_port()}"
    url = f"http://{listen}"
    proc = subprocess.Popen([sys.executable, "-m", "probe", "simulate", "--listen", listen],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the simulator exited with {proc.returncode}")
            try:
                httpx.get(f"{url}/_sim/stats", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} did not answer") from None
                time.sleep(0.05)
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def leftovers(meter: Meter) -> list[Stat]:
    """Kill (by pid) what the run left running, and reap it."""
    time.sleep(0.5)
    left = [s for s in meter.descendants() if s.state != "Z"]
    for stat in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(stat.pid, signal.SIGKILL)
    time.sleep(0.5)
    meter.descendants()
    return left


@dataclass(frozen=True)
class Results:
    api: Run | None
    warm: list[Run]
    traced: list[Run]
    cold: list[Run]
    blank: Run | None
    idle: float


async def bench(state: Bench) -> Results:
    api = await state.api() if state.args.api_probes else None
    warm, blank, idle = await state.warm(None, "warm")
    traced: list[Run] = []
    if state.args.trace:
        with tempfile.TemporaryDirectory(prefix="browser-cpu-") as folder:
            traced, _, _ = await state.warm(DiagnosticsDir(folder), "warm+trace")
    cold = await state.cold() if state.args.cold_probes else []
    return Results(api, warm, traced, cold, blank, idle)


def positive(text: str) -> int:
    if int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {text}")
    return int(text)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--probes", type=positive, default=40,
                        help="warm probes per concurrency")
    parser.add_argument("--cold-probes", type=int, default=15, help="cold probes per level")
    parser.add_argument("--concurrency", default="1,2,4")
    parser.add_argument("--api-probes", type=int, default=200,
                        help="lifesize-flow probes measured first (0: use --api-cpu-ms)")
    parser.add_argument("--api-cpu-ms", type=float, default=4.0,
                        help="CPU per API probe when --api-probes is 0 (probe_cpu.py's figure)")
    parser.add_argument("--headroom", type=float, default=0.7)
    parser.add_argument("--memory-mb", type=float, default=TARGET_MB,
                        help="memory the browser may use, for the capacity table")
    parser.add_argument("--idle", type=float, default=5.0,
                        help="seconds to measure the warm browser idling")
    parser.add_argument("--trace", action="store_true",
                        help="also run warm probes with a diagnostics directory (tracing on)")
    return parser.parse_args()


def main() -> None:
    args = parse()
    levels = [int(level) for level in args.concurrency.split(",")]
    if len(tempfile.gettempdir()) > 40:  # Chromium's unix sockets need a short path
        os.environ["TMPDIR"] = "/tmp"
        tempfile.tempdir = None
    if not make_subreaper():
        print("prctl(PR_SET_CHILD_SUBREAPER) failed: orphaned Chromium processes (zygotes "
              "with their renderers' CPU) will be missed", file=sys.stderr)
    began = time.perf_counter()
    with simulator() as (url, sim), demo_config() as config:
        settings = load_config(config)
        target = settings.target.model_copy(
            update={"hosts": dict.fromkeys(settings.target.hosts, url)})
        meter = Meter(exclude=sim.pid)
        meter.start()
        state = Bench(url=url, settings=settings, target=target,
                      secrets=Secrets(base_dir=config.parent), meter=meter, args=args,
                      levels=levels)
        try:
            results = anyio.run(bench, state)
        finally:
            left = leftovers(meter)
            meter.stop()
    print("\nwhere the CPU goes (CPU-s per probe, by kind of process)")
    blank = [results.blank] if results.blank is not None else []
    for run in [*results.warm, *blank, *results.traced, *results.cold]:
        print(run.where())
    api_cpu = results.api.cpu if results.api is not None else args.api_cpu_ms / 1000
    report(args, api_cpu, results.warm, results.cold, results.idle)
    print(f"\norphans reaped here: {meter.adopted}; peers left open by probes: "
          f"{dict(state.lingering) or 0}; processes left running: {len(left)}"
          f"{' (killed)' if left else ''}; wall {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
