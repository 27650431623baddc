"""The HTML statement: self-contained, escaped, and showing every fact of the month."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from probe.reports import render_html
from probe.reports.timeline import COLOURS, MIN_MARK
from tests.reports.statement_data import (
    EVIL,
    EVIL_ERROR,
    EVIL_WINDOW,
    SETTINGS,
    october_report,
)

pytestmark = pytest.mark.xdist_group("html_statement")
"""One worker renders the module's statements once for all its tests."""


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(october_report())


@pytest.fixture(scope="module")
def tags(page: str) -> _Tags:
    parsed = _Tags()
    parsed.feed(page)
    return parsed


def test_no_external_resource_is_referenced(page: str, tags: _Tags) -> None:
    for tag, attrs in tags.tags:
        assert tag not in {"script", "link", "img", "iframe", "object", "embed"}, tag
        for name in ("src", "href", "xlink:href", "action"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith("#"), (tag, name, value)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg\")", page)
    assert "@import" not in tags.style
    assert "url(" not in page


def test_every_name_and_error_is_escaped(page: str) -> None:
    for text in (EVIL, EVIL_ERROR, EVIL_WINDOW):
        assert text not in page
        assert html.escape(text) in page
    assert "<script" not in page
    assert "<img" not in page
    assert "<b>db" not in page


def test_figures_against_the_objective_and_the_credit_tier(page: str) -> None:
    assert "99.8768 %" in page  # 1 − 3300/2678400
    assert "objective 99.90 %" in page
    assert "SLA missed" in page
    assert "SLA met" in page
    assert "55m 0s" in page
    assert "Credit tier reached" in page
    assert ">10 %<" in page


def test_credit_is_not_configured_without_tiers() -> None:
    page = render_html(october_report({**SETTINGS, "sla": {}}))
    assert page.count("not configured") == 4  # two accounts: summary row and figure
    assert "sla.credits not set" in page


def test_outages_in_utc_and_the_accounts_time_zone(page: str) -> None:
    assert "2026-10-05T10:00:00Z" in page
    assert "2026-10-05 06:00:00 EDT" in page  # America/New_York
    assert "2026-10-05T10:45:00Z" in page
    assert "2026-10-05 06:45:00 EDT" in page
    assert "Start (UTC, America/New_York)" in page


def test_claim_deadline_of_each_counted_outage(page: str) -> None:
    assert "2026-11-04T10:45:00Z" in page  # end + 30 days
    assert "2026-11-04 05:45:00 EST" in page
    assert "2026-12-01T00:10:00Z" in page  # the open outage: its whole end + 30 days


def test_steps_errors_and_regions(page: str) -> None:
    assert "login×135" in page
    assert "http_503×135" in page
    assert html.escape(f"{EVIL_ERROR}×8") in page
    assert "ap-southeast, eu-west, us-east" in page
    assert "Probe regions: ap-southeast, eu-west, us-east" in page


def test_the_timeline_draws_every_kind_in_its_colour(page: str, tags: _Tags) -> None:
    svgs = [attrs for tag, attrs in tags.tags if tag == "svg"]
    assert len(svgs) == 2
    fills = [attrs.get("fill") for tag, attrs in tags.tags if tag == "rect"]
    for kind in ("down", "counted", "short", "maintenance", "gap"):
        assert COLOURS[kind] in fills, kind
    assert len(set(COLOURS.values())) == len(COLOURS)
    for text in ("counted outage (≥ 5m 0s)", "short outage (&lt; 5m 0s, not counted)",
                 "maintenance (excluded)", "evidence gap (no probes)", "down interval"):
        assert text in page, text


def test_marks_are_where_their_times_are(page: str, tags: _Tags) -> None:
    """x = 150 + seconds from the month's start × 840 / month length; at least MIN_MARK
    wide (45 minutes is 0.85 of 840 units), with the exact times in its tooltip."""
    counted = [a for t, a in tags.tags if t == "rect" and a.get("fill") == COLOURS["counted"]]
    first = counted[0]
    expected = 150 + (4 * 86400 + 10 * 3600) * 840 / 2678400
    assert float(first["x"] or 0) == pytest.approx(expected, abs=0.01)
    assert float(first["width"] or 0) == MIN_MARK
    assert ("<title>counted outage: 2026-10-05T10:00:00Z to 2026-10-05T10:45:00Z (45m 0s)"
            "</title>") in page
    lanes = [a for t, a in tags.tags if t == "rect" and a.get("class") == "lane"]
    assert {a["x"] for a in lanes} == {"150"}
    assert {a["width"] for a in lanes} == {"840"}


def test_an_empty_report_says_so() -> None:
    report = october_report()
    empty = type(report)(window=report.window, policy=report.policy, accounts=())
    assert "No results for this period." in render_html(empty)


def test_days_are_local_midnights_of_the_months_zone() -> None:
    """October 2026 in Europe/Berlin: 31 days, the 25th is 25 hours long (DST ends)."""
    page = render_html(october_report({**SETTINGS, "sla": {"timezone": "Europe/Berlin"}}))
    parsed = _Tags()
    parsed.feed(page)
    lines = [a for t, a in parsed.tags if t == "line" and a.get("class") == "grid"]
    assert len(lines) == 2 * 31  # two accounts
    xs = [float(a["x1"] or 0) for a in lines[:31]]
    widths = [b - a for a, b in zip(xs, [*xs[1:], 990.0], strict=True)]
    day = 840 / (31 * 24 + 1)
    assert widths[24] == pytest.approx(25 * day, abs=0.02)
    assert all(w == pytest.approx(24 * day, abs=0.02) for i, w in enumerate(widths) if i != 24)
