"""``lifesize-probe demo``: the simulator and an agent, in one process, on loopback.

The agent probes ``config/demo.yaml``'s two accounts every 10 s on a temporary SQLite
file; the simulator serves them on 127.0.0.1:8088, where faults can be injected.
Ctrl-C stops both cleanly.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

import uvicorn

from probe.agent.main import run_agent
from probe.config import Settings, load_config
from probe.serving import EmbeddedServer, listen_socket, parse_listen
from probe.simulator import DEMO_CONFIG, create_app, load_simulator

SIMULATOR = "127.0.0.1:8088"


async def run_demo(*, database_dir: Path | None = None) -> int:
    """Run the demo until Ctrl-C or SIGTERM."""
    settings = load_config(DEMO_CONFIG)
    with tempfile.TemporaryDirectory(prefix="lifesize-probe-demo-") as tmp:
        folder = database_dir or Path(tmp)
        database = f"sqlite:///{(folder / 'demo.db').resolve()}"
        demo = settings.model_copy(
            update={"agent": settings.agent.model_copy(update={"database": database})}
        )
        host, port = parse_listen(SIMULATOR)
        with listen_socket(host, port) as sock:
            simulator = EmbeddedServer(uvicorn.Config(
                create_app(load_simulator(None)), lifespan="off", log_config=None,
                access_log=False, timeout_graceful_shutdown=1))
            task = asyncio.create_task(simulator.serve(sockets=[sock]), name="simulator")
            try:
                return await run_agent(demo, config_dir=DEMO_CONFIG.parent,
                                       on_started=lambda url: _announce(url, demo))
            finally:
                simulator.should_exit = True
                await task


def _announce(url: str, settings: Settings) -> None:
    print(
        f"""
lifesize-probe demo: {len(settings.accounts)} accounts probed every \
{settings.agent.interval:g}s against the simulator.

  status page   {url}/
  metrics       {url}/metrics
  readiness     {url}/readyz
  simulator     http://{SIMULATOR}   (inject a fault:)
    curl -X POST http://{SIMULATOR}/_sim/faults \\
      -d '{{"step": "login", "mode": "error", "status": 503, "accounts": ["*"], "seconds": 420}}'

Ctrl-C stops both.
""",
        file=sys.stderr,
        flush=True,
    )
