"""Child processes of the benchmark: started in their own session, always stopped.

Every child gets ``PR_SET_PDEATHSIG`` (SIGTERM when the benchmark dies, even by
``kill -9``) and its own session, so Ctrl-C reaches the benchmark only and the
benchmark stops its children itself: SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_PR_SET_PDEATHSIG = 1
_TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


@contextlib.contextmanager
def child(args: list[str], log: Path, *, ready_url: str, timeout: float,
          grace: float) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``args`` (output to ``log``) until the block ends; ready once ``ready_url`` answers."""
    with log.open("wb") as out:
        # preexec_fn is safe here: the benchmark starts its children from one thread.
        proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True,
            preexec_fn=_die_with_parent)  # noqa: PLW1509
    try:
        _wait_http(ready_url, proc, timeout)
        yield proc
    finally:
        stop(proc, grace)


def stop(proc: subprocess.Popen[bytes], grace: float) -> float:
    """SIGTERM, SIGKILL after ``grace`` seconds; the seconds it took to exit."""
    began = time.monotonic()
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return time.monotonic() - began


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@dataclass(frozen=True, slots=True)
class Usage:
    """One look at a process in ``/proc``: CPU seconds (all threads and the main one)."""

    at: float
    cpu: float
    main_cpu: float
    rss_mib: float
    peak_rss_mib: float

    @property
    def workers_cpu(self) -> float:
        """CPU of every thread but the main one (the agent's worker threads)."""
        return self.cpu - self.main_cpu


def usage(pid: int) -> Usage:
    status = _status(pid)
    return Usage(time.monotonic(), _cpu(f"/proc/{pid}/stat"),
                 _cpu(f"/proc/{pid}/task/{pid}/stat"),
                 status.get("VmRSS", 0) / 1024, status.get("VmHWM", 0) / 1024)


def _cpu(stat_path: str) -> float:
    fields = Path(stat_path).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def _status(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if rest.strip().endswith("kB"):
            values[key] = int(rest.split()[0])
    return values
