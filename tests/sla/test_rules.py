"""SLA_RULES R4 (five-minute rule), R5 (months) and R6 (figures of a window)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from probe.model import CreditTier, ProbeResult, Span
from probe.sla import (
    calendar_month,
    credit_percent,
    month_to_date,
    previous_month,
    qualifies,
    trailing,
    window_figures,
)
from probe.sla.rules import availability, sla_met
from tests.sla.sla_scenario import (
    DAY,
    HOUR,
    MINUTE,
    POLICY,
    figures,
    history,
    one_off,
    probe,
    probes,
    utc,
)

T = utc(2026, 10, 5, 10, 0)
OCTOBER = calendar_month(2026, 10, "UTC")
NOVEMBER = calendar_month(2026, 11, "UTC")
TIERS = (
    CreditTier(below=0.99, percent=25),
    CreditTier(below=0.95, percent=50),
    CreditTier(below=0.999, percent=10),
)
"""Deliberately not in order: the rule picks the smallest ``below``, not the first."""


# R4 ---------------------------------------------------------------------------------------


def test_r4_exactly_five_minutes_counts() -> None:
    """R4: "Exactly 5 minutes counts.": failure at T, success at T+300 s → 300 s counted."""
    found = figures([probe(T), probe(T + 300, ok=True)], OCTOBER)
    assert found.unavailable_seconds == 300.0
    assert found.short_outage_seconds == 0.0
    assert qualifies(Span(0.0, 300.0), 300.0)


def test_r4_one_second_short_of_five_minutes_does_not_count() -> None:
    """R4: failure at T, success at T+299 s → 299 s, shorter than min_outage: short."""
    found = figures([probe(T), probe(T + 299, ok=True)], OCTOBER)
    assert found.unavailable_seconds == 0.0
    assert found.short_outage_seconds == 299.0
    assert not qualifies(Span(0.0, 299.0), 300.0)


def test_r4_flapping_is_short_not_unavailable() -> None:
    """R4: "xxx.xxx.xxx." → three 180 s pieces; none counts although 11 minutes saw failures.

    unavailable 0, short 540, observed 540.
    """
    found = figures(probes("xxx.xxx.xxx.", T), OCTOBER)
    assert [o.outage.counted for o in found.outages] == [False, False, False]
    assert found.unavailable_seconds == 0.0
    assert found.short_outage_seconds == 540.0
    assert found.observed_down_seconds == 540.0


def test_r4_long_piece_counts_in_full() -> None:
    """R4: "unavailable time in full": a 45-minute outage counts 2700 s, not 2700 − 300."""
    found = figures(probes("x" * 45 + ".", T), OCTOBER)
    assert found.unavailable_seconds == 2700.0


def test_r4_min_outage_is_a_setting() -> None:
    """R4 with min_outage 90s: "x." (60 s) is short, "xx." (120 s) counts."""
    policy = replace(POLICY, min_outage=90.0)
    results = [*probes("x.", T), *probes("xx.", T + HOUR)]
    found = figures(results, OCTOBER, policy)
    assert (found.unavailable_seconds, found.short_outage_seconds) == (120.0, 60.0)


def test_r4_open_outage_counts_once_long_enough() -> None:
    """R1 + R4: "..xxxxxx" ends at the last failure (10:07): [10:02, 10:07] = 300 s, open,
    counted.
    """
    found = figures(probes("..xxxxxx", T), OCTOBER)
    (outage,) = found.outages
    assert outage.outage.open
    assert outage.outage.counted
    assert found.unavailable_seconds == 300.0


# R5 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "zone", "seconds"),
    [
        (2026, 10, "UTC", 31 * DAY),  # 2678400
        (2026, 10, "Europe/Berlin", 31 * DAY + HOUR),  # 2682000: clocks go back on the 25th
        (2026, 3, "Europe/Berlin", 31 * DAY - HOUR),  # 2674800: clocks go forward on the 29th
        (2026, 11, "Europe/Berlin", 30 * DAY),
        (2026, 2, "UTC", 28 * DAY),
        (2028, 2, "UTC", 29 * DAY),
        (2026, 12, "UTC", 31 * DAY),
    ],
)
def test_r5_month_has_its_true_length(year: int, month: int, zone: str, seconds: float) -> None:
    """R5: calendar months in sla.timezone, "with their true length"."""
    assert calendar_month(year, month, zone).seconds == seconds


def test_r5_berlin_month_runs_between_local_midnights() -> None:
    """R5: October 2026 in Berlin: 2026-09-30 22:00 UTC (CEST) to 2026-10-31 23:00 UTC (CET)."""
    month = calendar_month(2026, 10, "Europe/Berlin")
    assert (month.start, month.end) == (utc(2026, 9, 30, 22), utc(2026, 10, 31, 23))
    assert calendar_month(2026, 12, "UTC").end == utc(2027, 1, 1)


def test_r5_qualifying_outage_is_split_by_month() -> None:
    """R5: down 23:58 → 00:04 across Oct/Nov 2026 (UTC): 360 s qualifies as a whole;
    October counts its 120 s, November its 240 s, both as unavailable time.

    Evidence follows the part: October has the failures of 23:58, 23:59 (2), November
    those of 00:00–00:03 (4).
    """
    results = probes("xxxxxx.", utc(2026, 10, 31, 23, 58))
    whole = history(results)
    october, november = (window_figures(whole, m, POLICY) for m in (OCTOBER, NOVEMBER))
    assert (october.unavailable_seconds, november.unavailable_seconds) == (120.0, 240.0)
    assert (october.short_outage_seconds, november.short_outage_seconds) == (0.0, 0.0)
    assert dict(october.outages[0].failed_steps) == {"login": 2}
    assert dict(november.outages[0].failed_steps) == {"login": 4}


def test_r5_short_outage_stays_short_in_both_months() -> None:
    """R5: down 23:58 → 00:02 (240 s) is short as a whole: 120 s short in each month."""
    whole = history(probes("xxxx.", utc(2026, 10, 31, 23, 58)))
    october, november = (window_figures(whole, m, POLICY) for m in (OCTOBER, NOVEMBER))
    assert (october.unavailable_seconds, november.unavailable_seconds) == (0.0, 0.0)
    assert (october.short_outage_seconds, november.short_outage_seconds) == (120.0, 120.0)


def test_r5_month_boundary_is_local_midnight() -> None:
    """R5 in Europe/Berlin: November starts 2026-10-31 23:00 UTC. Down 22:58 → 23:04 UTC:
    October (Berlin) 120 s, November (Berlin) 240 s. In UTC all 360 s fall in October.
    """
    policy = replace(POLICY, timezone="Europe/Berlin")
    whole = history(probes("xxxxxx.", utc(2026, 10, 31, 22, 58)), policy)
    berlin = [calendar_month(2026, m, "Europe/Berlin") for m in (10, 11)]
    parts = [window_figures(whole, m, policy).unavailable_seconds for m in berlin]
    assert parts == [120.0, 240.0]
    assert window_figures(whole, OCTOBER, policy).unavailable_seconds == 360.0


# R6 ---------------------------------------------------------------------------------------


def test_r6_figures_of_a_31_day_month() -> None:
    """R6, October 2026 (UTC, 2678400 s), one 45-minute outage (2700 s):

    availability = 1 − 2700/2678400 = 0.998991935…; budget = 0.001 × 2678400 = 2678.4;
    left = 2678.4 − 2700 = −21.6; sla_met false.
    """
    found = figures(probes("x" * 45 + ".", T), OCTOBER)
    assert found.availability == pytest.approx(1 - 2700 / 2678400, abs=1e-15)
    assert round(found.availability, 9) == 0.998991935
    assert found.error_budget_seconds == pytest.approx(2678.4, abs=1e-9)
    assert found.error_budget_remaining_seconds == pytest.approx(-21.6, abs=1e-9)
    assert found.sla_met is False


def test_r6_error_budget_of_a_30_day_month() -> None:
    """R6: (1 − 0.999) × 2592000 = 2592 s; untouched budget is all left."""
    found = figures(probes("....", T + 40 * DAY), NOVEMBER)
    assert found.error_budget_seconds == pytest.approx(2592.0, abs=1e-9)
    assert found.error_budget_remaining_seconds == pytest.approx(2592.0, abs=1e-9)
    assert (found.availability, found.sla_met) == (1.0, True)


def _outage_of(seconds: float, start: float) -> list[ProbeResult]:
    """Failures every minute from ``start`` and a success ``seconds`` later."""
    failures = [probe(start + k * MINUTE) for k in range(int((seconds - 1e-9) // MINUTE) + 1)]
    return [*failures, probe(start + seconds, ok=True)]


@pytest.mark.parametrize(("unavailable", "met"), [(2592.0, True), (2593.0, False)])
def test_r6_availability_exactly_at_objective_meets_it(unavailable: float, met: bool) -> None:
    """R6: sla_met = availability ≥ objective. November 2026 (2592000 s): 2592 s down →
    availability 1 − 2592/2592000 = 0.999 exactly → met; 2593 s → 0.99899961… → missed.
    """
    found = figures(_outage_of(unavailable, utc(2026, 11, 10)), NOVEMBER)
    assert found.unavailable_seconds == unavailable
    assert found.sla_met is met


def test_r6_objective_met_at_2678_4_seconds_in_a_31_day_month() -> None:
    """R6: 2678.4 s in 2678400 s → availability exactly 0.999 = objective → sla_met true."""
    assert sla_met(availability(2678.4, OCTOBER), 0.999)


def test_r6_objective_met_at_2678_4_seconds_from_probes() -> None:
    """R6 end to end. January 1970 (UTC) is 31 days from instant 0, so probe times stay
    exact: failures every minute from 1000 s, success at 3678.4 s → down 2678.4 s
    (3678.4 − 1000 is exactly the double 2678.4). availability = 1 − 2678.4/2678400
    = 0.999 → sla_met true.
    """
    january = calendar_month(1970, 1, "UTC")
    found = figures(_outage_of(2678.4, 1000.0), january)
    assert found.unavailable_seconds == 2678.4
    assert found.sla_met is True


@pytest.mark.parametrize(
    ("ratio", "percent"),
    [
        (Fraction(9995, 10000), 0.0),  # under no tier
        (Fraction(999, 1000), 0.0),  # exactly at 0.999 is not under it
        (Fraction(995, 1000), 10.0),  # under 0.999 only
        (Fraction(99, 100), 10.0),  # exactly at 0.99: still only under 0.999
        (Fraction(98, 100), 25.0),  # under 0.999 and 0.99: smallest below is 0.99
        (Fraction(90, 100), 50.0),  # under all three: 0.95
    ],
)
def test_r6_credit_is_the_tier_with_smallest_below_under(ratio: Fraction, percent: float) -> None:
    """R6: the entry with the smallest ``below`` that availability is under; 0 when none."""
    assert credit_percent(ratio, TIERS) == percent


def test_r6_credit_is_null_without_tiers() -> None:
    """R6: null when no tiers are configured (no defaults)."""
    assert credit_percent(Fraction(1, 2), None) is None
    assert figures(probes("x" * 45 + ".", T), OCTOBER).credit_percent is None


def test_r6_credit_from_probes_on_a_tier_edge() -> None:
    """R6: November 2026, 432 minutes down = 25920 s → availability 1 − 25920/2592000
    = 0.99 exactly: not under 0.99, under 0.999 → 10 %.
    """
    policy = replace(POLICY, credits=TIERS)
    found = figures(_outage_of(25920.0, utc(2026, 11, 10)), NOVEMBER, policy)
    assert found.credit_percent == 10.0


def test_r6_claim_deadline_is_end_plus_30_days() -> None:
    """R6: a counted outage ending 2026-10-05 10:45 must be claimed by 2026-11-04 10:45;
    a short one has no deadline.
    """
    results = [*probes("x" * 45 + ".", T), *probes("xx.", T + DAY)]
    counted, short = figures(results, OCTOBER).outages
    assert counted.claim_deadline == utc(2026, 11, 4, 10, 45)
    assert short.claim_deadline is None


def test_r6_claim_deadline_uses_claim_within_and_the_whole_outage_end() -> None:
    """R6 + R5: down 23:58 → 00:04 across months, claim_within 7d: both months' parts
    carry the deadline of the whole outage, 2026-11-08 00:04.
    """
    policy = replace(POLICY, claim_within=7 * DAY)
    whole = history(probes("xxxxxx.", utc(2026, 10, 31, 23, 58)), policy)
    parts = [window_figures(whole, m, policy).outages[0] for m in (OCTOBER, NOVEMBER)]
    deadlines = [part.claim_deadline for part in parts]
    assert deadlines == [utc(2026, 11, 8, 0, 4)] * 2


def test_r6_month_to_date() -> None:
    """R6 month-to-date at 2026-10-10 12:00 UTC, probes every minute since 10-01 00:00,
    one 45-minute outage and one hour without probes.

    Engine's documented choice (rules.month_to_date): the denominator is the whole month
    (2678400 s), coverage is over the elapsed 9.5 days (820800 s). No probes 01:01–02:00
    on 10-02: the probes at 01:00 and 02:01 are 61 min apart, so 3660 s are uncovered.
    coverage = (820800 − 3660)/820800; availability = 1 − 2700/2678400.
    """
    start = utc(2026, 10, 1)
    now = utc(2026, 10, 10, 12)
    minutes = int((now - start) / MINUTE) + 1
    cells = ["."] * minutes
    outage_at = int((T - start) / MINUTE)
    cells[outage_at : outage_at + 45] = "x" * 45
    gap_at = 24 * 60 + 61  # 10-02 01:01
    cells[gap_at : gap_at + 60] = "-" * 60
    found = figures(probes("".join(cells), start), month_to_date(now, "UTC"))
    assert (found.window.start, found.window.end) == (start, NOVEMBER.start)
    assert found.window.as_of == now
    assert found.unavailable_seconds == 2700.0
    assert found.availability == pytest.approx(1 - 2700 / 2678400, abs=1e-15)
    assert found.error_budget_seconds == pytest.approx(2678.4, abs=1e-9)
    assert found.coverage == pytest.approx((820800 - 3660) / 820800, abs=1e-12)


def test_r6_trailing_30_days() -> None:
    """R6 trailing 30 days at 2026-11-10 12:00 UTC: [2026-10-11 12:00, now), 2592000 s.

    Down 10-11 11:50 → 12:10 (1200 s, counted whole): 600 s inside; down 11-05 10:00 →
    10:05: 300 s. unavailable 900; budget 2592; availability 1 − 900/2592000.
    """
    now = utc(2026, 11, 10, 12)
    results = [
        *probes("x" * 20 + ".", utc(2026, 10, 11, 11, 50)),
        *probes("xxxxx.", utc(2026, 11, 5, 10)),
    ]
    last_30 = trailing(now)
    assert (last_30.start, last_30.end) == (utc(2026, 10, 11, 12), now)
    assert last_30.seconds == 30 * DAY
    found = figures(results, last_30)
    assert found.unavailable_seconds == 900.0
    assert found.error_budget_seconds == pytest.approx(2592.0, abs=1e-9)
    assert found.availability == pytest.approx(1 - 900 / 2592000, abs=1e-15)


def test_r6_previous_month_is_the_default_report() -> None:
    """The last full calendar month before now: at 2026-11-10 that is October."""
    assert previous_month(utc(2026, 11, 10, 12), "UTC") == OCTOBER
    assert previous_month(utc(2027, 1, 3), "UTC") == calendar_month(2026, 12, "UTC")


def test_r6_maintenance_does_not_shrink_the_denominator() -> None:
    """R6: availability = 1 − unavailable/window; a full day of maintenance changes nothing
    in the denominator: 2700 s down outside it → 1 − 2700/2678400 still.
    """
    results = probes("x" * 45 + ".", T)
    elsewhere = one_off(utc(2026, 10, 20), utc(2026, 10, 21))
    found = figures(results, OCTOBER, maintenance=[elsewhere])
    assert found.availability == pytest.approx(1 - 2700 / 2678400, abs=1e-15)
