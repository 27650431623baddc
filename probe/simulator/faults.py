"""Fault injection for the simulator: what to break, for whom, and for how long.

A fault is posted to ``/_sim/faults`` and ends by itself after ``seconds``, so a test
or a demo that forgets to clear it cannot leave the simulator broken. The newest
matching fault wins.

    mode          the answer                               the probe's error
    error         ``status`` (default 503)                 http_<status>
    timeout       none: the request hangs                  timeout
    slow          the real answer, one byte per 0.1 s      timeout (slow-loris)
                  for ``delay`` seconds first
    garbage       200 with a body that is not JSON         bad_response
    reject_auth   401; on ``POST /signin`` the sign-in      auth_rejected
                  form again, with its error message
    ui_change     the sign-in page has no ``#login``       bad_response
                  button (it is renamed)
    js_error      the call page's script throws before     bad_response
                  it creates an RTCPeerConnection
    no_ice        an answer that can never connect         ice_failed
    no_media      connected, but no frames or packets      no_media

The first five hit the API and the web pages alike. The last four are about the web
app only (``webapp.py``); the API answers normally under them. The pages' steps:
``/signin`` and ``/app/`` are step ``login``; ``/call/…`` and its offer are ``call``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["WEB_ONLY", "Fault", "FaultBook", "FaultSpec"]

Step = Literal["login", "call", "any"]
Mode = Literal["error", "timeout", "slow", "garbage", "reject_auth",
               "ui_change", "js_error", "no_ice", "no_media"]
WEB_ONLY: frozenset[str] = frozenset({"ui_change", "js_error", "no_ice", "no_media"})
"""The modes only the web app acts on: everything else answers normally under them."""


class FaultSpec(BaseModel):
    """The JSON body of ``POST /_sim/faults``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    step: Step = "any"
    mode: Mode
    status: int = Field(default=503, ge=400, le=599)
    accounts: tuple[str, ...] = ("*",)
    seconds: float = Field(default=60.0, gt=0, le=86400)
    delay: float = Field(default=30.0, ge=0, le=3600)
    """``slow`` only: how long the answer trickles before its real content."""

    def applies(self, step: str, account: str | None) -> bool:
        """Whether a request of ``step`` by a user of ``account`` is hit."""
        step_hit = self.step in ("any", step)
        return step_hit and ("*" in self.accounts or account in self.accounts)


@dataclass(frozen=True, slots=True, kw_only=True)
class Fault:
    """An active fault; ``until`` is on the book's monotonic clock."""

    id: int
    spec: FaultSpec
    until: float


class FaultBook:
    """The active faults, each expiring by itself."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, spec: FaultSpec) -> Fault:
        fault = Fault(id=next(self._ids), spec=spec, until=self._clock() + spec.seconds)
        self._faults.append(fault)
        return fault

    def active(self) -> list[Fault]:
        """The faults still running, oldest first."""
        now = self._clock()
        self._faults = [f for f in self._faults if f.until > now]
        return list(self._faults)

    def remaining(self, fault: Fault) -> float:
        return max(0.0, fault.until - self._clock())

    def clear(self) -> int:
        """End every fault; how many there were."""
        count = len(self.active())
        self._faults = []
        return count

    def find(self, step: str, account: str | None) -> Fault | None:
        """The newest active fault that hits this request."""
        if not self._faults:
            return None
        for fault in reversed(self.active()):
            if fault.spec.applies(step, account):
                return fault
        return None
