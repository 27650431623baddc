"""Timelines drawn as inline SVG: the month of the HTML statement, and the last hours of
the agent's account page (``recent_svg``), with the same lanes, marks and colours.

One row per region (its R1 down intervals), one for the account (R2 down time, with the
counted and short outages drawn over it), one for maintenance (R3) and one for evidence
gaps. A five-minute outage is a tenth of a unit wide in a month of 840 units, so every
mark is drawn at least ``MIN_MARK`` wide: visible, while the tables keep the exact times.
Colours are named once (``COLOURS``) and shared with the legend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from probe.instants import utc
from probe.model import Instant, Period, Span
from probe.reports.formatting import duration
from probe.sla.report import AccountFigures, AppliedMaintenance

COLOURS = {
    "down": "#f4a3a3",
    "counted": "#b42318",
    "short": "#f0a020",
    "maintenance": "#3d7bd9",
    "gap": "#7b8594",
}
"""Fill of each kind of mark; the legend uses the same names."""

WIDTH, LEFT, RIGHT = 1000.0, 150.0, 990.0
ROW, BAR, TOP = 24.0, 14.0, 8.0
MIN_MARK = 2.0
TICK_HOURS = 3


Mark = tuple[Span, str, str]
"""A span to draw, its fill, and what it is (its tooltip)."""


def timeline_svg(f: AccountFigures, zone: str) -> str:
    """The month of ``f`` as one ``<svg>``, days marked at midnights of ``zone`` (the
    month's own time zone)."""
    scale = _Scale(f.window)
    rows = [*((f"region {r}", marks(f.region_down.get(r, ()), "down", f"{r} down"))
              for r in f.regions),
            ("account", _account_marks(f)),
            ("maintenance", maintenance_marks(f.maintenance)),
            ("evidence gaps", marks(f.evidence_gaps, "gap", "evidence gap"))]
    return _svg(scale, rows, f"{f.account}: timeline of {f.window.label}",
                lambda height: _days(scale, zone, height),
                lambda height: _as_of(scale, f.window, height))


class _Scale:
    """Instants of a window to x positions between ``LEFT`` and ``RIGHT``."""

    def __init__(self, period: Period) -> None:
        self.window = period
        self.per_second = (RIGHT - LEFT) / period.seconds

    def x(self, instant: Instant) -> float:
        clamped = min(max(instant, self.window.start), self.window.end)
        return LEFT + (clamped - self.window.start) * self.per_second


def recent_svg(period: Period, rows: Sequence[tuple[str, Sequence[Mark]]], *, label: str) -> str:
    """A short stretch (the account page's last 24 hours) as one ``<svg>``: a lane per
    row, a grid line every ``TICK_HOURS`` hours labelled in UTC."""
    scale = _Scale(period)
    return _svg(scale, rows, label, lambda height: _hours(scale, height), lambda _: "")


def _svg(scale: _Scale, rows: Sequence[tuple[str, Sequence[Mark]]], label: str,
         grid: Callable[[float], str], over: Callable[[float], str]) -> str:
    """Lanes of marks under ``grid`` and below ``over``, both drawn for the height."""
    height = TOP + ROW * len(rows) + 22
    body = "".join(_row(scale, TOP + i * ROW, name, row_marks)
                   for i, (name, row_marks) in enumerate(rows))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {WIDTH:g} '
        f'{height:g}" role="img" aria-label="{_e(label)}">'
        f"{grid(height)}{body}{over(height)}</svg>"
    )


def maintenance_marks(applied: Iterable[AppliedMaintenance]) -> list[Mark]:
    """R3: each occurrence of maintenance, named by kind and window."""
    return [(Span(m.start, m.end), COLOURS["maintenance"],
             f"{m.kind.replace('_', ' ')} maintenance {m.name}".strip()) for m in applied]


def _hours(scale: _Scale, height: float) -> str:
    """A grid line at every ``TICK_HOURS``-th UTC hour inside the stretch, labelled."""
    step = TICK_HOURS * 3600
    first = (scale.window.start // step + 1) * step
    parts = []
    for tick in range(int(first), int(scale.window.end), step):
        x = scale.x(tick)
        parts.append(f'<line x1="{x:.2f}" x2="{x:.2f}" y1="0" y2="{height - 18:g}" '
                     'class="grid"/>')
        parts.append(f'<text x="{x:.2f}" y="{height - 6:g}" text-anchor="middle" '
                     f'class="day">{utc(tick)[11:16]}</text>')
    return "".join(parts)


def marks(spans: Iterable[Span], kind: str, what: str) -> list[Mark]:
    """Spans as marks of one ``COLOURS`` kind, each with its tooltip's text."""
    return [(span, COLOURS[kind], what) for span in spans]


def _row(scale: _Scale, y: float, label: str, marks: Sequence[Mark]) -> str:
    drawn = "".join(_mark(scale, y, *mark) for mark in marks)
    return (f'<g><text x="{LEFT - 8:g}" y="{y + BAR - 3:g}" text-anchor="end" '
            f'class="label">{_e(label)}</text>'
            f'<rect x="{LEFT:g}" y="{y:g}" width="{RIGHT - LEFT:g}" height="{BAR:g}" '
            f'class="lane"/>{drawn}</g>')


def _account_marks(f: AccountFigures) -> list[Mark]:
    """R2 down time underneath, the outages of R3/R4 over it: what was cut out stays pale."""
    down = marks(f.down, "down", "account down (before maintenance and the minimum)")
    outages = [
        (Span(o.start, o.end), COLOURS["counted" if o.outage.counted else "short"],
         ("counted" if o.outage.counted else "short, not counted") + " outage")
        for o in f.outages
    ]
    return down + outages


def _mark(scale: _Scale, y: float, span: Span, fill: str, what: str) -> str:
    """One rect with a tooltip of its exact times."""
    x = scale.x(span.start)
    width = max(scale.x(span.end) - x, MIN_MARK)
    title = f"{what}: {utc(span.start)} to {utc(span.end)} ({duration(span.end - span.start)})"
    return (f'<rect x="{x:.2f}" y="{y:g}" width="{width:.2f}" height="{BAR:g}" '
            f'fill="{_e(fill)}"><title>{_e(title)}</title></rect>')


def _days(scale: _Scale, zone: str, height: float) -> str:
    """A grid line at each local midnight, numbered; weekends shaded."""
    parts = []
    for day, start, end in _local_days(scale.window, ZoneInfo(zone)):
        x0, x1 = scale.x(start), scale.x(end)
        if day.weekday() >= 5:
            parts.append(f'<rect x="{x0:.2f}" y="0" width="{x1 - x0:.2f}" '
                         f'height="{height - 18:g}" class="weekend"/>')
        parts.append(f'<line x1="{x0:.2f}" x2="{x0:.2f}" y1="0" y2="{height - 18:g}" '
                     'class="grid"/>')
        parts.append(f'<text x="{(x0 + x1) / 2:.2f}" y="{height - 6:g}" text-anchor="middle" '
                     f'class="day">{day.day}</text>')
    return "".join(parts)


def _local_days(period: Period, zone: ZoneInfo) -> Sequence[tuple[datetime, Instant, Instant]]:
    """Each local calendar day of ``period``: its date and its true start and end."""
    days = []
    first = datetime.fromtimestamp(period.start, tz=zone)
    day = first.replace(hour=0, minute=0, second=0, microsecond=0)
    while day.timestamp() < period.end:
        following = day + timedelta(days=1)  # wall-clock arithmetic: DST days are 23 or 25 h
        start, end = max(day.timestamp(), period.start), min(following.timestamp(), period.end)
        days.append((day, start, end))
        day = following
    return days


def _as_of(scale: _Scale, period: Period, height: float) -> str:
    """For a month still running: where the data ends."""
    if period.as_of >= period.end:
        return ""
    x = scale.x(period.as_of)
    return (f'<line x1="{x:.2f}" x2="{x:.2f}" y1="0" y2="{height - 18:g}" class="asof">'
            f"<title>data up to {_e(utc(period.as_of))}</title></line>")


def _e(text: object) -> str:
    return escape(str(text), quote=True)
