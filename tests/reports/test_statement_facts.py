"""What a statement shows beside the R6 figures: time zone, maintenance, gaps, down time.

``build_report`` adds them; ``window_figures`` (what the agent computes every few
seconds) leaves them at their defaults. Figures are worked by hand in statement_data.
"""

from __future__ import annotations

import json

from probe.model import MaintenanceWindow, SlaPolicy, Span
from probe.reports import render_json
from probe.sla import build_report, calendar_month, histories_from_results, window_figures
from probe.sla.report import AppliedMaintenance, applied_maintenance, evidence_gaps
from tests.helpers import at
from tests.reports.statement_data import EVIL, EVIL_WINDOW, GAP, REGIONS, october_report


def test_the_figures_of_the_month_by_hand() -> None:
    evil, globex = sorted(october_report().accounts, key=lambda f: f.account != EVIL)
    assert (evil.unavailable_seconds, evil.short_outage_seconds, evil.excluded_seconds) == (
        3300.0, 240.0, 2400.0)
    assert evil.coverage == (2678400 - 10800) / 2678400
    assert evil.credit_percent == 10.0
    assert [(o.outage.counted, o.outage.open) for o in evil.outages] == [
        (True, False), (False, False), (True, True)]
    assert globex.unavailable_seconds == 0.0


def test_each_account_has_its_own_time_zone() -> None:
    zones = {f.account: f.timezone for f in october_report().accounts}
    assert zones == {EVIL: "America/New_York", "globex": "UTC"}


def test_maintenance_that_covers_the_account_is_listed() -> None:
    evil, globex = sorted(october_report().accounts, key=lambda f: f.account != EVIL)
    assert evil.maintenance == (
        AppliedMaintenance(
            start=at("2026-10-20T02:00"),
            end=at("2026-10-20T03:00"),
            kind="emergency",
            name=EVIL_WINDOW,
        ),
    )
    assert globex.maintenance == ()


def test_evidence_gaps_region_down_and_account_down() -> None:
    evil = next(f for f in october_report().accounts if f.account == EVIL)
    assert evil.evidence_gaps == (Span(*GAP),)
    assert set(evil.region_down) == set(REGIONS)
    first = Span(at("2026-10-05T10:00"), at("2026-10-05T10:45"))
    assert evil.region_down["ap-southeast"][0] == first
    assert len(evil.region_down["eu-west"]) == 4  # the short outage is in two regions
    assert len(evil.region_down["ap-southeast"]) == 3
    assert evil.down[0] == first
    assert evil.down[-1] == Span(at("2026-10-31T23:50"), at("2026-11-01T00:00"))


def test_the_evidence_of_each_part_is_the_failures_inside_it() -> None:
    evil = next(f for f in october_report().accounts if f.account == EVIL)
    first, short, last = evil.outages
    assert len(first.evidence) == 45 * 3
    assert {f.region for f in short.evidence} == {"eu-west", "us-east"}
    assert len(last.evidence) == 10 * 3  # October's part: 23:50 to 23:59
    assert all(f.ts < at("2026-11-01T00:00") for f in last.evidence)


def test_window_figures_alone_leave_the_statement_facts_empty() -> None:
    policy = SlaPolicy()
    (history,) = histories_from_results([], policy, regions={"acme": ("eu",)})
    figures = window_figures(history, calendar_month(2026, 10, "UTC"), policy)
    assert (figures.maintenance, figures.evidence_gaps, figures.down) == ((), (), ())
    assert dict(figures.region_down) == {}
    assert figures.timezone == "UTC"


def test_a_recurring_window_is_listed_once_per_occurrence_and_clipped() -> None:
    weekly = MaintenanceWindow(kind="scheduled", accounts=None, name="weekly", every="0 23 * * SAT",
                               duration=7200.0)
    october = calendar_month(2026, 10, "UTC")
    found = applied_maintenance("acme", [weekly], october)
    assert [m.start for m in found] == [at(f"2026-10-{d:02d}T23:00") for d in (3, 10, 17, 24)] + [
        at("2026-10-31T23:00")]
    assert found[-1].end == october.end  # clipped at the month's end
    assert (
        applied_maintenance(
            "acme",
            [
                MaintenanceWindow(
                    kind="scheduled",
                    accounts=frozenset({"globex"}),
                    start=october.start,
                    end=october.end,
                )
            ],
            october,
        )
        == ()
    )


def test_evidence_gaps_of_a_month_still_running_stop_at_as_of() -> None:
    running = calendar_month(2026, 10, "UTC", as_of=at("2026-10-10T00:00"))
    covered = [Span(at("2026-10-01T00:00"), at("2026-10-05T00:00"))]
    assert evidence_gaps(covered, running) == (Span(at("2026-10-05T00:00"),
                                                    at("2026-10-10T00:00")),)
    before = calendar_month(2026, 10, "UTC", as_of=at("2026-09-01T00:00"))
    assert evidence_gaps([], before) == ()


def test_json_is_unchanged_by_the_statement_facts() -> None:
    """The JSON shape of SLA_RULES.md: the new facts add no field to it."""
    report = october_report()
    plain = build_report([], report.window, report.policy)
    assert set(json.loads(render_json(plain))) == set(json.loads(render_json(report)))
    account = json.loads(render_json(report))["accounts"][0]
    assert "maintenance" not in account
    assert "evidence_gaps" not in account
