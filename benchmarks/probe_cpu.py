"""CPU per probe of the lifesize flow, against the simulator, next to blackbox_exporter.

    .venv/bin/python benchmarks/probe_cpu.py [--probes 2000] [--concurrency 1,50,200]

The simulator runs in its own process (``simulate``, the packaged demo config), so the CPU
measured here, ``time.process_time()`` of this process, is the client's alone: fresh
client per probe, DNS-free loopback TCP, sign-in, create, one poll and the delete
(four HTTP exchanges). When ``prometheus-blackbox-exporter`` is installed it is run on
a free loopback port and driven through ``/probe`` against the same simulator, and its
process CPU is read from ``/proc``; the ratio compares our CPU per HTTP exchange with
its CPU per single-request probe. Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio
import httpx

from probe.config import Account, User, load_config
from probe.credentials import Secrets
from probe.flows import LifesizeFlow
from probe.simulator import demo_config

EXCHANGES_PER_PROBE = 4
BLACKBOX_NAMES = ("prometheus-blackbox-exporter", "blackbox_exporter")
BLACKBOX_MODULES = "modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n" \
                   "    http:\n      preferred_ip_protocol: ip4\n"


@dataclass(frozen=True)
class Run:
    concurrency: int
    probes: int
    ok: int
    cpu: float
    wall: float
    latencies: list[float]

    def line(self, what: str, per: int) -> str:
        lat = sorted(self.latencies)
        p50, p99 = lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99) - 1] * 1000
        cpu_ms = self.cpu / self.probes * 1000
        return (f"{what:<10} c={self.concurrency:<4} n={self.probes:<6} ok={self.ok:<6} "
                f"cpu/probe={cpu_ms:6.3f} ms  cpu/exchange={cpu_ms / per:6.3f} ms  "
                f"{self.probes / self.wall:8.1f} probes/s  p50={p50:6.1f} ms  p99={p99:6.1f} ms")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_http(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


@contextmanager
def process(args: list[str], ready_url: str) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(ready_url, proc)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def simulator() -> Iterator[str]:
    listen = f"127.0.0.1:{free_port()}"
    code = ("import sys, logging; logging.disable(logging.INFO); "
            "from probe.cli.simulate import serve; "
            "sys.exit(serve(listen=sys.argv[1], config_path=None))")
    url = f"http://{listen}"
    with process([sys.executable, "-c", code, listen], f"{url}/_sim/stats"):
        yield url


async def drive_flow(flow: LifesizeFlow, users: list[tuple[Account, User]], probes: int,
                     concurrency: int) -> Run:
    latencies: list[float] = []
    ok = 0
    numbers = iter(range(probes))

    async def worker() -> None:
        nonlocal ok
        for number in numbers:
            account, user = users[number % len(users)]
            began = time.perf_counter()
            result = await flow.run(account, user)
            latencies.append(time.perf_counter() - began)
            ok += result.ok

    cpu, wall = time.process_time(), time.perf_counter()
    async with anyio.create_task_group() as tasks:
        for _ in range(concurrency):
            tasks.start_soon(worker)
    return Run(concurrency, probes, ok, time.process_time() - cpu,
               time.perf_counter() - wall, latencies)


def our_runs(url: str, probes: int, levels: list[int]) -> list[Run]:
    with demo_config() as demo:
        settings = load_config(demo)
        secrets = Secrets(base_dir=demo.parent)
        target = settings.target.model_copy(update={"hosts": {"login": url, "meeting": url}})
        flow = LifesizeFlow(target, region="bench", secrets=secrets)
        users = [(a, u) for a in settings.accounts if a.flow is None for u in a.users]
        return _drive_levels(flow, users, probes, levels)


def _drive_levels(flow: LifesizeFlow, users: list[tuple[Account, User]], probes: int,
                  levels: list[int]) -> list[Run]:
    anyio.run(drive_flow, flow, users, 50, 10)  # warm up: imports, TLS context, caches
    return [anyio.run(drive_flow, flow, users, probes, level) for level in levels]


def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drive_blackbox(base: str, target: str, pid: int, probes: int,
                         concurrency: int) -> Run:
    latencies: list[float] = []
    ok = 0
    numbers = iter(range(probes))
    params = {"module": "http_2xx", "target": target}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        async def worker() -> None:
            nonlocal ok
            for _ in numbers:
                began = time.perf_counter()
                answer = await client.get("/probe", params=params)
                latencies.append(time.perf_counter() - began)
                ok += "probe_success 1" in answer.text
        cpu, wall = proc_cpu(pid), time.perf_counter()
        async with anyio.create_task_group() as tasks:
            for _ in range(concurrency):
                tasks.start_soon(worker)
    return Run(concurrency, probes, ok, proc_cpu(pid) - cpu, time.perf_counter() - wall,
               latencies)


def blackbox_runs(binary: str, sim_url: str, probes: int, levels: list[int]) -> list[Run]:
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "blackbox.yml"
        config.write_text(BLACKBOX_MODULES)
        listen = f"127.0.0.1:{free_port()}"
        args = [binary, f"--config.file={config}", f"--web.listen-address={listen}"]
        with process(args, f"http://{listen}/metrics") as proc:
            target = f"{sim_url}/_sim/stats"
            anyio.run(drive_blackbox, f"http://{listen}", target, proc.pid, 50, 10)
            return [anyio.run(drive_blackbox, f"http://{listen}", target, proc.pid, probes,
                              level) for level in levels]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probes", type=int, default=2000)
    parser.add_argument("--concurrency", default="1,50,200")
    parser.add_argument("--no-blackbox", action="store_true")
    args = parser.parse_args()
    levels = [int(level) for level in args.concurrency.split(",")]
    binary = None if args.no_blackbox else next(
        filter(None, map(shutil.which, BLACKBOX_NAMES)), None)
    with contextmanager(simulator)() as url:
        ours = our_runs(url, args.probes, levels)
        for run in ours:
            print(run.line("lifesize", EXCHANGES_PER_PROBE))
        if binary is None:
            print("blackbox_exporter not found (apt-get install prometheus-blackbox-exporter)")
            return
        theirs = blackbox_runs(binary, url, args.probes, levels)
    for run in theirs:
        print(run.line("blackbox", 1))
    for mine, other in zip(ours, theirs, strict=True):
        ratio = (mine.cpu / mine.probes / EXCHANGES_PER_PROBE) / (other.cpu / other.probes)
        print(f"c={mine.concurrency:<4} our CPU per HTTP exchange / blackbox CPU per probe: "
              f"{ratio:.2f}x  (p99 {statistics.quantiles(mine.latencies, n=100)[98] * 1000:.1f}"
              f" ms vs {statistics.quantiles(other.latencies, n=100)[98] * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
