"""The store commands: ``migrate`` and ``copy-store`` (parsing and wiring only).

The work is in ``probe.store.transfer``. Database URLs may carry a password, so nothing
here prints one: the stores' messages name databases without it.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from probe.cli import exits
from probe.config import Settings, load_config
from probe.store.transfer import copy_urls, migrate_url

if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]

COPY_EPILOG = """\
examples:
  lifesize-probe copy-store sqlite:///lifesize-probe.db postgresql://probe@db/probe
  lifesize-probe copy-store --merge --config agent.yaml sqlite:///eu.db postgresql://db/probe

Into an empty store the rows are copied as they are (every figure stays exact).
A target that holds data already is refused unless --merge: then each probe is
written as an agent would write it, and probes already there are kept once.
Put the password in PGPASSWORD or ~/.pgpass rather than in the URL.
"""

PROGRESS_EVERY = 2.0
"""Seconds between progress lines on stderr: a short copy prints none."""


def add_store_commands(commands: Commands) -> None:
    migrate = commands.add_parser(
        "migrate", help="create or upgrade a store's schema",
        description="Apply the store's schema migrations that the database lacks (creating "
                    "the store in an empty database). Safe while agents run and when "
                    "several start at once: migrations take a lock and run once.",
    )
    migrate.add_argument("--database", required=True, metavar="URL",
                         help="e.g. postgresql://probe@db.example/probe or sqlite:///x.db")
    migrate.set_defaults(command=run_migrate_command)

    copy = commands.add_parser(
        "copy-store", help="copy a store's history into another store",
        description="Copy every probe result and maintenance window from one store into "
                    "another, e.g. an agent's SQLite file into a shared PostgreSQL.",
        epilog=COPY_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    copy.add_argument("source", metavar="FROM", help="the store to read (must exist)")
    copy.add_argument("target", metavar="TO", help="the store to write (created if needed)")
    copy.add_argument("--merge", action="store_true",
                      help="add to a target that holds data already")
    copy.add_argument("--config", metavar="FILE",
                      help="take agent.interval and sla.max_gap from here (default 60s, 5m)")
    copy.set_defaults(command=run_copy_command)


def run_migrate_command(args: argparse.Namespace) -> int:
    applied, version = migrate_url(args.database)
    done = f"applied {', '.join(map(str, applied))}" if applied else "nothing to apply"
    print(f"schema at version {version} ({done})", file=sys.stderr)
    return exits.OK


def run_copy_command(args: argparse.Namespace) -> int:
    settings = load_config(args.config) if args.config else Settings()
    copied = copy_urls(
        args.source, args.target, interval=settings.agent.interval,
        max_gap=settings.sla.max_gap, merge=args.merge, progress=_Progress(),
    )
    how = "merged" if copied.merged else "copied"
    print(f"{how} {copied.series:,} series ({copied.failures:,} failed probes in full) and "
          f"{copied.windows:,} maintenance windows", file=sys.stderr)
    return exits.OK


class _Progress:
    """A line on stderr at most every ``PROGRESS_EVERY`` seconds while a copy runs."""

    def __init__(self) -> None:
        self._next = time.monotonic() + PROGRESS_EVERY

    def __call__(self, copied: int, total: int) -> None:
        if time.monotonic() >= self._next and copied < total:
            self._next = time.monotonic() + PROGRESS_EVERY
            print(f"copying: {copied:,} of {total:,} series ({copied / total:.0%})",
                  file=sys.stderr, flush=True)
