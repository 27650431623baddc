"""SLA_RULES "Input" and R1: from probe results to one region's down intervals and coverage.

Patterns are one probe a minute from T = 2026-10-05 10:00 UTC (see ``sla_scenario``).
"""

from __future__ import annotations

import random

import pytest

from probe.model import ProbeResult, RegionTimeline, Span
from probe.sla import OutOfOrder, TimelineBuilder, region_timeline
from tests.sla.sla_scenario import MINUTE, POLICY, figures, paint, probe, probes, utc, window

T = utc(2026, 10, 5, 10, 0)


def timeline(results: list[ProbeResult], max_gap: float = POLICY.max_gap) -> RegionTimeline:
    return region_timeline("acme", "eu-west", results, max_gap=max_gap)


def spans(found: RegionTimeline) -> list[tuple[float, float]]:
    """The down intervals as minutes after T."""
    return [((d.start - T) / MINUTE, (d.end - T) / MINUTE) for d in found.down]


def test_r1_down_interval_runs_from_failure_to_next_success() -> None:
    """R1: starts at a failed probe after a success, ends at the next success's ts.

    "..xxx..": failures 10:02, 10:03, 10:04; success 10:05 → [10:02, 10:05], 180 s.
    """
    found = timeline(probes("..xxx..", T))
    (interval,) = found.down
    assert spans(found) == [(2, 5)]
    assert interval.end - interval.start == 180.0
    assert not interval.open
    assert [f.ts for f in interval.failures] == [T + 120, T + 180, T + 240]


def test_r1_first_probe_failed_starts_an_interval() -> None:
    """R1: "(or that is the first probe)": "xx.." → [10:00, 10:02]."""
    assert spans(timeline(probes("xx..", T))) == [(0, 2)]


def test_r1_a_success_splits_an_outage() -> None:
    """R1: one success ends the interval; the next failure starts a new one.

    "xxxx.xxxx." → [10:00, 10:04] and [10:05, 10:09], 240 s each (neither reaches 5 min,
    although the failures span 9 minutes).
    """
    assert spans(timeline(probes("xxxx.xxxx.", T))) == [(0, 4), (5, 9)]


def test_r1_interval_open_at_end_of_data_ends_at_last_failed_probe() -> None:
    """R1: still open at the end of the data → ends at its last failed probe, ``open``.

    "..xxx": failures 10:02–10:04, no success after → [10:02, 10:04], open.
    """
    found = timeline(probes("..xxx", T))
    (interval,) = found.down
    assert spans(found) == [(2, 4)]
    assert interval.open


def test_r1_evidence_gap_ends_interval_at_last_failed_probe() -> None:
    """R1: probes more than max_gap apart: the interval ends at its last failed probe.

    "..xx------xx..": failures 10:02, 10:03; nothing until 10:10 (7 min > 5 min gap);
    failures 10:10, 10:11; success 10:12. → [10:02, 10:03] (closed, not open) and a new
    interval [10:10, 10:12]. Coverage: [10:00, 10:03] and [10:10, 10:13].
    """
    found = timeline(probes("..xx------xx..", T))
    assert spans(found) == [(2, 3), (10, 12)]
    assert [d.open for d in found.down] == [False, False]
    assert list(found.covered) == [Span(T, T + 3 * MINUTE), Span(T + 10 * MINUTE, T + 13 * MINUTE)]


def test_r1_probes_exactly_max_gap_apart_are_not_a_gap() -> None:
    """R1: a gap is *more* than max_gap: failure at T, success at T+300 s → [T, T+300]."""
    found = timeline([probe(T), probe(T + 300, ok=True)])
    assert spans(found) == [(0, 5)]
    assert list(found.covered) == [Span(T, T + 300)]


def test_r1_probes_one_second_over_max_gap_are_a_gap() -> None:
    """R1: failure at T, success at T+301 s: the interval ends at T (its last failure).

    Nothing is covered: the only two probes are more than max_gap apart.
    """
    found = timeline([probe(T), probe(T + 301, ok=True)])
    assert [(d.start, d.end) for d in found.down] == [(T, T)]
    assert list(found.covered) == []


def test_r1_coverage_ratio_excludes_the_gap() -> None:
    """R1: coverage = covered time / window length.

    A day of probes every minute, 00:00 to 24:00 inclusive, none 12:01–12:10: the probes
    at 12:00 and 12:11 are 11 min apart, so 660 s are uncovered.
    coverage = (86400 − 660) / 86400 = 85740 / 86400 = 0.99236111…
    """
    day = utc(2026, 10, 5)
    pattern = paint(24 * 60 + 1, {12 * 60 + 1: "-" * 10})
    found = figures(probes(pattern, day), window(day, day + 86400))
    assert found.coverage == pytest.approx(85740 / 86400, abs=1e-12)


def test_input_unsorted_results_give_the_same_timeline() -> None:
    """Input: "Results may arrive in any order."."""
    ordered = probes("..xxx..x.--xxxxxx...", T)
    shuffled = list(ordered)
    random.Random(7).shuffle(shuffled)
    assert timeline(shuffled) == timeline(ordered)


def test_input_same_ts_is_one_probe_failed_if_any_failed() -> None:
    """Input: same (account, region, ts) → one probe, failed if any of them failed.

     "....." plus a failure duplicating the success at 10:02 → one failed probe at 10:02:
    interval [10:02, 10:03]; still five probes.
    """
    results = [*probes(".....", T), probe(T + 2 * MINUTE)]
    found = timeline(results)
    assert spans(found) == [(2, 3)]
    assert found.probes == 5


def test_input_duplicate_failures_keep_one_piece_of_evidence() -> None:
    """Input: two failures at one ts are one failed probe (one Failure, not two); the one
    kept is the smaller (step, error): ("call", "timeout") before ("login", "http_503"),
    whichever arrived first (``failure_rank``, which both stores use too)."""
    for results in ([*probes("x.", T), probe(T, step="call", error="timeout")],
                    [probe(T, step="call", error="timeout"), *probes("x.", T)]):
        (interval,) = timeline(results).down
        assert len(interval.failures) == 1
        assert (interval.failures[0].step, interval.failures[0].error) == ("call", "timeout")


@pytest.mark.parametrize("error", ["auth_rejected", "internal"])
def test_input_non_evidence_failure_is_no_probe(error: str) -> None:
    """Input: auth_rejected/internal are treated as no probe at all, reported separately.

    "..x??x.." with ?? non-evidence: failures 10:02 and 10:05, nothing in between (3 min,
    no gap) → one interval [10:02, 10:06] with 2 failures; 6 probes; 2 ignored.
    """
    char = "a" if error == "auth_rejected" else "i"
    found = timeline(probes(f"..x{char}{char}x..", T))
    (interval,) = found.down
    assert spans(found) == [(2, 6)]
    assert len(interval.failures) == 2
    assert found.probes == 6
    assert list(found.ignored[error]) == [T + 3 * MINUTE, T + 4 * MINUTE]


def test_input_non_evidence_failures_can_open_an_evidence_gap() -> None:
    """Input + R1: six minutes of ``internal`` failures are six minutes without probes.

    "..xxiiiiii..": failures 10:02, 10:03; next real probe 10:10 (7 min > max_gap) → the
    interval ends at 10:03, not at the success at 10:10; coverage skips [10:03, 10:10].
    """
    found = timeline(probes("..xxiiiiii..", T))
    assert spans(found) == [(2, 3)]
    assert list(found.covered) == [Span(T, T + 3 * MINUTE), Span(T + 10 * MINUTE, T + 11 * MINUTE)]


def test_input_non_evidence_duplicate_of_a_success_leaves_it_a_success() -> None:
    """Input: an auth_rejected result beside a success at the same ts is no probe, so the
    success stands (ambiguity noted in the report: "failed if any failed" vs "no probe").

    "..x.." plus auth_rejected at 10:03 → interval [10:02, 10:03].
    """
    results = [*probes("..x..", T), probe(T + 3 * MINUTE, error="auth_rejected")]
    assert spans(timeline(results)) == [(2, 3)]


def test_r1_live_builder_extends_an_open_interval() -> None:
    """R1: an open interval "is extended as new failures arrive" (a live agent)."""
    builder = TimelineBuilder("acme", "eu-west", max_gap=POLICY.max_gap)
    for minute, ok in [(0, True), (1, False), (2, False)]:
        builder.add(T + minute * MINUTE, ok, "login", None if ok else "http_503")
    assert [(d.start, d.end, d.open) for d in builder.finish().down] == [(T + 60, T + 120, True)]
    builder.add(T + 3 * MINUTE, False, "login", "http_503")
    assert [(d.start, d.end, d.open) for d in builder.finish().down] == [(T + 60, T + 180, True)]
    builder.add(T + 4 * MINUTE, True)
    assert [(d.start, d.end, d.open) for d in builder.finish().down] == [(T + 60, T + 240, False)]


def test_r1_live_builder_refuses_an_older_probe() -> None:
    """The fold needs time order; region_timeline is the order-free entry point."""
    builder = TimelineBuilder("acme", "eu-west", max_gap=POLICY.max_gap)
    builder.add(T + MINUTE, True)
    with pytest.raises(OutOfOrder):
        builder.add(T, True)


def test_a_run_of_successes_folds_like_its_probes() -> None:
    """``add_run`` (how a store folds a healthy stretch) equals adding every probe."""
    one_by_one = TimelineBuilder("a", "r", max_gap=300)
    runs = TimelineBuilder("a", "r", max_gap=300)
    for ts in (0, 60):
        one_by_one.add(ts, False, "login", "dns")
        runs.add(ts, False, "login", "dns")
    for ts in range(120, 1320, 60):
        one_by_one.add(ts, True)
    runs.add_run(120, 1260, 20)
    for builder in (one_by_one, runs):
        builder.add(2000, False, "call", "timeout")  # after an evidence gap
    assert runs.finish() == one_by_one.finish()
