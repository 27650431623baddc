"""Renderers: the JSON of SLA_RULES.md exactly, and the same facts in every format."""

from __future__ import annotations

import csv
import io
import json

import pytest

from probe.model import ProbeResult, SlaPolicy
from probe.reports import render_csv, render_json, render_markdown, render_table
from probe.sla import build_report, calendar_month, histories_from_results
from probe.sla.report import Report
from tests.helpers import at


def probes(start: str, pattern: str) -> list[ProbeResult]:
    begin = at(start)
    return [
        ProbeResult(ts=begin + 60 * i, account="acme", region="eu-west", ok=c == ".",
                    step=None if c == "." else "login", error=None if c == "." else "http_503")
        for i, c in enumerate(pattern)
    ]


@pytest.fixture
def report() -> Report:
    """The example of SLA_RULES.md: 5 + 40 counted minutes and a 4-minute flap."""
    results = (
        probes("2026-10-05T09:59", "." + "x" * 5 + ".")
        + probes("2026-10-12T07:59", "." + "x" * 40 + ".")
        + probes("2026-10-20T13:59", "." + "x" * 4 + ".")
    )
    policy = SlaPolicy()
    histories = histories_from_results(results, policy)
    return build_report(histories, calendar_month(2026, 10, "UTC"), policy)


def test_json_has_the_fields_and_figures_of_the_rules(report: Report) -> None:
    document = json.loads(render_json(report))
    head = {k: document[k] for k in ("month", "timezone", "objective", "month_seconds")}
    assert head == {"month": "2026-10", "timezone": "UTC", "objective": 0.999,
                    "month_seconds": 2678400}
    (account,) = document["accounts"]
    assert {k: account[k] for k in (
        "account", "regions", "unavailable_seconds", "availability", "sla_met",
        "error_budget_seconds", "observed_down_seconds", "excluded_seconds",
        "short_outage_seconds", "credit_percent",
    )} == {
        "account": "acme", "regions": ["eu-west"], "unavailable_seconds": 2700.0,
        "availability": 0.998991935, "sla_met": False, "error_budget_seconds": 2678.4,
        "observed_down_seconds": 2940.0, "excluded_seconds": 0.0,
        "short_outage_seconds": 240.0, "credit_percent": None,
    }
    first = account["outages"][0]
    assert {k: first[k] for k in (
        "start", "end", "seconds", "counted", "open", "regions", "failed_steps", "errors"
    )} == {
        "start": "2026-10-05T10:00:00Z", "end": "2026-10-05T10:05:00Z", "seconds": 300.0,
        "counted": True, "open": False, "regions": ["eu-west"], "failed_steps": {"login": 5},
        "errors": {"http_503": 5},
    }
    assert [o["counted"] for o in account["outages"]] == [True, True, False]


def test_coverage_counts_only_probed_time(report: Report) -> None:
    """The fixture probes three short stretches, so coverage is tiny but exact."""
    covered = (6 + 41 + 5) * 60
    assert report.accounts[0].coverage == pytest.approx(covered / 2678400)


def test_csv_carries_the_same_facts(report: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert [r["record"] for r in rows] == ["account", "outage", "outage", "outage"]
    assert rows[0]["unavailable_seconds"] == "2700.0"
    assert rows[0]["sla_met"] == "false"
    assert rows[1]["failed_steps"] == "login=5"
    assert rows[1]["claim_deadline"] == "2026-11-04T10:05:00Z"
    assert rows[3]["claim_deadline"] == ""


def test_markdown_and_table(report: Report) -> None:
    markdown, table = render_markdown(report), render_table(report)
    for text in (markdown, table):
        assert "99.8992 %" in text
        assert "45m 0s" in text
        assert "2026-10-12T08:00:00Z" in text
    assert "| acme | 99.8992 % | **no** |" in markdown


def test_markdown_escapes_pipes() -> None:
    results = [
        ProbeResult(
            ts=at("2026-10-05T10:00"),
            account="a|b",
            region="r",
            ok=False,
            step="login",
            error="http_503",
        ),
        ProbeResult(ts=at("2026-10-05T10:06"), account="a|b", region="r", ok=True),
    ]
    policy = SlaPolicy()
    rendered = render_markdown(build_report(
        histories_from_results(results, policy), calendar_month(2026, 10, "UTC"), policy))
    assert "a\\|b" in rendered
    assert "| a|b |" not in rendered
