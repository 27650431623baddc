"""The ``lifesize`` flow: what a registered user of Lifesize Cloud does.

Sign in (``login`` step), then set up a call (``call`` step): create a temporary
meeting with the meeting API and poll it until its state is ``connected``; afterwards
delete it, best-effort. Every request comes from ``target.lifesize`` in the config,
whose defaults are the public facts about the meeting API and an assumed sign-in
endpoint, so an endpoint change is a config change, not a release.
"""

from __future__ import annotations

from probe.config import Account, TargetSection, User
from probe.credentials import Secrets
from probe.flows._runner import Request, ScriptFlow
from probe.flows.base import SYSTEM_CLOCK, ClientFactory, Clock
from probe.model import ProbeResult

__all__ = ["LifesizeFlow"]


class LifesizeFlow:
    """Sign in, create a meeting, wait for ``connected``, then delete the meeting."""

    def __init__(self, target: TargetSection, *, region: str, secrets: Secrets,
                 clients: ClientFactory | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
        section = target.lifesize
        parts = [
            Request(name="login", step="login", spec=section.login),
            Request(name="create", step="call", spec=section.create) if section.create else None,
            Request(name="poll", step="call", spec=section.poll),
            Request(name="hangup", step="cleanup", spec=section.hangup) if section.hangup else None,
        ]
        self._script = ScriptFlow([p for p in parts if p is not None], target=target,
                                  region=region, secrets=secrets, clients=clients, clock=clock)

    async def run(self, account: Account, user: User) -> ProbeResult:
        """One probe as ``user`` of ``account``."""
        return await self._script.run(account, user)

    async def aclose(self) -> None:
        """Nothing to close: each probe opens and closes its own HTTP client."""
        await self._script.aclose()
