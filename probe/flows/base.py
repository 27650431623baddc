"""What a flow is, and what it is given: a clock and a way to open HTTP clients.

A flow is what a registered user does: sign in, then start a video call. Both are
parameters so that tests can drive a probe without sleeping or touching the network.
"""

from __future__ import annotations

import time
from typing import Protocol

import anyio
import httpx

from probe.config import Account, User
from probe.model import ProbeResult

__all__ = ["SYSTEM_CLOCK", "ClientFactory", "Clock", "Flow", "SystemClock"]


class Flow(Protocol):
    """One probe of one test user of one account."""

    async def run(self, account: Account, user: User) -> ProbeResult:
        """Sign in and set up a call; never raises for a failure of the service."""
        ...

    async def aclose(self) -> None:
        """Release what the flow keeps between probes (a browser); the HTTP flows keep
        nothing. Called once, when the agent stops; no probe runs after it."""
        ...


class Clock(Protocol):
    """Wall time for ``ProbeResult.ts``, monotonic time for durations, and sleeping."""

    def time(self) -> float:
        """Seconds since the Unix epoch, UTC."""
        ...

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


SYSTEM_CLOCK = SystemClock()


class ClientFactory(Protocol):
    """Opens a fresh client for one probe (fresh connections: DNS, TCP and TLS included)."""

    def __call__(self) -> httpx.AsyncClient: ...
