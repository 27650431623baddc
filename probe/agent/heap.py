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
  ``settled`` full collections run only every ``FULL_EVERY`` seconds
  (``full_collections``): one pause of ~0.3 s a minute at 10,000 series.
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

FULL_EVERY = 60.0
"""Seconds between full collections once the heap is settled."""
YOUNG = 50_000
"""Allocations between young collections (CPython's default is 700)."""
_NEVER = 2**30
"""A gen-1 count the automatic full collection never reaches."""


@contextlib.contextmanager
def settled() -> Iterator[int]:
    """Collect once, freeze what is alive and leave full collections to
    ``full_collections`` until the block ends (then as before); yields how many objects
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


async def full_collections(stop: asyncio.Event, every: float = FULL_EVERY) -> None:
    """A full collection every ``every`` seconds until ``stop`` (one short pause, on time)."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
        if not stop.is_set():
            gc.collect()
