"""``heap``: full collections on the agent's schedule, and everything as before after."""

from __future__ import annotations

import asyncio
import gc

from probe.agent.heap import full_collections, settled


class Cycle:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_settled_freezes_what_is_alive_and_restores_everything_after() -> None:
    before = gc.get_threshold()
    with settled() as frozen:
        assert frozen > 1000
        assert gc.get_threshold()[1] == before[1]
        assert gc.get_threshold()[2] > 10**6
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_made_while_settled_are_freed_by_the_periodic_collection() -> None:
    async def run() -> int:
        stop = asyncio.Event()
        collector = asyncio.create_task(full_collections(stop, every=0.05))
        garbage = [Cycle() for _ in range(1000)]
        alive = sum(isinstance(o, Cycle) for o in gc.get_objects())
        del garbage
        await asyncio.sleep(0.5)
        stop.set()
        await collector
        return alive

    with settled():
        alive = asyncio.run(run())
        assert alive >= 1000
        assert not any(isinstance(o, Cycle) for o in gc.get_objects())
