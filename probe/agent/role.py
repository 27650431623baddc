"""What ``main`` runs: the interface both agent roles keep.

An agent process has one role. ``probing_role.Agent`` (``role: region`` or ``single``)
schedules probes, writes their results and builds its snapshot from its own series;
``sla_role.SlaAgent`` (``role: sla``) probes nothing and builds the account-level
snapshot from the shared store. ``main`` composes either with the same web side, the
same background tasks and the same shutdown, through this protocol alone.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from probe.agent.snapshot import Snapshot
from probe.config import Settings
from probe.model import Seconds


class Role(Protocol):
    """One agent role, driven by ``main``: resume, start, three tasks, drain, close."""

    settings: Settings
    interval: Seconds
    snapshot: Snapshot
    """The latest snapshot: what /metrics, /readyz, the page and the API show."""

    @property
    def series_count(self) -> int:
        """The (account, region) series this role probes (0 for the sla role)."""
        ...

    async def resume(self) -> None:
        """Pick up from the store before the web side starts."""
        ...

    def start(self) -> None:
        """Begin (inside the running loop): schedule the probes, if any."""
        ...

    async def writer(self, stop: asyncio.Event) -> None:
        """Write results to the store until ``stop``."""
        ...

    async def refresher(self, stop: asyncio.Event) -> None:
        """Rebuild ``snapshot`` until ``stop``, paced by ``waiting.refresh_pause``."""
        ...

    def request_refresh(self) -> None:
        """Rebuild soon: maintenance was declared or imported."""
        ...

    async def drain(self, timeout: float) -> None:
        """Stop starting work, finish what is in flight within ``timeout``, write all."""
        ...

    async def aclose(self) -> None:
        """Release what the role holds beyond the store (the browser flow's Chromium),
        after ``drain``, or when starting failed."""
        ...
