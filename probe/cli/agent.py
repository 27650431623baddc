"""The agent's commands: ``run``, ``demo`` and ``export-results`` (parsing and wiring)."""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from probe.addresses import parse_listen
from probe.cli import exits
from probe.cli.output import write_output
from probe.config import load_config
from probe.results_file import write_results
from probe.store import open_store

if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]

DEMO_AGENT, DEMO_SIMULATOR = "127.0.0.1:9464", "127.0.0.1:8088"
"""Where ``demo`` listens unless told otherwise."""

RUN_EPILOG = """\
The agent probes every account whose regions include agent.region (or that lists no
regions), one series per account every agent.interval, and serves on agent.listen:
  /          status page          /metrics   Prometheus exposition
  /healthz   process alive        /readyz    store writable, scheduler running, probes fresh
  /api/v1/maintenance             declare maintenance (Bearer token from
                                  agent.api_token_env or agent.api_token_file)
SIGTERM or Ctrl-C: probes in flight finish, every result is written, exit 0.
"""


DEMO_EPILOG = """\
examples:
  lifesize-probe demo
  lifesize-probe demo --listen 127.0.0.1:0 --simulator 127.0.0.1:0   free ports, announced

Port 0 takes a free port; the addresses in use are printed once both are up.
"""


def add_agent_commands(commands: Commands) -> None:
    run = commands.add_parser(
        "run", help="run the probe agent (the main job)",
        description="Probe Lifesize Cloud on a schedule, store the results, export metrics.",
        epilog=RUN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--config", required=True, metavar="FILE", help="the YAML config file")
    run.set_defaults(command=run_agent_command)

    demo = commands.add_parser(
        "demo", help="the simulator and an agent together, on loopback",
        description="Start the simulator and an agent probing its two demo accounts (the "
                    "demo config ships inside the package) on a temporary SQLite store; "
                    "Ctrl-C stops both.",
        epilog=DEMO_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--listen", default=DEMO_AGENT, metavar="HOST:PORT",
                      help=f"the agent's status page, /metrics and API (default: {DEMO_AGENT})")
    demo.add_argument("--simulator", default=DEMO_SIMULATOR, metavar="HOST:PORT",
                      help=f"the simulator (default: {DEMO_SIMULATOR})")
    demo.set_defaults(command=run_demo_command)

    export = commands.add_parser(
        "export-results", help="write a store's probe results as JSON Lines",
        description="Write the results kept in a store as JSON Lines, the format `report "
                    "--results` reads. Runs of successes come out as their first and last "
                    "probe, which keeps every SLA figure exact.",
    )
    export.add_argument("--database", required=True, metavar="URL",
                        help="e.g. sqlite:///lifesize-probe.db")
    export.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    export.set_defaults(command=run_export_command)


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def run_agent_command(args: argparse.Namespace) -> int:
    from probe.agent.main import run_agent  # noqa: PLC0415 (the agent's imports, only here)

    settings = load_config(args.config)
    _logging()
    try:
        return asyncio.run(run_agent(settings, config_dir=Path(args.config).resolve().parent))
    except OSError as exc:  # the listening socket: address in use, not ours to bind
        print(f"cannot listen on {settings.agent.listen}: {exc.strerror or exc}",
              file=sys.stderr)
        return exits.FAILED


def run_demo_command(args: argparse.Namespace) -> int:
    from probe.agent.demo import run_demo  # noqa: PLC0415

    for option, address in (("--listen", args.listen), ("--simulator", args.simulator)):
        try:
            parse_listen(address)
        except ValueError as exc:
            print(f"lifesize-probe demo: {option}: {exc}", file=sys.stderr)
            return exits.BAD_INPUT
    _logging()
    try:
        return asyncio.run(run_demo(listen=args.listen, simulator=args.simulator))
    except OSError as exc:  # address in use, or not ours to bind
        print(f"lifesize-probe demo: cannot listen: {exc.strerror or exc}", file=sys.stderr)
        return exits.FAILED


def run_export_command(args: argparse.Namespace) -> int:
    store = open_store(args.database, interval=60.0, max_gap=300.0, create=False)
    try:
        text = io.StringIO()
        count = write_results(store.results(), text)
    finally:
        store.close()
    write_output(text.getvalue(), args.output)
    print(f"{count} results", file=sys.stderr)
    return exits.OK
