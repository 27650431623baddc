"""The ``claim`` command: the ticket, its evidence files and the bundle (parsing and
wiring; the work is in ``probe.claim``)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from probe.claim import Claim, ClaimError, prepare_claim
from probe.claim.bundle import MANIFEST, MISSING, claim_files, write_bundle
from probe.claim.evidence import default_evidence_path, evidence_format, render_evidence
from probe.claim.ticket import nothing_to_claim, ticket_text
from probe.cli import exits
from probe.cli._common import add_source, instant, month, progress, report_window
from probe.cli.output import write_output
from probe.config import Settings, load_config
from probe.diagnostics import default_dir
from probe.statement import Source

if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]

CLAIM_EPILOG = f"""\
examples:
  lifesize-probe claim --results results.jsonl --config config/acme.yaml \\
      --account acme --month 2026-10
  lifesize-probe claim --database sqlite:///lifesize-probe.db --config config/acme.yaml \\
      --account acme --month 2026-10 --evidence acme.csv --evidence acme.json \\
      --output ticket.txt
  lifesize-probe claim --database sqlite:///lifesize-probe.db --config config/acme.yaml \\
      --account acme --month 2026-10 --bundle acme-2026-10.zip

Lifesize's SLA terms: open a support ticket titled "SLA Claim" within 30 days of the
unavailable time (sla.claim_within), giving the dates and times of each period of
unavailable time and documentation of the outage. This command prints that ticket's
text (the account, each counted outage of the month in UTC and in the account's time
zone, the failing steps, errors and regions, the month's figures and credit tier) and
writes the documentation: every failed probe inside those periods, with its timings,
error and diagnostic files (path and sha256), as CSV or JSON (by the file's suffix;
default ACCOUNT-YYYY-MM-evidence.csv, none by default with --bundle).
Periods whose claim deadline has passed (as of --now, default the clock) are marked
PAST DEADLINE. The figures are those of `report` with the same sources and config.

--bundle FILE.zip writes one archive to attach instead: ticket.txt, statement.html
(`report --format html` of the account and month), evidence.json, the diagnostic
files (screenshot, trace, console log, WebRTC statistics) of every failed probe in
the periods under diagnostics/<path>, and {MANIFEST}: `sha256sum` lines of every
other member (unzip, then `sha256sum -c {MANIFEST}`). The files are read from
--diagnostics-dir, else diagnostics.dir of the config, else the directory beside the
SQLite store (lifesize-probe-diagnostics/ for lifesize-probe.db). A file that is gone
or whose sha256 differs from the one stored with its probe is not included: {MISSING}
in the archive names each with why, and a one-line warning goes to stderr.

Exit status: 0 ticket and evidence written; 1 nothing to claim (no counted outage in
that month: short interruptions and maintenance do not count); 2 bad input (a missing
--diagnostics-dir, a bundle that cannot be written there).
"""


def add_claim_command(commands: Commands) -> None:
    claim = commands.add_parser(
        "claim",
        help='the "SLA Claim" ticket of one account and month, with its evidence file',
        description='Write the text of an "SLA Claim" support ticket for one account and '
                    "calendar month, and the evidence file to attach to it.",
        epilog=CLAIM_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_source(claim, database="failures are kept there with their timings; its "
                               "maintenance counts too")
    claim.add_argument("--config", metavar="FILE",
                       help="config with sla:, accounts: (time zones) and maintenance:")
    claim.add_argument("--account", required=True, metavar="NAME", help="the account claiming")
    claim.add_argument("--month", metavar="YYYY-MM", type=month,
                       help="calendar month in sla.timezone (default: the previous full month)")
    claim.add_argument("--evidence", action="append", default=[], metavar="FILE",
                       type=_evidence_path,
                       help="write the evidence here, .csv or .json (repeat for both)")
    claim.add_argument("--bundle", metavar="FILE.zip", type=_bundle_path,
                       help="write ticket, statement, evidence and diagnostic files as one zip")
    claim.add_argument("--diagnostics-dir", metavar="DIR", type=Path,
                       help="where the diagnostic files are (default: diagnostics.dir, else "
                            "beside the SQLite store)")
    claim.add_argument("--output", metavar="FILE",
                       help="write the ticket text here (atomically) instead of stdout")
    claim.add_argument("--now", metavar="TIME", type=instant,
                       help="judge claim deadlines as of this RFC 3339 time (default: now)")
    claim.set_defaults(command=run_claim)


def _evidence_path(text: str) -> str:
    try:
        evidence_format(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _bundle_path(text: str) -> str:
    if Path(text).suffix.lower() != ".zip":
        raise argparse.ArgumentTypeError(f"bundle {text!r}: name a .zip file")
    return text


def run_claim(args: argparse.Namespace) -> int:
    settings = load_config(args.config) if args.config else Settings()
    window = report_window(args.month, settings.sla.timezone)
    diagnostics = _diagnostics_dir(args, settings) if args.bundle else None
    claim = prepare_claim(Source(results=args.results, database=args.database), settings,
                          args.account, window, now=args.now or time.time(), progress=progress)
    if not claim.periods:
        print(nothing_to_claim(claim), file=sys.stderr)
        return exits.FAILED
    paths = args.evidence or ([] if args.bundle else [default_evidence_path(claim)])
    attached = [*paths, *([_bundle_note(claim, args.bundle)] if args.bundle else [])]
    ticket = ticket_text(claim, attached)
    for path in paths:
        write_output(render_evidence(claim, path), path)
    if diagnostics is not None:
        bundled = write_bundle(claim, args.bundle, ticket=ticket, diagnostics_dir=diagnostics)
        if bundled.missing:
            print(f"warning: {len(bundled.missing)} diagnostic file(s) could not be included "
                  f"in {args.bundle}; its {MISSING} lists them", file=sys.stderr)
    write_output(ticket, args.output)
    return exits.OK


def _diagnostics_dir(args: argparse.Namespace, settings: Settings) -> Path:
    """``--diagnostics-dir`` (which must exist), else the config's, else the default;
    ``ClaimError`` for a path that is not a directory, and for a bundle that has no
    directory to be written in: both before any result is read."""
    bundle = Path(args.bundle)
    if not bundle.parent.is_dir():
        raise ClaimError(f"--bundle {args.bundle}: directory {bundle.parent} does not exist")
    if args.diagnostics_dir is not None:
        if not args.diagnostics_dir.is_dir():
            raise ClaimError(f"--diagnostics-dir {args.diagnostics_dir}: no such directory")
        return Path(args.diagnostics_dir)
    found = default_dir(args.database or settings.agent.database, settings.diagnostics.dir)
    if found.exists() and not found.is_dir():
        raise ClaimError(f"diagnostics directory {found}: not a directory")
    return found


def _bundle_note(claim: Claim, path: str) -> str:
    files = len(claim_files(claim))
    return (f"{Path(path).name} (ticket, statement, evidence, {files} diagnostic "
            f"file(s), {MANIFEST})")

