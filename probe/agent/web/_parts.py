"""The pieces of the agent's HTML pages (``/`` and ``/accounts/NAME``), written once.

No JavaScript, no external assets and no build step: the pages must work under a
``default-src 'none'`` Content-Security-Policy, in any browser, and be saved as evidence
as they are. Every text that comes from the config, the store or an error (account and
region names, window names, error classes) goes through ``e`` (``html.escape``), so an
account called ``<script>`` shows as text. Tooltips are ``title`` attributes, so they
work with scripts disabled too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from urllib.parse import quote

from probe.agent.snapshot import AccountState, RegionState
from probe.instants import utc
from probe.model import MaintenanceWindow, Seconds
from probe.reports.formatting import duration, percent
from probe.reports.style import STYLE
from probe.sla.days import DayFigures, availability_over
from probe.sla.report import AccountFigures, OutageInWindow

MAX_OUTAGES = 10
"""Outages listed per account, most recent first (the full list is in the report)."""
REFRESH_SECONDS = 60
"""The pages reload themselves this often (a ``meta`` refresh: no script needed)."""


def document(title: str, body: str) -> str:
    """A whole page: the shared stylesheet, a viewport for phones, a self-refresh."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">'
        f"<title>{e(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )


def account_href(name: str) -> str:
    """The account page's path; any character of a name is safe in it."""
    return "/accounts/" + quote(name, safe="")


def account_state(account: AccountState | None, regions: Sequence[RegionState]) -> tuple[str, str]:
    """The state word (``maintenance``, ``down``, ``degraded``, ``up``, ``unknown``) and the
    words beside it: in maintenance, down by quorum (R2), some regions down, up, no data."""
    down = [r.region for r in regions if r.down]
    where = ", ".join(down)
    if account is not None and account.maintenance_active:
        return "maintenance", "in maintenance" + (f" (down in {where})" if down else "")
    if down and (account is None or account.down):
        return "down", "down in " + where
    if down:
        return "degraded", "degraded: down in " + where + ", not a quorum"
    if not any(r.last is not None for r in regions):
        return "unknown", "no data yet"
    return "up", "up"


_BADGE_CLASS = {"maintenance": "maint", "down": "down", "degraded": "maint", "up": "up",
                "unknown": "unknown"}


def state_badge(account: AccountState | None, regions: Sequence[RegionState]) -> str:
    state, text = account_state(account, regions)
    return badge(_BADGE_CLASS[state], text)


def day_bar(days: Sequence[DayFigures]) -> str:
    """One cell per day, coloured by its kind (``sla.days``), a tooltip of its figures,
    and the availability over all of them beside the bar."""
    if not days:
        return '<p class="none">No days yet.</p>'
    # Not escaped: a day's text is only its ISO date, numbers and our own words, and at
    # 1,000 accounts the page has 90,000 of them.
    cells = "".join(f'<span class="cell {d.kind}" title="{day_text(d)}"></span>'
                    for d in days)
    label = f"{len(days)} days: {percent(availability_over(days))}"
    return (f'<div class="daybar"><div class="cells" role="img" aria-label="{e(label)}">'
            f'{cells}</div><span class="n">{e(label)}</span></div>')


def day_legend() -> str:
    """What each colour of the day bar means, in the order of precedence."""
    items = "".join(f'<li><span class="cell {kind}"></span>{e(text)}</li>'
                    for kind, text in _KIND_TEXT.items())
    return f'<ul class="legend">{items}</ul>'


_KIND_TEXT = {"counted": "counted outage", "missing": "missing evidence",
              "short": "short outages only", "maintenance": "maintenance", "clear": "no outage"}


def day_text(day: DayFigures) -> str:
    """``2026-10-07: counted outage; 45m unavailable in 1 outage; coverage 100.00 %``.

    Digits, the ISO date and fixed words only: safe in an attribute as it is."""
    if day.kind == "clear" and day.coverage == 1.0:
        return f"{day.day.label}: no outage; coverage 100.00 %"
    parts = [f"{day.day.label}: {_KIND_TEXT[day.kind]}"]
    if day.counted_outages:
        parts.append(f"{duration(day.unavailable_seconds)} unavailable in "
                     f"{day.counted_outages} outage{'s' * (day.counted_outages != 1)}")
    if day.short_outages:
        parts.append(f"{day.short_outages} short (not counted): "
                     f"{duration(day.short_outage_seconds)}")
    if day.maintenance_seconds:
        parts.append(f"maintenance {duration(day.maintenance_seconds)}")
    parts.append(f"coverage {percent(day.coverage, 2)}")
    return "; ".join(parts)


def e(text: object) -> str:
    return escape(str(text), quote=True)


def regions_by_account(regions: Iterable[RegionState]) -> dict[str, list[RegionState]]:
    grouped: dict[str, list[RegionState]] = {}
    for state in regions:
        grouped.setdefault(state.account, []).append(state)
    return {name: sorted(states, key=lambda s: s.region) for name, states in grouped.items()}


def badge(kind: str, text: str) -> str:
    return f'<span class="badge {kind}">{e(text)}</span>'


def month_cells(month: AccountFigures | None, objective: float) -> str:
    if month is None:
        return '<td class="n">-</td><td>-</td><td class="n">-</td><td class="n">-</td>'
    verdict = ("met" if month.sla_met else "missed") + f" (objective {percent(objective, 2)})"
    return (f'<td class="n">{e(percent(month.availability))}</td>'
            f'<td>{badge("up" if month.sla_met else "down", verdict)}</td>'
            f'<td class="n">{e(duration(month.unavailable_seconds))}</td>'
            f'<td class="n">{e(signed(month.error_budget_remaining_seconds))}</td>')


def signed(seconds: Seconds) -> str:
    """``-22s`` for a budget overspent by 22 seconds."""
    return "-" + duration(-seconds) if seconds < 0 else duration(seconds)


def regions_table(regions: Sequence[RegionState]) -> str:
    if not regions:
        return '<p class="none">No probes from any region yet.</p>'
    rows = "".join(_region_row(r) for r in regions)
    return ("<table><tr><th>Region</th><th>State</th><th>Last probe (UTC)</th><th>Result</th>"
            f"<th>Coverage this month</th></tr>{rows}</table>")


def _region_row(state: RegionState) -> str:
    last = state.last
    if state.down:
        since = f" since {utc(state.down_since)}" if state.down_since is not None else ""
        shown = badge("down", "down" + since)
    else:
        shown = badge("up" if last else "unknown", "up" if last else "no data yet")
    result = "-" if last is None else "ok" if last.ok else f"{last.step}: {last.error}"
    coverage = state.coverage.get("month")
    return (f"<tr><td>{e(state.region)}</td><td>{shown}</td>"
            f"<td>{e(utc(last.ts)) if last else '-'}</td><td>{e(result)}</td>"
            f'<td class="n">{e(percent(coverage, 2)) if coverage is not None else "-"}</td></tr>')


def outages_table(outages: Sequence[OutageInWindow]) -> str:
    if not outages:
        return '<p class="none">No outages this month.</p>'
    recent = sorted(outages, key=lambda o: o.start, reverse=True)[:MAX_OUTAGES]
    head = ("<tr><th>Start (UTC)</th><th>End (UTC)</th><th>Length</th><th>Counted</th>"
            "<th>Regions</th><th>Failing step</th><th>Error</th></tr>")
    return f"<table>{head}{''.join(_outage_row(o) for o in recent)}</table>"


def _outage_row(part: OutageInWindow) -> str:
    ongoing = part.outage.open and part.end == part.outage.end
    end = "ongoing" if ongoing else utc(part.end)
    counted = "yes" if part.outage.counted else "no (shorter than the minimum)"
    if ongoing and not part.outage.counted:
        counted = "not yet (shorter than the minimum so far)"
    cells = (utc(part.start), end, duration(part.seconds), counted,
             ", ".join(part.outage.regions), _tally(part.failed_steps), _tally(part.errors))
    return "<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in cells) + "</tr>"


def _tally(counts: Mapping[str, int]) -> str:
    """``login×5, call×1``."""
    return ", ".join(f"{name}×{n}" for name, n in sorted(counts.items())) or "-"


def maintenance_list(windows: Sequence[MaintenanceWindow]) -> str:
    if not windows:
        return '<p class="none">None.</p>'
    return "<ul>" + "".join(f"<li>{e(_describe(w))}</li>" for w in windows) + "</ul>"


def _describe(window: MaintenanceWindow) -> str:
    """``Sunday patch (scheduled): 2026-10-11T02:00:00Z to 2026-10-11T03:00:00Z``."""
    label = f"{window.name or 'unnamed'} ({window.kind.replace('_', ' ')})"
    if window.start is not None and window.end is not None:
        return f"{label}: {utc(window.start)} to {utc(window.end)}"
    every = f"every {window.every}" if window.every else "recurring"
    length = f" for {duration(window.duration)}" if window.duration else ""
    return f"{label}: {every}{length} ({window.timezone})"
