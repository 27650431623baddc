"""An agent in the test's own event loop, from a config file, for as long as a block."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from probe.agent.main import run_agent
from probe.config import load_config


@contextlib.asynccontextmanager
async def agent_in_loop(path: Path, timeout: float = 60) -> AsyncIterator[str]:
    """Run the agent of ``path`` until the block ends (it must stop with 0); yields its
    base URL."""
    stop, started = asyncio.Event(), asyncio.get_running_loop().create_future()
    task = asyncio.create_task(run_agent(
        load_config(path), config_dir=path.parent, stop=stop, handle_signals=False,
        on_started=started.set_result))
    url: str = await asyncio.wait_for(started, timeout)
    try:
        yield url
    finally:
        stop.set()
        assert await asyncio.wait_for(task, timeout) == 0
