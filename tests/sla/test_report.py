"""SLA_RULES "Report JSON" and R6: the figures behind the report, checked on AccountFigures.

The JSON rendering itself belongs to the renderers' tests; here the figures of the
example are rebuilt from probes.
"""

from __future__ import annotations

from probe.model import ProbeResult, SlaPolicy
from probe.sla import (
    build_report,
    calendar_month,
    histories_from_results,
    month_to_date,
    window_figures,
)
from tests.helpers import at
from tests.sla.sla_scenario import (
    DAY,
    MINUTE,
    POLICY,
    figures,
    paint,
    probe,
    probes,
    utc,
    window,
)

OCTOBER = calendar_month(2026, 10, "UTC")
T = utc(2026, 10, 5, 10, 0)


def _offset(instant: float) -> int:
    return int((instant - OCTOBER.start) / MINUTE)


def example_month() -> list[ProbeResult]:
    """The month of the SLA_RULES example, drawn by hand.

    acme/eu-west probed every minute from 2026-10-01 00:00 to 2026-11-01 00:00 inclusive
    (44641 probes, so all 2678400 s of October are covered), with:

    - 10-05 10:00–10:04 five login/http_503 failures, success 10:05: 300 s, counted;
    - 10-12 14:00–14:39 forty call/timeout failures, success 14:40: 2400 s, counted;
    - 10-20 08:00–08:03 four failures, success 08:04: 240 s, short.

    unavailable 300 + 2400 = 2700; short 240; observed 2940; excluded 0; coverage 1.0;
    availability 1 − 2700/2678400 = 0.99899193548… → 0.998991935; budget 2678.4;
    sla_met false; credit null (no tiers).
    """
    pattern = paint(
        31 * 24 * 60 + 1,
        {
            _offset(T): "xxxxx",
            _offset(utc(2026, 10, 12, 14)): "c" * 40,
            _offset(utc(2026, 10, 20, 8)): "xxxx",
        },
    )
    return probes(pattern, OCTOBER.start)


def test_report_example_figures() -> None:
    """SLA_RULES "Report JSON": acme, eu-west, 2026-10 (figures in ``example_month``)."""
    found = figures(example_month(), OCTOBER)
    assert found.account == "acme"
    assert found.regions == ("eu-west",)
    assert found.window.seconds == 2678400
    assert found.unavailable_seconds == 2700.0
    assert round(found.availability, 9) == 0.998991935
    assert found.sla_met is False
    assert round(found.error_budget_seconds, 6) == 2678.4
    assert found.observed_down_seconds == 2940.0
    assert found.excluded_seconds == 0.0
    assert found.short_outage_seconds == 240.0
    assert found.coverage == 1.0
    assert found.credit_percent is None


def test_report_example_outage() -> None:
    """SLA_RULES "Report JSON": the outage 2026-10-05T10:00:00Z–10:05:00Z, 300 s, counted,
    not open, regions ["eu-west"], failed_steps {"login": 5}, errors {"http_503": 5}.
    """
    first = figures(example_month(), OCTOBER).outages[0]
    assert (first.start, first.end, first.seconds) == (T, T + 300, 300.0)
    assert first.outage.counted is True
    assert first.outage.open is False
    assert first.outage.regions == ("eu-west",)
    assert dict(first.failed_steps) == {"login": 5}
    assert dict(first.errors) == {"http_503": 5}


def test_report_example_lists_every_piece() -> None:
    """R6: the short piece is listed too, ``counted`` false (the example shows one)."""
    found = figures(example_month(), OCTOBER)
    assert [(o.seconds, o.outage.counted) for o in found.outages] == [
        (300.0, True),
        (2400.0, True),
        (240.0, False),
    ]
    assert dict(found.outages[1].failed_steps) == {"call": 40}
    assert dict(found.outages[1].errors) == {"timeout": 40}


def test_r6_evidence_tallies_steps_and_errors() -> None:
    """R6 evidence: "xxcc." → [10:00, 10:04], login/http_503 ×2, call/timeout ×2."""
    (outage,) = figures(probes("xxcc.", T), OCTOBER).outages
    assert dict(outage.failed_steps) == {"login": 2, "call": 2}
    assert dict(outage.errors) == {"http_503": 2, "timeout": 2}


def test_r1_open_outage_keeps_its_last_failure_as_evidence() -> None:
    """R1: "..xxx" is open [10:02, 10:04]; its evidence is all three failures,
    the one at the end included. Closed "..xxx." [10:02, 10:05] also has three.
    """
    (open_one,) = figures(probes("..xxx", T), OCTOBER).outages
    (closed,) = figures(probes("..xxx.", T), OCTOBER).outages
    assert (open_one.outage.open, dict(open_one.failed_steps)) == (True, {"login": 3})
    assert (closed.outage.open, dict(closed.failed_steps)) == (False, {"login": 3})


def test_input_ignored_failures_are_reported_by_class() -> None:
    """Input: non-evidence failures are "reported separately": "..xaaix.." →
    auth_rejected 2, internal 1; the outage is [10:02, 10:07] (gaps of ≤ 4 min).
    """
    found = figures(probes("..xaaix..", T), OCTOBER)
    assert dict(found.ignored_failures) == {"auth_rejected": 2, "internal": 1}
    (outage,) = found.outages
    assert (outage.start, outage.end) == (T + 2 * MINUTE, T + 7 * MINUTE)


def test_input_ignored_failures_are_counted_in_their_window() -> None:
    """R6: one auth_rejected on 10-05 and one on 10-06: a window of 10-05 sees one."""
    results = [probe(T, error="auth_rejected"), probe(T + DAY, error="auth_rejected")]
    day = window(utc(2026, 10, 5), utc(2026, 10, 6))
    assert dict(figures(results, day).ignored_failures) == {"auth_rejected": 1}


def test_input_ignored_failure_in_another_region_is_another_probe() -> None:
    """Input: the same ts in two regions is two probes: two ignored failures."""
    results = [
        probe(T, error="internal", region="eu-west"),
        probe(T, error="internal", region="us-east"),
    ]
    assert dict(figures(results, OCTOBER).ignored_failures) == {"internal": 2}


def test_input_duplicate_ignored_failure_is_one_probe() -> None:
    """Input: "Results with the same (account, region, ts) are one probe": the same
    auth_rejected result delivered twice is one non-evidence probe → auth_rejected 1.
    """
    twice = [probe(T, error="auth_rejected"), probe(T, error="auth_rejected")]
    assert dict(figures(twice, OCTOBER).ignored_failures) == {"auth_rejected": 1}


def test_r6_report_has_every_account_sorted() -> None:
    """R6 for every account: globex (45 min down) and acme (up) → acme first, then globex."""
    results = [*probes("x" * 45 + ".", T, account="globex"), *probes("....", T)]
    report = build_report(histories_from_results(results, POLICY), OCTOBER, POLICY)
    assert [(a.account, a.unavailable_seconds) for a in report.accounts] == [
        ("acme", 0.0),
        ("globex", 2700.0),
    ]


def test_r6_month_to_date_ignores_data_after_as_of() -> None:
    """R6 over the month so far: a 10-minute outage on Oct 20 is not yet in a window
    measured as of Oct 10 (hand-worked: 0 s unavailable, denominator still 2678400 s)."""
    begin = at("2026-10-20T10:00")
    results = [
        ProbeResult(
            ts=begin + 60 * i,
            account="acme",
            region="eu",
            ok=i == 10,
            step=None if i == 10 else "login",
            error=None if i == 10 else "http_503",
        )
        for i in range(11)
    ]
    policy = SlaPolicy()
    (history,) = histories_from_results(results, policy)
    early = window_figures(history, month_to_date(at("2026-10-10T00:00"), "UTC"), policy)
    late = window_figures(history, month_to_date(at("2026-10-21T00:00"), "UTC"), policy)
    assert (early.unavailable_seconds, early.window.seconds) == (0.0, 2678400.0)
    assert late.unavailable_seconds == 600.0
