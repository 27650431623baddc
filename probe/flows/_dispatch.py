"""One agent, several flows: each account is probed by the flow it asks for.

``Account.flow`` picks the flow (``None``: ``target.flow``), so one fleet can mix cheap
API probes with browser probes. Each flow is built once, when an account first needs
it, so that an agent with no browser account never starts Playwright.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from probe.config import Account, User
from probe.flows.base import Flow
from probe.model import ProbeResult

__all__ = ["FlowPerAccount"]

log = logging.getLogger("probe.flows")


class FlowPerAccount:
    """A ``Flow`` that hands each probe to its account's flow; ``aclose()`` closes them."""

    def __init__(self, build: Callable[[str], Flow], *, default: str) -> None:
        self._build = build
        self._default = default
        self._flows: dict[str, Flow] = {}

    def flow_for(self, account: Account) -> Flow:
        """The flow that probes ``account``, built on first use."""
        kind = account.flow or self._default
        if kind not in self._flows:
            self._flows[kind] = self._build(kind)
        return self._flows[kind]

    async def run(self, account: Account, user: User) -> ProbeResult:
        return await self.flow_for(account).run(account, user)

    async def aclose(self) -> None:
        """Close every flow built, each even when closing another failed."""
        flows, self._flows = list(self._flows.values()), {}
        for flow in flows:
            try:
                await flow.aclose()
            except Exception:  # closing at shutdown: log it, close the rest
                log.exception("closing the %s flow", type(flow).__name__)
