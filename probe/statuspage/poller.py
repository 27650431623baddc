"""Polling a Statuspage: fetch, parse, plan, apply, every ``every``, never raising.

Everything that can go wrong with the page (no answer, an HTTP error, a body too large,
not JSON, the wrong shape) is logged as one line and changes nothing in the store: the
windows already imported stay until a valid answer says otherwise. A store error is
logged the same way and the next poll tries again. The store is called in worker
threads; the clock and the HTTP client are passed in.

A changed window is replaced by removing it and adding it again (the ``Store`` protocol
has no update): if the process dies in between, the window is missing until the next
poll puts it back, which can only be a problem if the window drops off the page's list
in those few minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from probe import __version__
from probe.statuspage.parse import FeedError, parse_feed
from probe.statuspage.plan import ImportRules, Plan, plan
from probe.statuspage.urls import feed_url, shown
from probe.store import WindowStore
from probe.store.base import StoreError

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
"""Largest answer read; 50 maintenances with their updates are a few hundred KB."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PollResult:
    """What one poll did: ``error`` set when nothing could be imported."""

    put: int = 0
    deleted: int = 0
    problems: int = 0
    error: str | None = None


class StatuspagePoller:
    """One page, polled by ``run`` until ``stop``; ``poll`` once for tests and tools."""

    def __init__(
        self,
        rules: ImportRules,
        *,
        store: WindowStore,
        client: httpx.AsyncClient,
        every: float,
        timeout: float,
        clock: Callable[[], float] = time.time,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.rules, self.store, self.client, self.clock = rules, store, client, clock
        self.every, self.timeout, self.max_bytes = every, timeout, max_bytes
        self.url, self.shown = feed_url(rules.page), shown(rules.page)
        self._stop = asyncio.Event()

    async def run(self, stop: asyncio.Event, on_change: Callable[[], None] | None = None) -> None:
        """Poll now and every ``every`` seconds until ``stop`` is set.

        A fetch under way when ``stop`` is set is abandoned, so shutting the agent down
        never waits for a slow page; writing to the store is quick and is let finish.
        """
        self._stop = stop
        while not stop.is_set():
            result = await self.poll()
            if (result.put or result.deleted) and on_change is not None:
                on_change()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.every)

    async def poll(self) -> PollResult:
        """One fetch-parse-plan-apply; every failure is one log line and a ``PollResult``."""
        try:
            return await self._poll()
        except (FeedError, StoreError) as exc:
            return self._failed(str(exc))
        except Exception as exc:  # a bug here must not stop the agent's other work
            return self._failed(f"unexpected {type(exc).__name__}: {exc}")

    async def _poll(self) -> PollResult:
        parsed = parse_feed(await self._fetch())
        for problem in parsed.problems:
            log.warning("statuspage %s: %s (item skipped)", self.shown, problem)
        stored = await asyncio.to_thread(self.store.windows)
        changes = plan(stored, parsed, self.rules, now=self.clock())
        await asyncio.to_thread(self._apply, changes, {w.id for w in stored})
        if changes.changes:
            log.info("statuspage %s: %d window(s) stored or updated, %d removed",
                     self.shown, len(changes.put), len(changes.delete))
        return PollResult(
            put=len(changes.put), deleted=len(changes.delete), problems=len(parsed.problems)
        )

    async def _fetch(self) -> Any:
        """The decoded JSON answer, or ``FeedError`` saying in one line why not."""
        try:
            async with asyncio.timeout(self.timeout):
                body = await self._unless_stopped(self._body())
        except TimeoutError:
            raise FeedError(f"no complete answer within {self.timeout:g}s") from None
        except httpx.HTTPError as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise FeedError(f"cannot fetch: {reason}") from None
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise FeedError(f"the answer is not JSON ({exc.msg})") from None

    async def _unless_stopped(self, fetch: Coroutine[Any, Any, bytes]) -> bytes:
        """``fetch``'s answer, or ``FeedError`` when the agent stops first."""
        task = asyncio.ensure_future(fetch)
        stopped = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pending in (task, stopped):
                if not pending.done():
                    pending.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await pending
        if not task.done() or task.cancelled():
            raise FeedError("the agent is stopping")
        return task.result()

    async def _body(self) -> bytes:
        headers = {"Accept": "application/json", "User-Agent": f"lifesize-probe/{__version__}"}
        async with self.client.stream("GET", self.url, headers=headers) as response:
            if response.status_code != httpx.codes.OK:
                raise FeedError(f"HTTP {response.status_code} from the page")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > self.max_bytes:
                    raise FeedError(f"the answer is larger than {self.max_bytes} bytes")
        return bytes(body)

    def _apply(self, changes: Plan, stored_ids: set[str]) -> None:
        """Blocking: replace (remove, add) or add each window, then remove the cancelled."""
        for window in changes.put:
            if window.id in stored_ids:
                self.store.delete_window(window.id)
            self.store.add_window(window)
        for window_id in changes.delete:
            self.store.delete_window(window_id)

    def _failed(self, reason: str) -> PollResult:
        level = logging.INFO if self._stop.is_set() else logging.ERROR
        log.log(level, "statuspage %s: %s; stored windows unchanged", self.shown, reason)
        return PollResult(error=reason)
