"""The day bar's figures: hand-worked days, then the same figures as R6 over each day."""

from __future__ import annotations

import pytest
from hypothesis import given

from probe.model import MaintenanceWindow
from probe.sla import histories_from_results, window_figures
from probe.sla.days import DayBars, DayFigures, availability_over, day_figures
from probe.sla.rules import calendar_days
from tests.sla.sla_scenario import DAY, HOUR, MINUTE, POLICY, history, paint, probes, utc
from tests.sla.test_properties import BASE, EXAMPLES, Scenario, scenarios

OCT5 = utc(2026, 10, 5)
MAINTENANCE = MaintenanceWindow(kind="scheduled", accounts=None, name="db",
                                start=utc(2026, 10, 8, 2), end=utc(2026, 10, 8, 3))


def week() -> dict[str, DayFigures]:
    """A probe a minute from 5 October 00:00 to 12 October 00:00 UTC, with:

    - 6 Oct 10:00, 3 failures: down 10:00-10:03, short (180 s);
    - 7 Oct 10:00, 45 failures: a counted outage of 2,700 s;
    - 8 Oct 02:00-03:00: maintenance, with nothing down;
    - 9 Oct 12:00-13:59: no probes; 11:59 to 14:00 is an evidence gap of 121 minutes;
    - 10 Oct 23:50 to 11 Oct 00:10, 20 failures: one counted outage, 600 s in each day.
    """
    minutes = 7 * 1440 + 1
    day = 1440
    pattern = paint(minutes, {
        1 * day + 600: "x" * 3,
        2 * day + 600: "x" * 45,
        4 * day + 720: "-" * 120,
        5 * day + 1430: "x" * 20,
    })
    found = history(probes(pattern, OCT5), maintenance=[MAINTENANCE])
    days = calendar_days(utc(2026, 10, 12) - 1, "UTC", 7)
    return {d.day.label: d for d in day_figures(found, days, [MAINTENANCE])}


def test_each_day_is_coloured_by_what_it_held() -> None:
    days = week()
    assert [d.kind for d in days.values()] == [
        "clear", "short", "counted", "maintenance", "missing", "counted", "counted"]
    assert (days["2026-10-06"].short_outage_seconds, days["2026-10-06"].short_outages) == (180, 1)
    assert days["2026-10-06"].unavailable_seconds == 0
    assert (days["2026-10-07"].unavailable_seconds, days["2026-10-07"].counted_outages) == (
        2700, 1)
    assert days["2026-10-08"].maintenance_seconds == HOUR
    assert days["2026-10-09"].coverage == pytest.approx((86400 - 121 * MINUTE) / 86400)
    assert days["2026-10-10"].unavailable_seconds == days["2026-10-11"].unavailable_seconds == 600
    assert all(days[d].coverage == 1.0 for d in ("2026-10-05", "2026-10-06", "2026-10-11"))


def test_the_bar_availability_is_r6_over_its_days() -> None:
    days = list(week().values())
    assert availability_over(days) == pytest.approx(1 - (2700 + 1200) / (7 * DAY))
    assert availability_over([]) == 1.0


def test_a_counted_outage_outranks_missing_evidence_and_that_outranks_a_short_one() -> None:
    pattern = paint(1440, {100: "x" * 10, 600: "xx", 900: "-" * 30})
    found = history(probes(pattern, OCT5))
    (counted,) = day_figures(found, calendar_days(OCT5 + DAY - 1, "UTC", 1), [])
    assert counted.kind == "counted"
    pattern = paint(1440, {600: "xx", 900: "-" * 30})
    (missing,) = day_figures(history(probes(pattern, OCT5)),
                             calendar_days(OCT5 + DAY - 1, "UTC", 1), [])
    assert (missing.kind, missing.short_outages) == ("missing", 1)


def test_days_are_local_days_at_their_true_length() -> None:
    """Europe/Berlin leaves summer time on 25 October 2026: that day has 25 hours."""
    days = calendar_days(utc(2026, 10, 26, 12), "Europe/Berlin", 3)
    assert [d.label for d in days] == ["2026-10-24", "2026-10-25", "2026-10-26"]
    assert [d.seconds / HOUR for d in days] == [24, 25, 24]
    assert days[0].start == utc(2026, 10, 23, 22)  # local midnight, UTC+2
    assert days[-1].as_of == utc(2026, 10, 26, 12)  # today, up to now


@EXAMPLES
@given(scenarios())
def test_every_day_equals_r6_over_that_day(scenario: Scenario) -> None:
    """The one-pass day figures are the engine's figures of each day as a period."""
    policy = scenario.policy
    days = calendar_days(BASE + 2 * DAY, policy.timezone, 4)
    for found in histories_from_results(scenario.results, policy,
                                        maintenance=scenario.maintenance):
        for cell in day_figures(found, days, scenario.maintenance):
            want = window_figures(found, cell.day, policy)
            assert cell.unavailable_seconds == pytest.approx(want.unavailable_seconds)
            assert cell.short_outage_seconds == pytest.approx(want.short_outage_seconds)
            assert cell.coverage == pytest.approx(want.coverage)
            counted = [p for p in want.outages if p.outage.counted and p.seconds > 0]
            assert cell.counted_outages == len(counted)
            assert (cell.kind == "counted") == (want.unavailable_seconds > 0)


def test_no_days_no_figures() -> None:
    assert day_figures(history(probes(".", OCT5), POLICY), (), []) == ()


@EXAMPLES
@given(scenarios())
def test_kept_days_are_the_days_computed_afresh(scenario: Scenario) -> None:
    """``DayBars`` only memoises: the same figures, and new ones when the inputs change
    (here: more probes, and one maintenance window less)."""
    policy = scenario.policy
    days = calendar_days(BASE + 2 * DAY, policy.timezone, 4)
    bars = DayBars()
    half = scenario.results[: len(scenario.results) // 2]
    for results, maintenance in ((half, scenario.maintenance),
                                 (scenario.results, scenario.maintenance),
                                 (scenario.results, scenario.maintenance[1:]),
                                 (scenario.results, scenario.maintenance[1:])):
        for found in histories_from_results(results, policy, maintenance=maintenance):
            assert bars.figures(found, days, maintenance) == day_figures(
                found, days, maintenance)


def test_a_late_result_inside_a_finished_day_is_seen() -> None:
    days = calendar_days(OCT5 + 2 * DAY - 1, "UTC", 2)
    pattern = paint(2 * 1440, {})
    bars = DayBars()
    first = bars.figures(history(probes(pattern, OCT5)), days, [])
    assert first[0].kind == "clear"
    late = paint(2 * 1440, {600: "x" * 10})
    again = bars.figures(history(probes(late, OCT5)), days, [])
    assert (again[0].kind, again[0].unavailable_seconds) == ("counted", 600)
