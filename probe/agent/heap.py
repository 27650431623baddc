"""Keeping the cyclic garbage collector's pauses off the probe schedule.

CPython's full (generation 2) collection walks every tracked object while holding the
GIL, so it stops the event loop wherever it happens to start. Measured at 10,000 series
(``benchmarks/agent_scale.py`` with a ``gc.callbacks`` timer): 975 pauses over 5 ms in
three minutes, up to 0.98 s each. Two causes, two measures:

- Objects made at start (modules, the config, a scheduler job, state and timeline per
  series) live as long as the process, yet every full collection walked them. ``settled``
  moves them into the permanent generation once, after start.
- Each snapshot (every few seconds) makes a few hundred thousand objects that outlive
  the young generations, so CPython started a full collection about once per snapshot
  (it does when objects promoted since the last one exceed a quarter of the old
  generation). While ``settled``, full collections happen only when ``full_collections``
  runs one, every ``FULL_EVERY`` seconds: the snapshots themselves hold no reference cycles
  and are freed by reference counting the moment they are replaced; what waits for the
  full collection is the occasional cycle (an exception and its traceback), a bounded
  amount over a few minutes.

Frozen objects are still freed by reference counting when dropped; only a reference
cycle among them would outlive its use, and what exists at start is meant to live.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Iterator

FULL_EVERY = 300.0
"""Seconds between full collections once the heap is settled."""
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
    gc.set_threshold(thresholds[0], thresholds[1], _NEVER)
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
        gc.collect()
