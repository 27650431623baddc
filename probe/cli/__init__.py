"""``lifesize-probe``: argument parsing and wiring; the logic lives in the modules it calls."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from probe import __version__
from probe.cli import exits
from probe.cli._common import add_source, month, progress, report_window
from probe.cli.agent import add_agent_commands
from probe.cli.claim import add_claim_command
from probe.cli.output import write_file, write_output
from probe.cli.store import add_store_commands
from probe.config import Settings, load_config
from probe.config.summary import summarize
from probe.reports import RENDERERS, render_html
from probe.reports.pdf import PdfError, check_chromium, html_to_pdf
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
  lifesize-probe report --database sqlite:///lifesize-probe.db --config config/acme.yaml \\
      --account acme --month 2026-10 --format pdf --output acme-2026-10.pdf

--format pdf is the html statement printed on A4 by Chromium (/usr/bin/chromium,
Debian's package chromium; none is downloaded); it needs --output.

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
    add_claim_command(commands)
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
    add_source(report, database="its maintenance windows count too")
    report.add_argument("--config", metavar="FILE",
                        help="config with sla: and maintenance: (default: the rules' defaults)")
    report.add_argument("--month", metavar="YYYY-MM", type=month,
                        help="calendar month in sla.timezone (default: the previous full month)")
    report.add_argument("--account", action="append", default=[], metavar="NAME",
                        help="only this account (repeat for more)")
    report.add_argument("--format", choices=sorted([*RENDERERS, "pdf"]), default="table",
                        help="output format (default: table)")
    report.add_argument("--output", metavar="FILE",
                        help="write here (atomically) instead of stdout")
    report.set_defaults(command=run_report)


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


def run_report(args: argparse.Namespace) -> int:
    if args.format == "pdf":
        if args.output in (None, "-"):
            raise PdfError("report --format pdf needs --output FILE.pdf: a PDF is not "
                           "written to the terminal")
        check_chromium()
    settings = load_config(args.config) if args.config else Settings()
    source = Source(results=args.results, database=args.database)
    history = read_history(source, settings, args.account, progress)
    window = report_window(args.month, settings.sla.timezone)
    report = statement(history, settings, window, args.account)
    if args.format == "pdf":
        write_file(html_to_pdf(render_html(report)), args.output)
    else:
        write_output(RENDERERS[args.format](report), args.output)
    return exits.OK


def run_simulate(args: argparse.Namespace) -> int:
    from probe.cli.simulate import serve  # noqa: PLC0415 (uvicorn only for this command)

    return serve(listen=args.listen, config_path=Path(args.config) if args.config else None)


def run_check_config(args: argparse.Namespace) -> int:
    settings = load_config(args.file)
    sys.stdout.write(summarize(settings, args.file, now=time.time()))
    return exits.OK
