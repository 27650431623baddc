"""The report as one self-contained HTML statement, to send with a claim.

Inline CSS and inline SVG only: no script, no font, no image, no link to anything, so
the file opens the same anywhere, years later, and can be attached as it is. Every text
that comes from data (account, region and window names, steps, error classes) goes
through ``_e`` (``html.escape``); nothing else is interpolated unescaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from probe import __version__
from probe.model import SlaPolicy
from probe.reports._format import (
    counts,
    credit_text,
    duration,
    percent,
    period,
    signed,
    utc,
    wall,
)
from probe.reports._svg import COLOURS, timeline_svg
from probe.sla.report import AccountFigures, OutageInWindow, Report

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:80rem;padding:0 1rem;
color:#1d2430;background:#f6f7f9}
h1{font-size:1.45rem;margin:0 0 .2rem}h2{font-size:1.2rem;margin:0 0 .6rem}
h3{font-size:.95rem;margin:1.1rem 0 .35rem;color:#3b4553}
.meta{color:#5a6472;margin:0 0 1.2rem}
section{background:#fff;border:1px solid #d9dde3;border-radius:6px;padding:1rem 1.25rem;
margin:0 0 1.25rem}
table{border-collapse:collapse;width:100%;margin:.25rem 0}
th,td{text-align:left;padding:.3rem .55rem;border-bottom:1px solid #e6e9ee;vertical-align:top}
th{font-weight:600;color:#3b4553;background:#f0f2f5}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.local{display:block;color:#5a6472;font-size:.9em}
td.t{white-space:nowrap}
.badge{display:inline-block;padding:.05rem .55rem;border-radius:1rem;font-weight:600;
font-size:.85em;vertical-align:middle}
.met{background:#dff3e4;color:#17642d}.missed{background:#fbe0e0;color:#9b1c1c}
.late{background:#fbe0e0;color:#9b1c1c}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.5rem}
.figure{border:1px solid #e6e9ee;border-radius:5px;padding:.45rem .65rem}
.figure b{display:block;font-size:1.15rem;font-variant-numeric:tabular-nums}
.figure span{color:#5a6472;font-size:.85em}
svg.timeline{width:100%;height:auto;display:block;font:9px system-ui,sans-serif}
svg .lane{fill:#f3f5f7}svg .grid{stroke:#dde1e6;stroke-width:.5}
svg .weekend{fill:#f7f8fa}svg .label{fill:#3b4553;font-size:10px}
svg .day{fill:#5a6472}svg .asof{stroke:#1d2430;stroke-dasharray:3 2}
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;margin:.35rem 0 0;padding:0;
list-style:none;color:#3b4553;font-size:.9em}
.swatch{display:inline-block;width:.9rem;height:.9rem;border-radius:2px;margin-right:.35rem;
vertical-align:-.15rem}
.none{color:#5a6472;margin:.25rem 0}
footer{color:#5a6472;font-size:.85em}
"""


def render_html(report: Report) -> str:
    """The statement of every account in ``report`` as one HTML document."""
    window, policy = report.window, report.policy
    title = f"Lifesize Cloud SLA statement — {window.label}"
    meta = (
        f"Calendar month {wall(window.start, policy.timezone)} to "
        f"{wall(window.end, policy.timezone)} · objective {percent(policy.objective, 2)} · "
        f"unavailable time counts from {duration(policy.min_outage)} of continuous outage · "
        f"maintenance excluded · claims within {period(policy.claim_within)} of an "
        "outage's end"
    )
    accounts = "".join(_account(f, i, policy) for i, f in enumerate(report.accounts, start=1))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        f'<h1>{_e(title)}</h1><p class="meta">{_e(meta)}</p>'
        f"{_summary(report.accounts)}"
        f"{accounts or _none('No results for this period.')}"
        f"<footer>Written by lifesize-probe {_e(__version__)} from synthetic probes that "
        "log in and set up a video call. Times are UTC, with each account's own time "
        "zone beneath.</footer></body></html>\n"
    )


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _none(text: str) -> str:
    return f'<p class="none">{_e(text)}</p>'


def _verdict(f: AccountFigures) -> str:
    kind, text = ("met", "SLA met") if f.sla_met else ("missed", "SLA missed")
    return f'<span class="badge {kind}">{text}</span>'


def _summary(accounts: Sequence[AccountFigures]) -> str:
    if not accounts:
        return ""
    head = ("<tr><th>Account</th><th class=n>Availability</th><th>SLA</th>"
            "<th class=n>Unavailable</th><th class=n>Budget left</th>"
            "<th class=n>Credit</th></tr>")
    rows = "".join(
        f'<tr><td><a href="#account-{i}">{_e(f.account)}</a></td>'
        f'<td class=n>{_e(percent(f.availability))}</td><td>{_verdict(f)}</td>'
        f"<td class=n>{_e(duration(f.unavailable_seconds))}</td>"
        f"<td class=n>{_e(signed(f.error_budget_remaining_seconds))}</td>"
        f"<td class=n>{_e(credit_text(f))}</td></tr>"
        for i, f in enumerate(accounts, start=1)
    )
    return f"<section><h2>Accounts</h2><table>{head}{rows}</table></section>"


def _account(f: AccountFigures, index: int, policy: SlaPolicy) -> str:
    counted = [o for o in f.outages if o.outage.counted]
    short = [o for o in f.outages if not o.outage.counted]
    min_outage = policy.min_outage
    return (
        f'<section id="account-{index}"><h2>{_e(f.account)} {_verdict(f)}</h2>'
        f'<p class="meta">Probe regions: {_e(", ".join(f.regions) or "none")} · time zone '
        f"{_e(f.timezone)}</p>{_figures(f, policy.objective)}"
        f"<h3>Timeline of {_e(f.window.label)}</h3>"
        f"{timeline_svg(f, policy.timezone)}{_legend(min_outage)}"
        f"<h3>Counted outages (unavailable time)</h3>{_outage_table(counted, f.timezone)}"
        f"<h3>Short outages (under {_e(duration(min_outage))}, not counted)</h3>"
        f"{_outage_table(short, f.timezone)}"
        f"<h3>Maintenance (excluded)</h3>{_maintenance(f)}"
        f"{_ignored(f.ignored_failures)}</section>"
    )


def _figures(f: AccountFigures, objective: float) -> str:
    cells = (
        ("Availability", percent(f.availability), f"objective {percent(objective, 2)}"),
        ("Unavailable time", duration(f.unavailable_seconds),
         f"budget {duration(f.error_budget_seconds)}, left "
         f"{signed(f.error_budget_remaining_seconds)}"),
        ("Credit tier reached", credit_text(f),
         "from sla.credits" if f.credit_percent is not None else "sla.credits not set"),
        ("Maintenance excluded", duration(f.excluded_seconds), "down time cut out (R3)"),
        ("Short outages", duration(f.short_outage_seconds), "not counted (R4)"),
        ("Probe coverage", percent(f.coverage, 2), _gaps_text(f)),
    )
    return '<div class="figures">' + "".join(
        f'<div class="figure">{_e(name)}<b>{_e(value)}</b><span>{_e(note)}</span></div>'
        for name, value, note in cells
    ) + "</div>"


def _gaps_text(f: AccountFigures) -> str:
    if not f.evidence_gaps:
        return "no evidence gaps"
    total = sum(g.seconds for g in f.evidence_gaps)
    return f"{len(f.evidence_gaps)} evidence gap(s), {duration(total)}"


def _legend(min_outage: float) -> str:
    items = (
        ("down", "down interval (a region; the account by quorum)"),
        ("counted", f"counted outage (≥ {duration(min_outage)})"),
        ("short", f"short outage (< {duration(min_outage)}, not counted)"),
        ("maintenance", "maintenance (excluded)"),
        ("gap", "evidence gap (no probes)"),
    )
    return '<ul class="legend">' + "".join(
        f'<li><span class="swatch" style="{_swatch(kind)}"></span>{_e(text)}</li>'
        for kind, text in items
    ) + "</ul>"


def _swatch(kind: str) -> str:
    return f"background:{COLOURS[kind]}"


def _outage_table(outages: Sequence[OutageInWindow], zone: str) -> str:
    if not outages:
        return _none("None.")
    head = (f"<tr><th>#</th><th>Start (UTC, {_e(zone)})</th><th>End (UTC, {_e(zone)})</th>"
            "<th class=n>Length</th><th>Regions</th><th>Failing steps</th>"
            "<th>Error classes</th><th>Claim by</th></tr>")
    rows = "".join(_outage_row(i, o, zone) for i, o in enumerate(outages, start=1))
    return f"<table>{head}{rows}</table>"


def _outage_row(index: int, o: OutageInWindow, zone: str) -> str:
    still_open = o.outage.open and o.end == o.outage.end
    end = _when(o.end, zone) + (' <span class="local">still open</span>' if still_open else "")
    deadline = "-" if o.claim_deadline is None else _when(o.claim_deadline, zone)
    return (
        f"<tr><td>{index}</td><td class=t>{_when(o.start, zone)}</td><td class=t>{end}</td>"
        f"<td class=n>{_e(duration(o.seconds))}</td>"
        f"<td>{_e(', '.join(o.outage.regions))}</td>"
        f"<td>{_e(counts(dict(o.failed_steps)))}</td><td>{_e(counts(dict(o.errors)))}</td>"
        f"<td class=t>{deadline}</td></tr>"
    )


def _when(instant: float, zone: str) -> str:
    """UTC, and the account's wall clock beneath."""
    return f'{_e(utc(instant))}<span class="local">{_e(wall(instant, zone))}</span>'


def _maintenance(f: AccountFigures) -> str:
    if not f.maintenance:
        return _none("None in this period.")
    items = "".join(
        f"<li>{_e(utc(m.start))} to {_e(utc(m.end))} ({_e(duration(m.end - m.start))}), "
        f"{_e(m.kind.replace('_', ' '))}: {_e(m.name or 'unnamed')}</li>"
        for m in f.maintenance
    )
    return f"<ul>{items}</ul>"


def _ignored(ignored: Mapping[str, int]) -> str:
    if not ignored:
        return ""
    return _none(f"Probe-side failures, not counted as downtime: {counts(dict(ignored))}.")
