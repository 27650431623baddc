"""The ``browser`` flow: what a user does in the web app, in a real Chromium.

Sign in through the web app's pages and start a call, as a person would, then check
that the call plays: a WebRTC peer connection connected, video frames decoded and
rising, audio packets arriving (``target.browser``, probe/config/_browser.py). The HTTP
flows see whether the APIs answer; this one sees whether a user could have had a call.

Each attempt runs in a fresh context of the flow's one browser (``_chromium``); a failed
attempt is run once more at once (``confirm``), and the probe fails only if both fail.
A failed probe leaves its evidence, redacted, in the diagnostics directory; with no
directory (``diagnostics=None``) it keeps nothing and does not even record a trace.

    result          first attempt   confirming attempt
    ok              passed          (not run)
    ok              failed          passed      its durations, plus ``confirm``
    failed          failed          failed      the first's step, error, durations,
                                                plus ``confirm``; both attempts' files
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from probe.config import Account, TargetSection, User
from probe.credentials import Secret, SecretError, Secrets
from probe.diagnostics import DiagnosticsDir, ProbeFolder
from probe.flows._attempt import Attempt, Failure, Outcome
from probe.flows._chromium import Chromium
from probe.flows._redact import Redactor
from probe.flows._runner import constants_of, probe_variables
from probe.flows.base import SYSTEM_CLOCK, Clock
from probe.model import Instant, ProbeResult

__all__ = ["BrowserFlow"]

log = logging.getLogger("probe.flows")


class BrowserFlow:
    """Probes through the web app in Chromium; one browser for all probes of the flow."""

    def __init__(self, target: TargetSection, *, region: str, secrets: Secrets,
                 diagnostics: DiagnosticsDir | None, clock: Clock = SYSTEM_CLOCK,
                 chromium: Chromium | None = None) -> None:
        self._target = target
        self._region = region
        self._secrets = secrets
        self._diagnostics = diagnostics
        self._clock = clock
        self._constants = constants_of(target)
        self.chromium = chromium or Chromium(executable=target.browser.executable)
        """The flow's browser (its ``launches`` and ``current`` are for tests)."""

    async def run(self, account: Account, user: User) -> ProbeResult:
        """One probe as ``user`` of ``account``, confirmed once if it fails."""
        ts = self._clock.time()
        try:
            variables = probe_variables(self._target, self._secrets, constants=self._constants,
                                        account=account, user=user, region=self._region)
        except SecretError as exc:
            log.error("probe %s/%s as %s: internal (the probe is misconfigured): %s",
                      account.name, self._region, user.username, exc)
            first = Outcome(failure=Failure(step=self._target.browser.steps[0].step,
                                            error="internal"), durations={"total": 0.0})
            return self._result(ts, account, first, None)
        secrets = [v.reveal() for v in variables.values() if isinstance(v, Secret)]
        redactor = Redactor(secrets)
        plan = _Plan(account=account, user=user, ts=ts, variables=variables, redactor=redactor)
        first = await self._attempt(plan, 1)
        if first.failure is None or not self._target.browser.confirm:
            return self._result(ts, account, first, None)
        return self._result(ts, account, first, await self._attempt(plan, 2))

    async def aclose(self) -> None:
        """Close the browser and the Playwright driver; no probe may run after this."""
        await self.chromium.aclose()

    async def _attempt(self, plan: _Plan, number: int) -> Outcome:
        where = (f"probe {plan.account.name}/{self._region} as {plan.user.username}, "
                 f"attempt {number}")
        attempt = Attempt(target=self._target, variables=plan.variables,
                          redactor=plan.redactor, clock=self._clock, where=where,
                          folder=self._folder_maker(plan, number))
        start = self._clock.monotonic()
        try:
            async with self.chromium.lease() as browser:
                return await attempt.run(browser)
        except Exception as exc:  # the flow boundary: launching, or a context of a lost browser
            log.error("%s: internal (no browser context): %s", where,
                      plan.redactor.text(f"{type(exc).__name__}: {exc}"))
            failure = Failure(step=self._target.browser.steps[0].step, error="internal")
            return Outcome(failure=failure, durations={"total": self._clock.monotonic() - start})

    def _folder_maker(self, plan: _Plan, number: int) -> Callable[[], ProbeFolder] | None:
        if self._diagnostics is None:
            return None
        return partial(self._diagnostics.new_probe, account=plan.account.name,
                       region=self._region, ts=plan.ts, attempt=number)

    def _result(self, ts: Instant, account: Account, first: Outcome,
                second: Outcome | None) -> ProbeResult:
        """The probe's result from its attempts (see the table in the module's docstring)."""
        if first.failure is None:
            return self._ok(ts, account, first.durations)
        if second is not None and second.failure is None:
            if first.folder is not None:
                first.folder.discard()
            log.warning("probe %s/%s: attempt 1 failed (%s), the confirming attempt passed",
                        account.name, self._region, first.failure.error)
            return self._ok(ts, account, {**second.durations,
                                          "confirm": second.durations["total"]})
        durations, files = dict(first.durations), first.files
        if second is not None:
            durations["confirm"] = second.durations["total"]
            files += second.files
        return ProbeResult(ts=ts, account=account.name, region=self._region, ok=False,
                           step=first.failure.step, error=first.failure.error,
                           durations=durations, diagnostics=files)

    def _ok(self, ts: Instant, account: Account, durations: dict[str, float]) -> ProbeResult:
        return ProbeResult(ts=ts, account=account.name, region=self._region, ok=True,
                           durations=durations)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Plan:
    """What both attempts of one probe share."""

    account: Account
    user: User
    ts: Instant
    variables: dict[str, Any]
    redactor: Redactor
