"""Keeping the cyclic garbage collector's pauses off the probe schedule.

CPython's collections hold the GIL, so they stop the event loop wherever they start.
Measured at 10,000 series (``benchmarks/agent_scale.py``, with a ``gc.callbacks``
timer in the agent): 975 pauses over 5 ms in three minutes, full (generation 2)
collections of up to 0.98 s, about one per snapshot. Three causes, three measures:

- Objects made at start (modules, the config, a scheduler job, state and timeline per
  series) live as long as the process, yet every full collection walked them.
  ``settled`` freezes them once (they move to the permanent generation).
- Every snapshot (every few seconds) makes a few hundred thousand objects that outlive
  the young generations, and CPython starts a full collection whenever the objects
  promoted since the last one pass a quarter of the old generation. Snapshots hold no
  reference cycles and are freed by reference counting when replaced, so while
  ``settled`` full collections run only every ``FULL_EVERY`` seconds, just after a
  scrape (``FullCollections``): one pause of ~0.3 s a minute at 10,000 series.
- httpx leaves ~200 objects in reference cycles per probe (requests, responses, cookie
  jars); only the collector frees them, and those still alive at a young collection
  get promoted and wait for the next full one. With young collections every
  ``YOUNG`` allocations instead of 700, most die young: at 10,000 series the agent's
  memory went from 331 to 213 MiB, with young pauses of a few milliseconds.

Frozen objects are still freed by reference counting when dropped; only a reference
cycle among them would outlive its use, and what exists at start is meant to live.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Iterator

from probe.agent.waiting import until

FULL_EVERY = 60.0
"""Seconds between full collections once the heap is settled."""
YOUNG = 50_000
"""Allocations between young collections (CPython's default is 700)."""
AFTER_SCRAPE = 0.5
"""Seconds after a scrape before collecting: the answer's bytes leave first."""
_NEVER = 2**30
"""A gen-1 count the automatic full collection never reaches."""


@contextlib.contextmanager
def settled() -> Iterator[int]:
    """Collect once, freeze what is alive and leave full collections to
    ``FullCollections`` until the block ends (then as before); yields how many objects
    were frozen."""
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG, thresholds[1], _NEVER)
    try:
        yield gc.get_freeze_count()
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


class FullCollections:
    """A full collection every ``every`` seconds, just after a scrape.

    The pause (~0.3 s at 10,000 series) would delay a scrape that arrived during it;
    right after ``/metrics`` was served, the next scrape is as far away as it gets
    (Prometheus scrapes at a fixed interval). Without scrapes, it runs anyway after
    another ``every`` seconds.
    """

    def __init__(self, every: float = FULL_EVERY, *, settle: float = AFTER_SCRAPE) -> None:
        self.every, self._settle = every, settle
        self._scraped = asyncio.Event()

    def scraped(self) -> None:
        """``/metrics`` was just served."""
        self._scraped.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop``; no collection after it."""
        while not stop.is_set():
            await until(stop, timeout=self.every)
            self._scraped.clear()
            await until(stop, self._scraped, timeout=self.every)
            await until(stop, timeout=self._settle if self._scraped.is_set() else 0)
            if not stop.is_set():
                gc.collect()

