"""One Chromium per browser flow: launched on first use, relaunched after a crash.

Launching Chromium costs about a second of CPU, a fresh context a fraction of that, so
a flow keeps one browser for its probes and gives each attempt its own context
(cookies, storage and cache of its own). The browser is Debian's Chromium at the
configured path: the probe never downloads one. Fake camera and microphone, and
loopback candidates allowed, so that a call to a simulator on 127.0.0.1 can connect.

Playwright keeps every context's trace recording until its browser closes, discarded
or not, so a browser is replaced after ``recycle_after`` attempts: new attempts go to
a new browser, and the old one is closed, with its directory of traces, when its last
attempt ends. Each browser records into a directory of its own (``traces_dir``):
Playwright's default leaves a temporary directory behind for every context closed
without stopping its trace, as a crashed one is.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio
from playwright.async_api import Browser, Playwright, async_playwright

__all__ = ["LAUNCH_ARGS", "Chromium"]

log = logging.getLogger("probe.flows")

LAUNCH_ARGS = (
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
)


@dataclass(eq=False, kw_only=True)
class _Generation:
    """One launched browser, its traces, and the attempts using it."""

    browser: Browser
    traces: Path
    users: int = 0
    served: int = 0

    async def close(self) -> None:
        try:
            await self.browser.close()
        except Exception as exc:  # a dead browser cannot be closed twice; nothing to keep
            log.debug("closing a lost browser: %s", exc)
        shutil.rmtree(self.traces, ignore_errors=True)


class Chromium:
    """The Playwright driver and the browsers of one flow; ``aclose()`` ends them all."""

    def __init__(self, *, executable: str, args: tuple[str, ...] = LAUNCH_ARGS,
                 recycle_after: int = 500) -> None:
        self._executable = executable
        self._args = list(args)
        self._recycle_after = recycle_after
        self._lock = anyio.Lock()
        self._playwright: Playwright | None = None
        self._current: _Generation | None = None
        self._retiring: set[_Generation] = set()
        self._closed = False
        self.launches = 0
        """How many browsers this flow has launched (for tests and logs)."""

    @property
    def current(self) -> Browser | None:
        """The browser new attempts get, if one runs (for tests and health checks)."""
        return None if self._current is None else self._current.browser

    @property
    def traces(self) -> Path | None:
        """Where the current browser records traces (removed when it closes)."""
        return None if self._current is None else self._current.traces

    @asynccontextmanager
    async def lease(self) -> AsyncIterator[Browser]:
        """A running browser for one attempt; a new one when there is none, the last one
        died or it has served ``recycle_after`` attempts."""
        generation = await self._take()
        try:
            yield generation.browser
        finally:
            generation.users -= 1
            if generation is not self._current and generation.users == 0:
                self._retiring.discard(generation)
                await generation.close()

    async def aclose(self) -> None:
        """Close every browser and stop the driver; idempotent."""
        async with self._lock:
            self._closed = True
            generations = [*self._retiring, *([self._current] if self._current else [])]
            self._current, self._retiring = None, set()
            for generation in generations:
                await generation.close()
            if self._playwright is not None:
                playwright, self._playwright = self._playwright, None
                await playwright.stop()

    async def _take(self) -> _Generation:
        async with self._lock:
            if self._closed:
                raise RuntimeError("the flow's browser was closed (aclose)")
            current = self._current
            if current is None or not current.browser.is_connected() or \
                    current.served >= self._recycle_after:
                current = await self._replace(current)
            current.users += 1
            current.served += 1
            return current

    async def _replace(self, old: _Generation | None) -> _Generation:
        self._current = None
        if old is not None:
            if not old.browser.is_connected():
                log.warning("Chromium was lost; launching a new one")
            if old.users == 0:
                await old.close()
            else:
                self._retiring.add(old)
        if self._playwright is None:
            self._playwright = await async_playwright().start()
        traces = Path(tempfile.mkdtemp(prefix="lifesize-probe-traces-"))
        try:
            browser = await self._playwright.chromium.launch(
                executable_path=self._executable, headless=True, args=self._args,
                traces_dir=traces)
        except BaseException:
            shutil.rmtree(traces, ignore_errors=True)
            raise
        self.launches += 1
        self._current = _Generation(browser=browser, traces=traces)
        return self._current
