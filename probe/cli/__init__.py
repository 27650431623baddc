"""``lifesize-probe``: argument parsing and wiring; the logic lives in the modules it calls."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from probe import __version__
from probe.claim import prepare_claim
from probe.claim.evidence import default_evidence_path, evidence_format, render_evidence
from probe.claim.ticket import nothing_to_claim, ticket_text
from probe.cli import exits
from probe.cli.agent import add_agent_commands
from probe.cli.output import write_output
from probe.cli.store import add_store_commands
from probe.config import Settings, load_config
from probe.config.summary import summarize
from probe.instants import parse_instant
from probe.model import Period
from probe.reports import RENDERERS
from probe.sla import calendar_month, previous_month
from probe.sla.rules import parse_month
from probe.statement import Source, read_history, statement

DESCRIPTION = """\
Synthetic availability probes for Lifesize Cloud, and the SLA accounting that turns
them into evidence: unavailable time under the five-minute rule, per account, per
calendar month, maintenance excluded.
"""

REPORT_EPILOG = """\
examples:
  lifesize-probe report --results results.jsonl --month 2026-10
  lifesize-probe report --results results.jsonl --config config/acme.yaml \\
      --account acme --format json --output acme-2026-10.json
  lifesize-probe report --database sqlite:///lifesize-probe.db --config config/acme.yaml \\
      --month 2026-10 --format html --output statement-2026-10.html

Each line of the results file is one probe:
  {"ts": "2026-10-05T10:00:00Z", "account": "acme", "region": "eu-west",
   "ok": false, "step": "login", "error": "http_503"}
Failures with error auth_rejected or internal blame the probe, not the service: they
count as no probe at all and are listed separately. Without --config the rules'
defaults apply: objective 0.999, min_outage 5m, max_gap 5m, quorum majority, UTC.
"""

SIMULATE_EPILOG = """\
examples:
  lifesize-probe simulate --listen 127.0.0.1:8088
  curl -X POST localhost:8088/_sim/faults -d '{"step": "call", "mode": "error", "status": 503}'

Fault modes: error (status), timeout, slow, garbage, reject_auth; a fault ends by itself
after "seconds" (default 60). GET /_sim/faults lists them, DELETE /_sim/faults clears.
"""

CLAIM_EPILOG = """\
examples:
  lifesize-probe claim --results results.jsonl --config config/acme.yaml \\
      --account acme --month 2026-10
  lifesize-probe claim --database sqlite:///lifesize-probe.db --config config/acme.yaml \\
      --account acme --month 2026-10 --evidence acme.csv --evidence acme.json \\
      --output ticket.txt

Lifesize's SLA terms: open a support ticket titled "SLA Claim" within 30 days of the
unavailable time (sla.claim_within), giving the dates and times of each period of
unavailable time and documentation of the outage. This command prints that ticket's
text (the account, each counted outage of the month in UTC and in the account's time
zone, the failing steps, errors and regions, the month's figures and credit tier) and
writes the documentation: every failed probe inside those periods, with its timings
and error, as CSV or JSON (by the file's suffix; default ACCOUNT-YYYY-MM-evidence.csv).
Periods whose claim deadline has passed (as of --now, default the clock) are marked
PAST DEADLINE. The figures are those of `report` with the same sources and config.

Exit status: 0 ticket and evidence written; 1 nothing to claim (no counted outage in
that month: short interruptions and maintenance do not count); 2 bad input.
"""

CHECK_EPILOG = """\
Prints the accounts, their regions, the SLA settings and every maintenance window
that falls in the next 7 days. Exit status 0 when the file is valid, 2 when not
(one line per problem: file, key, line, what is wrong).
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.command
    return exits.guarded(command, args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lifesize-probe",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    _add_report(commands)
    _add_claim(commands)
    _add_check_config(commands)
    _add_simulate(commands)
    add_agent_commands(commands)
    add_store_commands(commands)
    return parser


def _add_report(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = commands.add_parser(
        "report",
        help="the monthly SLA statement from probe results",
        description="Compute the SLA figures of one calendar month from probe results.",
        epilog=REPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_source(report, database="its maintenance windows count too")
    report.add_argument("--config", metavar="FILE",
                        help="config with sla: and maintenance: (default: the rules' defaults)")
    report.add_argument("--month", metavar="YYYY-MM", type=_month,
                        help="calendar month in sla.timezone (default: the previous full month)")
    report.add_argument("--account", action="append", default=[], metavar="NAME",
                        help="only this account (repeat for more)")
    report.add_argument("--format", choices=sorted(RENDERERS), default="table",
                        help="output format (default: table)")
    report.add_argument("--output", metavar="FILE",
                        help="write here (atomically) instead of stdout")
    report.set_defaults(command=run_report)


def _add_source(parser: argparse.ArgumentParser, *, database: str) -> None:
    """``--results`` or ``--database``, one of them required (report and claim)."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--results", metavar="FILE.jsonl",
                        help="probe results, one JSON object per line ('-' for stdin)")
    source.add_argument("--database", metavar="URL",
                        help=f"an agent's store, e.g. sqlite:///lifesize-probe.db ({database})")


def _add_claim(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    claim = commands.add_parser(
        "claim",
        help='the "SLA Claim" ticket of one account and month, with its evidence file',
        description='Write the text of an "SLA Claim" support ticket for one account and '
                    "calendar month, and the evidence file to attach to it.",
        epilog=CLAIM_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_source(claim, database="failures are kept there with their timings; its "
                                "maintenance counts too")
    claim.add_argument("--config", metavar="FILE",
                       help="config with sla:, accounts: (time zones) and maintenance:")
    claim.add_argument("--account", required=True, metavar="NAME", help="the account claiming")
    claim.add_argument("--month", metavar="YYYY-MM", type=_month,
                       help="calendar month in sla.timezone (default: the previous full month)")
    claim.add_argument("--evidence", action="append", default=[], metavar="FILE",
                       type=_evidence_path,
                       help="write the evidence here, .csv or .json (repeat for both)")
    claim.add_argument("--output", metavar="FILE",
                       help="write the ticket text here (atomically) instead of stdout")
    claim.add_argument("--now", metavar="TIME", type=_instant,
                       help="judge claim deadlines as of this RFC 3339 time (default: now)")
    claim.set_defaults(command=run_claim)


def _add_check_config(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = commands.add_parser(
        "check-config",
        help="validate a config file and summarize it",
        description="Validate a config file and print what it sets up.",
        epilog=CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("file", metavar="FILE", help="the YAML config file")
    check.set_defaults(command=run_check_config)


def _add_simulate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    simulate = commands.add_parser(
        "simulate",
        help="serve a fake Lifesize Cloud with fault injection, for demos and tests",
        description="Serve the endpoints the lifesize flow calls by default, checking the "
                    "passwords of the config's users, until Ctrl-C or SIGTERM.",
        epilog=SIMULATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    simulate.add_argument("--listen", default="127.0.0.1:8088", metavar="HOST:PORT",
                          help="where to serve plain HTTP (default: 127.0.0.1:8088)")
    simulate.add_argument("--config", metavar="FILE",
                          help="accounts, users and API key to accept (default: the demo config, "
                               "packaged with lifesize-probe)")
    simulate.set_defaults(command=run_simulate)


def _month(text: str) -> tuple[int, int]:
    try:
        return parse_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _evidence_path(text: str) -> str:
    try:
        evidence_format(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _instant(text: str) -> float:
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run_report(args: argparse.Namespace) -> int:
    settings = load_config(args.config) if args.config else Settings()
    source = Source(results=args.results, database=args.database)
    history = read_history(source, settings, args.account, _progress)
    window = _report_window(args.month, settings.sla.timezone)
    report = statement(history, settings, window, args.account)
    write_output(RENDERERS[args.format](report), args.output)
    return exits.OK


def run_claim(args: argparse.Namespace) -> int:
    settings = load_config(args.config) if args.config else Settings()
    window = _report_window(args.month, settings.sla.timezone)
    claim = prepare_claim(Source(results=args.results, database=args.database), settings,
                          args.account, window, now=args.now or time.time(), progress=_progress)
    if not claim.periods:
        print(nothing_to_claim(claim), file=sys.stderr)
        return exits.FAILED
    paths = args.evidence or [default_evidence_path(claim)]
    for path in paths:
        write_output(render_evidence(claim, path), path)
    write_output(ticket_text(claim, paths), args.output)
    return exits.OK


def _report_window(month: tuple[int, int] | None, timezone: str) -> Period:
    if month is None:
        return previous_month(time.time(), timezone)
    return calendar_month(month[0], month[1], timezone)


def _progress(lines: int) -> None:
    if sys.stderr.isatty():
        print(f"\rread {lines:,} lines…", end="", file=sys.stderr, flush=True)


def run_simulate(args: argparse.Namespace) -> int:
    from probe.cli.simulate import serve  # noqa: PLC0415 (uvicorn only for this command)

    return serve(listen=args.listen, config_path=Path(args.config) if args.config else None)


def run_check_config(args: argparse.Namespace) -> int:
    settings = load_config(args.file)
    sys.stdout.write(summarize(settings, args.file, now=time.time()))
    return exits.OK
