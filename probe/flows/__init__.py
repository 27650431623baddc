"""Probe flows: sign in and set up a video call, and say why it failed.

``make_flow(target, region=..., secrets=..., diagnostics=...)`` gives the flow that
probes every account: each account's own ``flow``, else ``target.flow``. A flow's
``run(account, user)`` returns a ``ProbeResult`` and raises only when it is cancelled;
its ``error`` is one of the error classes listed in ``probe.flows.errors``. ``aclose()``
releases what a flow keeps (the browser flow's Chromium) when the agent stops.
"""

from __future__ import annotations

import logging

from probe.config import TargetSection
from probe.credentials import Secrets
from probe.diagnostics import DiagnosticsDir
from probe.flows._dispatch import FlowPerAccount
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
    "FlowPerAccount",
    "HttpClients",
    "LifesizeFlow",
    "StepsFlow",
    "SystemClock",
    "error_for",
    "make_flow",
]

log = logging.getLogger("probe.flows")


def make_flow(target: TargetSection, *, region: str, secrets: Secrets,
              clients: ClientFactory | None = None, clock: Clock = SYSTEM_CLOCK,
              diagnostics: DiagnosticsDir | None = None) -> FlowPerAccount:
    """The flow of each account (``Account.flow``, else ``target.flow``), for ``region``.

    ``diagnostics`` is where failed browser probes leave their evidence; ``None`` keeps
    none (the agent passes ``settings.diagnostics.dir`` or ``default_dir`` of its store).
    Warns once, here at start, when ``target.tls_verify`` is off: from then on anyone
    between the probe and the service can read the test users' passwords.
    """
    if not target.tls_verify:
        log.warning("TLS certificate verification is OFF for the target (%s): set by "
                    "target.tls_verify: false; a man in the middle can read the test users' "
                    "passwords", ", ".join(sorted(set(target.hosts.values()))))

    def build(kind: str) -> Flow:
        if kind == "browser":
            return _browser_flow(target, region=region, secrets=secrets, clock=clock,
                                 diagnostics=diagnostics)
        http = LifesizeFlow if kind == "lifesize" else StepsFlow
        return http(target, region=region, secrets=secrets, clients=clients, clock=clock)

    return FlowPerAccount(build, default=target.flow)


def _browser_flow(target: TargetSection, *, region: str, secrets: Secrets, clock: Clock,
                  diagnostics: DiagnosticsDir | None) -> Flow:
    """The browser flow, imported only when an account uses it (Playwright is heavy)."""
    from probe.flows.browser import BrowserFlow  # noqa: PLC0415 (half a second of imports)

    if diagnostics is None:
        log.warning("browser probes keep no diagnostic files: no diagnostics directory")
    return BrowserFlow(target, region=region, secrets=secrets, clock=clock,
                       diagnostics=diagnostics)
