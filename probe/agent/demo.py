"""``lifesize-probe demo``: the simulator and an agent, in one process, on loopback.

The agent probes the packaged demo config's accounts every 10 s on a temporary SQLite
file, two over the API and one through the web app in Chromium (left out, in one line,
where Chromium is missing); the simulator serves them, and faults can be injected
there. Both listen where the command line says (by default 127.0.0.1:9464 and
127.0.0.1:8088; port 0 takes a free one, announced at start), so a demo can run beside
another, or beside the tests. Ctrl-C stops both cleanly.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

import uvicorn

from probe.addresses import parse_listen
from probe.agent.main import run_agent
from probe.config import Settings, load_config
from probe.http_server import Server, listen_socket
from probe.simulator import create_app, demo_config, load_simulator


async def run_demo(*, listen: str, simulator: str) -> int:
    """Run the demo until Ctrl-C or SIGTERM (``OSError``: an address cannot be listened on).

    ``listen`` and ``simulator`` are ``HOST:PORT``, already checked by ``parse_listen``.
    """
    sim_address = parse_listen(simulator)
    with demo_config() as config, \
            tempfile.TemporaryDirectory(prefix="lifesize-probe-demo-") as tmp, \
            listen_socket(*sim_address) as sock:
        sim_url = f"http://{_authority(sim_address[0], sock.getsockname()[1])}"
        demo = _demo_settings(_runnable(load_config(config)), listen=listen, simulator=sim_url,
                              database=f"sqlite:///{(Path(tmp) / 'demo.db').resolve()}")
        server = Server(uvicorn.Config(
            create_app(load_simulator(config)), lifespan="on", log_config=None,
            access_log=False, timeout_graceful_shutdown=1))
        task = asyncio.create_task(server.serve(sockets=[sock]), name="simulator")
        try:
            return await run_agent(demo, config_dir=config.parent,
                                   on_started=lambda url: _announce(url, sim_url, demo))
        finally:
            server.should_exit = True
            await task


def _demo_settings(settings: Settings, *, listen: str, simulator: str,
                   database: str) -> Settings:
    """The demo config, listening on ``listen``, every host at the simulator's URL."""
    agent = settings.agent.model_copy(update={"listen": listen, "database": database})
    hosts = dict.fromkeys(settings.target.hosts, simulator)
    target = settings.target.model_copy(update={"hosts": hosts})
    return settings.model_copy(update={"agent": agent, "target": target})


def _runnable(settings: Settings) -> Settings:
    """The demo without its browser-probed accounts when there is no Chromium to run."""
    executable = settings.target.browser.executable
    browser = _browser_accounts(settings)
    if not browser or shutil.which(executable):
        return settings
    print(f"lifesize-probe demo: no Chromium at {executable} (scripts/demo installs Debian's "
          f"chromium): {', '.join(browser)} left out, the API probes run", file=sys.stderr)
    accounts = tuple(a for a in settings.accounts if a.name not in browser)
    return settings.model_copy(update={"accounts": accounts})


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _announce(url: str, simulator: str, settings: Settings) -> None:
    print(
        f"""
lifesize-probe demo: {len(settings.accounts)} accounts probed every \
{settings.agent.interval:g}s against the simulator{_browser_note(settings)}.

  status page   {url}/   (one page per account: {url}/accounts/NAME)
  status API    {url}/api/v1/status   (described in {url}/api/v1/openapi.json)
  metrics       {url}/metrics
  readiness     {url}/readyz
  simulator     {simulator}   (inject a fault:)
    curl -X POST {simulator}/_sim/faults \\
      -d '{{"step": "login", "mode": "error", "status": 503, "accounts": ["*"], "seconds": 420}}'

Ctrl-C stops both.
""",
        file=sys.stderr,
        flush=True,
    )


def _browser_accounts(settings: Settings) -> list[str]:
    return [a.name for a in settings.accounts if (a.flow or settings.target.flow) == "browser"]


def _browser_note(settings: Settings) -> str:
    names = _browser_accounts(settings)
    return f" ({', '.join(names)} through the web app, in Chromium)" if names else ""
