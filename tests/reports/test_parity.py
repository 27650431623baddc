"""Markdown and CSV carry the facts of the HTML statement, outage by outage.

For each outage: start and end in UTC and on the account's wall clock, length, counted
or not, regions, failing steps, error classes and claim deadline; for each account: the
figures, the credit, the time zone and the maintenance that was cut out.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Mapping

import pytest

from probe.instants import local, utc, wall
from probe.reports import render_csv, render_html, render_markdown
from probe.reports.formatting import counts, duration, percent
from probe.sla.report import AccountFigures, OutageInWindow, Report
from tests.reports.statement_data import EVIL, SETTINGS, october_report

pytestmark = pytest.mark.xdist_group("report_parity")
"""One worker builds the module's reports once for all its tests."""


def outage_facts(o: OutageInWindow, zone: str) -> list[str]:
    facts = [utc(o.start), utc(o.end), wall(o.start, zone), wall(o.end, zone),
             duration(o.seconds), counts(dict(o.failed_steps)), counts(dict(o.errors)),
             ", ".join(o.outage.regions)]
    if o.claim_deadline is not None:
        facts.append(utc(o.claim_deadline))
    return facts


def account_facts(f: AccountFigures) -> list[str]:
    credit = "not configured" if f.credit_percent is None else f"{f.credit_percent:g} %"
    return [percent(f.availability), duration(f.unavailable_seconds),
            duration(f.excluded_seconds), duration(f.short_outage_seconds), credit, f.timezone]


def pairs(tally: Mapping[str, int]) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(tally.items()))


def markdown_text(text: str) -> str:
    """Markdown with its backslash escapes undone, as a reader sees it."""
    for char in "\\|<>`*[]":
        text = text.replace("\\" + char, char)
    return text


@pytest.fixture(scope="module", params=["with credits", "without credits"])
def report(request: pytest.FixtureRequest) -> Report:
    if request.param == "with credits":
        return october_report()
    return october_report({**SETTINGS, "sla": {}})


def test_markdown_and_html_carry_the_same_facts(report: Report) -> None:
    shown = {"html": html.unescape(render_html(report)),
             "markdown": markdown_text(render_markdown(report))}
    for figures in report.accounts:
        facts = account_facts(figures) + [m.name for m in figures.maintenance]
        for outage in figures.outages:
            facts += outage_facts(outage, figures.timezone)
        for fmt, text in shown.items():
            missing = [fact for fact in facts if fact not in text]
            assert not missing, (fmt, figures.account, missing)


def test_csv_carries_the_same_facts_per_row(report: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    for figures in report.accounts:
        mine = [r for r in rows if r["account"] == figures.account]
        summary, *outages = [r for r in mine if r["record"] in ("account", "outage")]
        assert summary["timezone"] == figures.timezone
        assert summary["credit_percent"] == (
            "" if figures.credit_percent is None else str(figures.credit_percent))
        assert len(outages) == len(figures.outages)
        for row, o in zip(outages, figures.outages, strict=True):
            assert (row["start"], row["end"]) == (utc(o.start), utc(o.end))
            assert (row["start_local"], row["end_local"]) == (
                local(o.start, figures.timezone), local(o.end, figures.timezone))
            assert row["regions"] == " ".join(o.outage.regions)
            assert row["failed_steps"] == pairs(o.failed_steps)
            assert row["errors"] == pairs(o.errors)
            deadline = "" if o.claim_deadline is None else utc(o.claim_deadline)
            assert row["claim_deadline"] == deadline
        windows = [r for r in mine if r["record"] == "maintenance"]
        assert [(r["start"], r["end"], r["kind"], r["name"]) for r in windows] == [
            (utc(m.start), utc(m.end), m.kind, m.name) for m in figures.maintenance]


def test_local_times_follow_the_account_not_the_month() -> None:
    """EVIL is in New York (EDT in October, EST after Nov 1); the month stays UTC."""
    rows = list(csv.DictReader(io.StringIO(render_csv(october_report()))))
    first = next(r for r in rows if r["account"] == EVIL and r["record"] == "outage")
    assert first["start_local"] == "2026-10-05T06:00:00-04:00"
    assert first["month"] == "2026-10"
    markdown = markdown_text(render_markdown(october_report()))
    assert "2026-10-05 06:00:00 EDT" in markdown
    assert "2026-11-04T10:45:00Z" in markdown  # claim by, in UTC


def test_markdown_escapes_what_would_be_markup() -> None:
    markdown = render_markdown(october_report())
    assert "\\<script\\>" in markdown
    assert "<script>" not in markdown
    assert "\\<img src=x onerror=alert(1)\\>" in markdown
