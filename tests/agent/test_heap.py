"""``heap``: full collections on the agent's schedule, and everything as before after."""

from __future__ import annotations

import asyncio
import gc
import time

from probe.agent.gc_pacing import FullCollections, settled


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
        collector = asyncio.create_task(FullCollections(0.05).run(stop))
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


def test_with_scrapes_the_collection_follows_one() -> None:
    """Due after ``every``, it waits for the next scrape, then ``settle`` seconds."""
    collected: list[float] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            collected.append(time.monotonic())

    async def run() -> tuple[float, list[float]]:
        stop = asyncio.Event()
        keeper = FullCollections(1.0, settle=0.05)
        task = asyncio.create_task(keeper.run(stop))
        await asyncio.sleep(1.3)
        assert collected == []  # due since 1 s, waiting for a scrape until 2 s
        scraped = time.monotonic()
        keeper.scraped()
        await asyncio.sleep(0.3)
        stop.set()
        await task
        return scraped, collected

    with settled():
        gc.callbacks.append(count)
        try:
            scraped, times = asyncio.run(run())
        finally:
            gc.callbacks.remove(count)
    assert len(times) == 1
    assert times[0] >= scraped + 0.05


def test_without_scrapes_it_collects_anyway_and_never_after_stop() -> None:
    async def run() -> int:
        stop = asyncio.Event()
        before = gc.get_stats()[2]["collections"]
        task = asyncio.create_task(FullCollections(0.1, settle=10).run(stop))
        await asyncio.sleep(0.5)  # due at 0.1 s, no scrape until 0.2 s: collects then
        stop.set()
        await task
        after = gc.get_stats()[2]["collections"]
        await asyncio.sleep(0.3)
        assert gc.get_stats()[2]["collections"] == after
        return after - before

    with settled():
        assert asyncio.run(run()) >= 1
