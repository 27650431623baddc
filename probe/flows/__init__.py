"""Probe flows: sign in and set up a video call, and say why it failed.

``make_flow(target, region=..., secrets=...)`` builds the flow that ``target.flow``
names. A flow's ``run(account, user)`` returns a ``ProbeResult`` and raises only when
it is cancelled; its ``error`` is one of the error classes listed in ``probe.flows.errors``.
"""

from __future__ import annotations

import logging

from probe.config import TargetSection
from probe.credentials import Secrets
from probe.flows._http import HttpClients
from probe.flows.base import SYSTEM_CLOCK, ClientFactory, Clock, Flow, SystemClock
from probe.flows.errors import error_for
from probe.flows.lifesize import LifesizeFlow
from probe.flows.steps import StepsFlow

__all__ = [
    "SYSTEM_CLOCK",
    "ClientFactory",
    "Clock",
    "Flow",
    "HttpClients",
    "LifesizeFlow",
    "StepsFlow",
    "SystemClock",
    "error_for",
    "make_flow",
]

log = logging.getLogger("probe.flows")


def make_flow(target: TargetSection, *, region: str, secrets: Secrets,
              clients: ClientFactory | None = None, clock: Clock = SYSTEM_CLOCK) -> Flow:
    """The flow ``target.flow`` names, ready to run probes in ``region``.

    Warns once, here at start, when ``target.tls_verify`` is off: from then on anyone
    between the probe and the service can read the test users' passwords.
    """
    if not target.tls_verify:
        log.warning("TLS certificate verification is OFF for the target (%s): set by "
                    "target.tls_verify: false; a man in the middle can read the test users' "
                    "passwords", ", ".join(sorted(set(target.hosts.values()))))
    kind = LifesizeFlow if target.flow == "lifesize" else StepsFlow
    return kind(target, region=region, secrets=secrets, clients=clients, clock=clock)
