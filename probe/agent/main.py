"""``lifesize-probe run``: open everything once, run until a signal, close everything once.

SIGTERM and SIGINT stop scheduling, let probes in flight finish (bounded by the probe
timeout), write every result, stop the web side and exit 0. After a ``kill -9`` nothing
committed is lost, and the next start resumes each series from the store.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvicorn

from probe.addresses import parse_listen
from probe.agent.archive import Archive
from probe.agent.diagnostics_pruner import keep_within_budget
from probe.agent.gc_pacing import FullCollections, settled
from probe.agent.importer import run_importers
from probe.agent.probing_role import Agent
from probe.agent.role import Role
from probe.agent.sla_role import SlaAgent
from probe.agent.web import create_app
from probe.config import Settings
from probe.credentials import Secret, Secrets
from probe.diagnostics import DiagnosticsDir, default_dir
from probe.flows import make_flow
from probe.http_server import Server, listen_socket
from probe.store import Store, open_store

_log = logging.getLogger(__name__)


async def run_agent(
    settings: Settings,
    *,
    config_dir: Path,
    stop: asyncio.Event | None = None,
    on_started: Callable[[str], None] | None = None,
    handle_signals: bool = True,
) -> int:
    """Run the agent until ``stop`` is set or (``handle_signals``) SIGINT/SIGTERM arrives."""
    stop = stop or asyncio.Event()
    _quiet_libraries()
    secrets = Secrets(base_dir=config_dir)
    token = _api_token(settings, secrets)
    store = await asyncio.to_thread(
        open_store, settings.agent.database, interval=settings.agent.interval,
        max_gap=settings.policy().max_gap,
    )
    try:
        agent = _agent_for_role(settings, store, secrets)
        try:
            await agent.resume()
            if handle_signals:
                _on_signals(stop)
            return await _serve(agent, store, token, stop, on_started)
        finally:
            await agent.aclose()
    finally:
        await asyncio.to_thread(store.close)


def _agent_for_role(settings: Settings, store: Store, secrets: Secrets) -> Role:
    """A probing agent, or for ``agent.role: sla`` one that only reads the shared store."""
    if settings.agent.role == "sla":
        return SlaAgent(settings=settings, store=store)
    flow = make_flow(settings.target, region=settings.agent.region, secrets=secrets,
                     diagnostics=DiagnosticsDir(_diagnostics_root(settings)))
    return Agent(settings=settings, store=store, flow=flow)


def _diagnostics_root(settings: Settings) -> Path:
    return default_dir(settings.agent.database, settings.diagnostics.dir)


async def _serve(
    agent: Role,
    store: Store,
    token: Secret | None,
    stop: asyncio.Event,
    on_started: Callable[[str], None] | None,
) -> int:
    host, port = parse_listen(agent.settings.agent.listen)
    sock = listen_socket(host, port)
    collections = FullCollections()
    archive = Archive(store=store, settings=agent.settings, clock=time.time)
    app = create_app(snapshot=lambda: agent.snapshot, store=store, api_token=token,
                     on_change=_async(agent.request_refresh), on_scrape=collections.scraped,
                     archive=archive)
    server = Server(uvicorn.Config(app, lifespan="off", log_config=None,
                                   access_log=False, timeout_graceful_shutdown=2))
    with sock, settled():
        web = asyncio.create_task(server.serve(sockets=[sock]), name="web")
        agent.start()
        tasks = [asyncio.create_task(agent.writer(stop), name="writer"),
                 asyncio.create_task(collections.run(stop), name="gc"),
                 asyncio.create_task(agent.refresher(stop), name="refresher"),
                 asyncio.create_task(run_importers(agent.settings, store, stop,
                                                   agent.request_refresh), name="importers"),
                 asyncio.create_task(keep_within_budget(agent.settings, store,
                                                        _diagnostics_root(agent.settings),
                                                        stop), name="diagnostics")]
        url = f"http://{host}:{sock.getsockname()[1]}"
        _log.info("agent for region %s on %s: %d series every %gs", agent.settings.agent.region,
                  url, agent.series_count, agent.interval)
        if on_started is not None:
            on_started(url)
        await stop.wait()
        _log.info("stopping: letting probes in flight finish")
        await agent.drain(timeout=agent.settings.target.timeout + 1)
        await asyncio.gather(*tasks)
        server.should_exit = True
        await web
    return 0


def _async(callback: Callable[[], None]) -> Callable[[], Awaitable[None]]:
    async def call() -> None:
        callback()
    return call


def _on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


def _api_token(settings: Settings, secrets: Secrets) -> Secret | None:
    agent = settings.agent
    if agent.api_token_env is None and agent.api_token_file is None:
        return None
    return secrets.resolve(env=agent.api_token_env, file=agent.api_token_file,
                           what="agent API token")


def _quiet_libraries() -> None:
    """httpx logs every request URL at INFO; APScheduler a warning per skipped run
    (those are counted in lifesize_probe_skipped_runs_total instead); aioice (the demo's
    simulator answering calls) every ICE check."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("aioice").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
