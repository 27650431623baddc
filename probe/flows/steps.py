"""The ``steps`` flow: a probe written as a list of HTTP requests in the config.

For when the service changes faster than releases: an SRE rewrites ``target.steps``
(method, URL, headers, JSON or form body with ``${name}`` templates, expected statuses
and values, extraction into variables), each request tagged ``login``, ``call`` or
``cleanup``.
"""

from __future__ import annotations

from probe.config import Account, TargetSection, User
from probe.credentials import Secrets
from probe.flows._runner import Request, ScriptFlow
from probe.flows.base import SYSTEM_CLOCK, ClientFactory, Clock
from probe.model import ProbeResult

__all__ = ["StepsFlow"]


class StepsFlow:
    """Runs ``target.steps`` in order; ``cleanup`` steps run last and never fail a probe."""

    def __init__(self, target: TargetSection, *, region: str, secrets: Secrets,
                 clients: ClientFactory | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
        requests = [Request(name=step.name, step=step.step, spec=step) for step in target.steps]
        self._script = ScriptFlow(requests, target=target, region=region, secrets=secrets,
                                  clients=clients, clock=clock)

    async def run(self, account: Account, user: User) -> ProbeResult:
        """One probe as ``user`` of ``account``."""
        return await self._script.run(account, user)

    async def aclose(self) -> None:
        """Nothing to close: each probe opens and closes its own HTTP client."""
        await self._script.aclose()
