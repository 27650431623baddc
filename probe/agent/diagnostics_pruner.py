"""The agent keeps its diagnostics directory within ``diagnostics.max_bytes`` and
``diagnostics.max_age``, from start to stop.

A pass runs at start and then every ``PRUNE_EVERY`` seconds, in a thread. It reads the
store's history only when some folder is over the budget or the age
(``probe.diagnostics.budget.prune`` asks ``keep`` only then), so a directory within
budget costs one ``scandir`` walk and no database read. What a claim may still attach
is kept (``probe.claim.keep.protected_in``), even past the budget: then one warning
per pass says by how much the directory is over. A failed pass is a log line; the next
pass tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable
from pathlib import Path

from probe.claim.keep import Protected, protected_in
from probe.config import Settings
from probe.diagnostics.budget import Folder, Pruned, prune
from probe.model import Instant, Seconds
from probe.statement import read_store
from probe.store import Store, StoreError

__all__ = ["PRUNE_EVERY", "keep_within_budget", "prune_once"]

_log = logging.getLogger(__name__)

PRUNE_EVERY: Seconds = 600.0
"""Ten minutes: a failing browser probe writes about a megabyte a minute per series."""


async def keep_within_budget(
    settings: Settings, store: Store, root: Path, stop: asyncio.Event, *,
    clock: Callable[[], float] = time.time, every: Seconds = PRUNE_EVERY,
) -> None:
    """Prune ``root`` at once and every ``every`` seconds until ``stop``."""
    while not stop.is_set():
        try:
            pruned = await asyncio.to_thread(prune_once, settings, store, root, now=clock())
        except (StoreError, OSError) as exc:
            _log.warning("diagnostics %s: pruning skipped, tried again in %gs: %s",
                         root, every, exc)
        else:
            _report(root, pruned, settings.diagnostics.max_bytes)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


def prune_once(settings: Settings, store: Store, root: Path, *, now: Instant) -> Pruned:
    """One pass: the store's history is read at most once, and only if needed."""
    @functools.cache
    def protected() -> Protected:
        history = read_store(store, settings.policy(), ())
        return protected_in(history, settings, now=now)

    def keep(folder: Folder) -> bool:
        return protected()(folder)

    section = settings.diagnostics
    return prune(root, max_bytes=section.max_bytes, max_age=section.max_age, now=now,
                 keep=keep)


def _report(root: Path, pruned: Pruned, max_bytes: int) -> None:
    if pruned.count:
        _log.info("diagnostics %s: removed %d probe folder(s), %d bytes; %d bytes left",
                  root, pruned.count, pruned.bytes, pruned.left)
    if pruned.left > max_bytes:
        _log.warning("diagnostics %s: %d bytes, over diagnostics.max_bytes (%d): what is "
                     "left is evidence of outages still claimable, kept until their claim "
                     "deadline", root, pruned.left, max_bytes)
