"""One attempt of a browser probe: a fresh context, the steps, the verdict, the evidence.

Steps are contiguous runs of actions with the same tag (``login``, ``call``), each with
its own deadline (``step_timeout``) inside the attempt's (``timeout``), as in the HTTP
flows. The first failure ends the attempt and names its step; a login step that ends
(well or badly) with the wrong-password marker on screen is ``auth_rejected``. A step
out of time on a loaded page is ``bad_response`` when its element is not in the page
at all (the page changed) and ``timeout`` when it is, only not ready (the page is slow). The
context is closed whatever happened, so no cookie, page or renderer outlives it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

import anyio
from playwright.async_api import Browser, BrowserContext, Page
from playwright.async_api import TimeoutError as PlaywrightTimeout

from probe.config import MEDIA, BrowserStep, TargetSection
from probe.diagnostics import ProbeFolder
from probe.flows._actions import describe, on_page, perform
from probe.flows._evidence import collect
from probe.flows._media import RECORDER, Sample, expect_media
from probe.flows._page import BrowserLost, PageWatch, Slow, translate
from probe.flows._redact import Redactor
from probe.flows.base import Clock
from probe.flows.errors import AuthRejected, error_for
from probe.model import DiagnosticFile

__all__ = ["Attempt", "Failure", "Outcome"]

log = logging.getLogger("probe.flows")

GRACE = 2.0
"""Seconds past a step's deadline before a Playwright call that ignored its own timeout
is cancelled from outside."""
MARKER_TIMEOUT = 2.0
"""Seconds to ask a loaded page whether it shows the wrong-password marker."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    step: str
    error: str


@dataclass(slots=True, kw_only=True)
class Outcome:
    """What an attempt found: its failure (None: it passed), durations, evidence."""

    failure: Failure | None
    durations: dict[str, float]
    files: tuple[DiagnosticFile, ...] = ()
    folder: ProbeFolder | None = None


@dataclass(slots=True, kw_only=True)
class Attempt:
    """The plan of one attempt; ``run(browser)`` carries it out once."""

    target: TargetSection
    variables: Mapping[str, Any]
    redactor: Redactor
    clock: Clock
    where: str
    """``probe acme/eu as alice@…, attempt 1``: how logs name this attempt."""
    folder: Callable[[], ProbeFolder] | None
    """Makes the attempt's diagnostics folder, on failure only; None keeps nothing."""
    durations: dict[str, float] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)

    async def run(self, browser: Browser) -> Outcome:
        start = self.clock.monotonic()
        watch = PageWatch(clock=self.clock, began=start)
        context = await browser.new_context(ignore_https_errors=not self.target.tls_verify)
        page: Page | None = None
        try:
            if self.folder is not None:
                await context.tracing.start(screenshots=True, snapshots=True)
            await context.add_init_script(RECORDER)
            page = await context.new_page()
            watch.attach(context, page)
            failure = await self._steps(page, watch, start)
            self.durations["total"] = self.clock.monotonic() - start
            return await self._outcome(failure, context, page, watch)
        except Exception as exc:  # setting up the context: only a lost browser gets here
            self.durations.setdefault("total", self.clock.monotonic() - start)
            error = self._judge(translate(exc, watch, connected=browser.is_connected()), "setup")
            failure = Failure(step=self.target.browser.steps[0].step, error=error)
            return await self._outcome(failure, context, page, watch)
        finally:
            await _close(context)

    async def _steps(self, page: Page, watch: PageWatch, start: float) -> Failure | None:
        steps = self.target.browser.steps
        for step, actions in groupby(steps, key=lambda s: s.step):
            began = self.clock.monotonic()
            deadline = min(began + self.target.step_timeout, start + self.target.timeout)
            current: BrowserStep | None = None
            try:
                for action in actions:
                    current = action
                    await self._perform(page, watch, action, began, deadline)
                if step == "login" and await self._refused(page, watch):
                    raise AuthRejected(f"the sign-in page shows {self._marker}")
            except Exception as exc:  # the flow boundary for a step
                verdict: BaseException = exc
                if step == "login" and not isinstance(exc, AuthRejected) and \
                        await self._refused(page, watch):
                    verdict = AuthRejected(f"the sign-in page shows {self._marker}")
                elif current is not None and await self._only_slow(page, watch, current, exc):
                    verdict = Slow(f"{exc} (the element is on the page, not ready in time)")
                verdict = translate(verdict, watch, connected=_connected(page))
                where = describe(current) if current is not None else "start"
                return Failure(step=step, error=self._judge(verdict, where))
            finally:
                self.durations[step] = (self.durations.get(step, 0.0) +
                                        self.clock.monotonic() - began)
        return None

    async def _perform(self, page: Page, watch: PageWatch, action: BrowserStep,
                       began: float, deadline: float) -> None:
        remaining = deadline - self.clock.monotonic()
        if remaining <= 0:
            raise Slow("step deadline passed before this action")
        section = self.target.browser
        with anyio.fail_after(remaining + GRACE):
            if action.expect == MEDIA:
                await expect_media(page, began=began, deadline=deadline,
                                   min_frames=section.min_frames, clock=self.clock,
                                   durations=self.durations, samples=self.samples)
            else:
                marker = section.wrong_password if action.step == "login" else None
                await perform(page, action, self.variables, timeout=remaining, marker=marker)
        watch.raise_for_status()

    @property
    def _marker(self) -> str | None:
        return self.target.browser.wrong_password

    async def _refused(self, page: Page, watch: PageWatch) -> bool:
        """Whether the wrong-password marker shows (the password was refused).

        Only a loaded page is asked: a question to a page still loading waits for it.
        """
        marker = self._marker
        if marker is None:
            return False
        return await _ask(page, watch, page.locator(marker).first.is_visible)

    async def _only_slow(self, page: Page, watch: PageWatch, action: BrowserStep,
                         exc: Exception) -> bool:
        """Whether a step that timed out on a loaded page found its element there: a
        slow page (``timeout``), where a missing one is a changed page (``bad_response``).
        """
        if not isinstance(exc, PlaywrightTimeout | TimeoutError) or isinstance(exc, Slow):
            return False

        async def there() -> bool:
            return bool(await on_page(page, action, self.variables))
        return await _ask(page, watch, there)

    async def _outcome(self, failure: Failure | None, context: BrowserContext,
                       page: Page | None, watch: PageWatch) -> Outcome:
        if self.folder is None:
            return Outcome(failure=failure, durations=self.durations)
        if failure is None:
            await context.tracing.stop()  # discards the recording
            return Outcome(failure=failure, durations=self.durations)
        folder = self.folder()
        files = await collect(folder, context=context, page=page, watch=watch,
                              samples=self.samples, redactor=self.redactor, tracing=True)
        return Outcome(failure=failure, durations=self.durations, files=files,
                       folder=folder)

    def _judge(self, exc: BaseException, action: str) -> str:
        """The error class of ``exc``, logged once, with every secret masked."""
        error = error_for(exc)
        where = f"{self.where}, {action}"
        detail = self.redactor.text(f"{type(exc).__name__}: {exc}")
        if error != "internal":
            log.warning("%s: %s (%s)", where, error, detail.splitlines()[0])
        elif isinstance(exc, BrowserLost):
            log.error("%s: internal (the browser was lost): %s", where, detail)
        else:
            trace = self.redactor.text("".join(traceback.format_exception(exc)))
            log.error("%s: internal (a bug in the probe): %s\n%s", where, detail, trace)
        return error


async def _ask(page: Page, watch: PageWatch, question: Callable[[], Awaitable[bool]]) -> bool:
    """A yes-or-no question to a loaded page, within ``MARKER_TIMEOUT``: no for a page
    still loading (a question to it would wait for it) or one that cannot be asked."""
    if page.is_closed() or not watch.loaded:
        return False
    try:
        with anyio.fail_after(MARKER_TIMEOUT):
            return await question()
    except Exception:  # a page that cannot be asked says no: the verdict stays
        return False


def _connected(page: Page) -> bool:
    browser = page.context.browser
    return browser is None or browser.is_connected()


async def _close(context: BrowserContext) -> None:
    try:
        with anyio.move_on_after(10):
            await context.close()
    except Exception as exc:  # a context of a lost browser is gone already
        log.debug("closing a context: %s", exc)
