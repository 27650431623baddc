"""Loopback ports for servers that a test starts in another process, safe in parallel.

Most servers in the suite listen on port 0 and say which port they got. A child process
that must be told its port in advance (``simulate --listen``, Prometheus) gets one from
``free_port``. Binding port 0 and closing again is not enough there: the port is free
only for a moment, and under pytest-xdist another worker's child, or any outgoing
connection (the kernel takes those from the same ephemeral range), can take it first.
So each worker hands out ports from a block of its own, below the ephemeral range, each
port once, and only a port that it could bind just now.
"""

from __future__ import annotations

import itertools
import os
import socket
from pathlib import Path

BLOCK = 1000
"""Ports per xdist worker; blocks start at ``FIRST``, worker gw0 first."""

FIRST = 20_000


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768  # Linux's default


def _worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")  # gw0, gw1, … or unset: one process
    return int(worker.removeprefix("gw")) if worker.removeprefix("gw").isdigit() else 0


def _candidates() -> itertools.cycle[int]:
    start = FIRST + _worker_index() * BLOCK
    assert start + BLOCK <= _ephemeral_start(), "more xdist workers than port blocks"
    return itertools.cycle(range(start, start + BLOCK))


_CANDIDATES = _candidates()


def free_port() -> int:
    """A loopback TCP port that no other worker hands out, and that is free right now."""
    for _ in range(BLOCK):
        port = next(_CANDIDATES)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free port in this worker's block of {BLOCK}")
