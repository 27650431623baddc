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
from probe.instants import utc, wall
from probe.model import SlaPolicy
from probe.reports.formatting import counts, credit_text, duration, percent, period, signed
from probe.reports.style import STYLE
from probe.reports.timeline import COLOURS, timeline_svg
from probe.sla.report import AccountFigures, OutageInWindow, Report


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
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>"
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
