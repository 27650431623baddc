"""Invariants of the SLA engine on random timelines (hypothesis).

Scenarios: one or two accounts, one to three regions each, probes on a minute grid,
exactly or with integer jitter (0–30 s), random runs of successes, failures and
non-evidence failures, random evidence gaps, random maintenance (one-off, and hourly
cron windows in UTC or Europe/Berlin), random min_outage, max_gap, quorum and time zone.
The data starts
between 2026-10-31 21:30 and 00:00 UTC, so it crosses the October/November boundary of
both Berlin (23:00 UTC) and UTC.

All instants are whole seconds, which lets ``reference_seconds`` read SLA_RULES second by second,
a different route from the engine's interval arithmetic, and compare exactly.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import pairwise

from hypothesis import event, given, settings
from hypothesis import strategies as st

from probe.model import MaintenanceWindow, Period, ProbeResult, SlaPolicy
from probe.sla import AccountFigures, calendar_month, histories_from_results, window_figures
from tests.sla.sla_scenario import MINUTE, utc

BASE = utc(2026, 10, 31, 21, 30)
REGIONS = ("eu-west", "us-east", "ap-south")
FAILURES = (("login", "http_503"), ("call", "timeout"))
KINDS = ("ok", "ok", "fail", "fail", "fail", "auth_rejected", "internal")
EXAMPLES = settings(max_examples=100, deadline=None)


@dataclass(frozen=True)
class Scenario:
    results: list[ProbeResult]
    policy: SlaPolicy
    maintenance: list[MaintenanceWindow]
    cut: float
    """An instant inside the data: the end of a window that clips outages."""

    def windows(self) -> list[Period]:
        """October and November in the policy's zone, both together, and a clipped one."""
        october = calendar_month(2026, 10, self.policy.timezone)
        november = calendar_month(2026, 11, self.policy.timezone)
        both = Period(label="both", start=october.start, end=november.end, as_of=november.end)
        clipped = Period(label="clipped", start=october.start, end=self.cut, as_of=self.cut)
        return [october, november, both, clipped]


# strategies -------------------------------------------------------------------------------


@st.composite
def region_results(draw: st.DrawFn, account: str, region: str) -> list[ProbeResult]:
    cursor = BASE + draw(st.integers(0, 150)) * MINUTE
    runs = st.tuples(
        st.sampled_from(KINDS),
        st.integers(1, 10),
        st.sampled_from([60] * 8 + [120, 300, 301, 420, 900]),
    )
    jitter = random.Random(draw(st.integers(0, 2**32)))
    spread = draw(st.sampled_from([0, 0, 30]))  # on the grid, pieces hit min_outage exactly
    results = []
    for kind, count, spacing in draw(st.lists(runs, min_size=1, max_size=10)):
        for _ in range(count):
            ts = float(cursor + jitter.randint(0, spread))
            results.append(_result(ts, account, region, kind, jitter.choice(FAILURES)))
            cursor += spacing
    return results


def _result(
    ts: float, account: str, region: str, kind: str, failure: tuple[str, str]
) -> ProbeResult:
    if kind == "ok":
        return ProbeResult(ts=ts, account=account, region=region, ok=True)
    step, error = failure if kind == "fail" else ("login", kind)
    return ProbeResult(ts=ts, account=account, region=region, ok=False, step=step, error=error)


@st.composite
def maintenance_windows(draw: st.DrawFn) -> MaintenanceWindow:
    accounts = draw(st.sampled_from([None, frozenset({"acme"}), frozenset({"globex"})]))
    if draw(st.booleans()):
        start = BASE + draw(st.integers(-30, 240)) * MINUTE + draw(st.integers(0, 59))
        end = start + draw(st.integers(1, 7200))
        return MaintenanceWindow(kind="scheduled", accounts=accounts, start=start, end=end)
    return MaintenanceWindow(
        kind="emergency",
        accounts=accounts,
        every=f"{draw(st.integers(0, 59))} * * * *",
        duration=float(draw(st.integers(60, 1200))),
        timezone=draw(st.sampled_from(["UTC", "Europe/Berlin"])),
    )


policies = st.builds(
    SlaPolicy,
    min_outage=st.sampled_from([60.0, 120.0, 299.0, 300.0, 301.0, 600.0])
    | st.integers(1, 900).map(float),
    quorum=st.sampled_from(["any", "all", "majority", 1, 2, 3, 5]),
    max_gap=st.sampled_from([120.0, 300.0, 600.0]),
    timezone=st.sampled_from(["UTC", "Europe/Berlin"]),
)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    results: list[ProbeResult] = []
    for account in draw(st.sampled_from([("acme",), ("acme", "globex")])):
        for region in REGIONS[: draw(st.integers(1, 3))]:
            results.extend(draw(region_results(account, region)))
    maintenance = draw(st.lists(maintenance_windows(), max_size=2))
    failed = [r.ts for r in results if not r.ok]
    if failed and draw(st.integers(0, 2)):  # a window over some failure, so R3 has work to do
        at = draw(st.sampled_from(failed))
        start, end = at - draw(st.integers(0, 900)), at + draw(st.integers(1, 1800))
        maintenance.append(
            MaintenanceWindow(kind="customer_request", accounts=None, start=start, end=end)
        )
    return Scenario(
        results=results,
        policy=draw(policies),
        maintenance=maintenance,
        cut=BASE + draw(st.integers(0, 300)) * MINUTE + draw(st.integers(0, 59)),
    )


# helpers ----------------------------------------------------------------------------------


def all_figures(
    scenario: Scenario,
    *,
    results: Sequence[ProbeResult] | None = None,
    policy: SlaPolicy | None = None,
    maintenance: Sequence[MaintenanceWindow] | None = None,
) -> dict[tuple[str, str], AccountFigures]:
    """Figures keyed by (account, window label), with any part of the scenario replaced."""
    policy = policy or scenario.policy
    found = histories_from_results(
        scenario.results if results is None else results,
        policy,
        maintenance=scenario.maintenance if maintenance is None else maintenance,
    )
    return {
        (history.account, window.label): window_figures(history, window, policy)
        for history in found
        for window in scenario.windows()
    }


def quorum(rule: str | int, n: int) -> int:
    """R2, read afresh: any → 1, all → N, majority → floor(N/2)+1, k → min(k, N)."""
    if isinstance(rule, int):
        return min(rule, n)
    return {"any": 1, "all": n, "majority": n // 2 + 1}[rule]


# the reference model ----------------------------------------------------------------------


@dataclass
class Seconds:
    """Per-second state of one account over ``[t0, t0 + len(down))``."""

    t0: int
    down: list[bool]
    excluded: list[bool]
    covered: list[bool]
    counted: list[bool]


def _ramp(length: int, spans: Sequence[tuple[int, int]], t0: int) -> list[int]:
    """How many of ``spans`` (half-open, whole seconds) cover each second."""
    diff = [0] * (length + 1)
    for begin, finish in spans:
        start, end = max(begin, t0), min(finish, t0 + length)
        if end > start:
            diff[start - t0] += 1
            diff[end - t0] -= 1
    depth, out = 0, []
    for step in diff[:length]:
        depth += step
        out.append(depth)
    return out


def reference_seconds(scenario: Scenario, account: str) -> Seconds:
    """SLA_RULES R1–R4 for one account, one second at a time.

    R1 read as: between consecutive probes p, q at most max_gap apart, the region is
    covered, and it is down when p failed (a down interval runs from a failure to the next
    success; a gap or the end of the data stops it at the last failure).
    """
    policy = scenario.policy
    mine = [r for r in scenario.results if r.account == account]
    t0, t1 = int(min(r.ts for r in scenario.results)), int(max(r.ts for r in scenario.results)) + 1
    length = t1 - t0
    regions = sorted({r.region for r in mine})
    down_spans: list[tuple[int, int]] = []
    cover_spans: list[tuple[int, int]] = []
    for region in regions:
        failed: dict[int, bool] = {}
        for r in mine:
            if r.region == region and (r.ok or r.error not in ("auth_rejected", "internal")):
                failed[int(r.ts)] = failed.get(int(r.ts), False) or not r.ok
        stamps = sorted(failed)
        for p, q in pairwise(stamps):
            if q - p <= policy.max_gap:
                cover_spans.append((p, q))
                if failed[p]:
                    down_spans.append((p, q))
    # Spans of one region never overlap (they sit between consecutive probes), so the
    # depth of all regions' spans at a second is the number of regions in one.
    need = quorum(policy.quorum, len(regions))
    down = [n >= need for n in _ramp(length, down_spans, t0)]
    covered = [n >= need for n in _ramp(length, cover_spans, t0)]
    excluded = [n > 0 for n in _ramp(length, _maintenance(scenario, account, t0, t1), t0)]
    return Seconds(t0, down, excluded, covered, _counted(down, excluded, policy.min_outage))


def _maintenance(scenario: Scenario, account: str, t0: int, t1: int) -> list[tuple[int, int]]:
    """R3 occurrences: one-off windows as given; "M * * * *" at minute M of every hour
    (UTC and Berlin differ by whole hours, so local minute M is UTC minute M).
    """
    spans = []
    for window in scenario.maintenance:
        if not window.applies_to(account):
            continue
        if window.every is None:
            assert window.start is not None
            assert window.end is not None
            spans.append((int(window.start), int(window.end)))
            continue
        assert window.duration is not None
        minute = int(window.every.split()[0])
        hour = (t0 - int(window.duration)) // 3600 * 3600 - 3600
        while hour <= t1:
            start = hour + minute * 60
            spans.append((start, start + int(window.duration)))
            hour += 3600
    return spans


def _counted(down: list[bool], excluded: list[bool], min_outage: float) -> list[bool]:
    """R3 + R4: runs of down, non-excluded seconds; a run counts when ≥ min_outage."""
    counted = [False] * len(down)
    start = None
    pieces = [d and not x for d, x in zip(down, excluded, strict=True)]
    for i, is_down in enumerate([*pieces, False]):
        if is_down and start is None:
            start = i
        elif not is_down and start is not None:
            if i - start >= min_outage:
                counted[start:i] = [True] * (i - start)
            start = None
    return counted


def reference_figures(
    scenario: Scenario, account: str, sec: Seconds, period: Period
) -> dict[str, object]:
    """R5 + R6 on the per-second model: parts inside the period, whole-run qualification."""
    lo = max(int(period.start), sec.t0) - sec.t0
    hi = min(int(period.end), sec.t0 + len(sec.down)) - sec.t0
    inside = range(lo, hi) if hi > lo else range(0)
    pieces = [sec.down[i] and not sec.excluded[i] for i in inside]
    unavailable = sum(sec.counted[i] for i in inside)
    elapsed = min(period.as_of, period.end) - period.start
    cov_hi = min(int(period.start + elapsed), sec.t0 + len(sec.down)) - sec.t0
    covered = sum(sec.covered[i] for i in range(lo, cov_hi)) if cov_hi > lo else 0
    ignored = Counter(
        r.error for r in scenario.results
        if r.account == account and not r.ok and r.error in ("auth_rejected", "internal")
        and period.start <= r.ts < period.end
    )
    ratio = 1 - Fraction(unavailable) / Fraction(period.seconds)
    return {
        "unavailable": float(unavailable),
        "short": float(sum(pieces) - unavailable),
        "observed": float(sum(sec.down[i] for i in inside)),
        "excluded": float(sum(sec.down[i] and sec.excluded[i] for i in inside)),
        "coverage": covered / elapsed,
        "sla_met": ratio >= Fraction(999, 1000),
        "ignored": dict(ignored),
    }


def engine_summary(figures: AccountFigures) -> dict[str, object]:
    return {
        "unavailable": figures.unavailable_seconds,
        "short": figures.short_outage_seconds,
        "observed": figures.observed_down_seconds,
        "excluded": figures.excluded_seconds,
        "coverage": figures.coverage,
        "sla_met": figures.sla_met,
        "ignored": dict(figures.ignored_failures),
    }


# properties -------------------------------------------------------------------------------


@EXAMPLES
@given(scenarios())
def test_figures_agree_with_a_second_by_second_reading_of_the_rules(scenario: Scenario) -> None:
    """R1–R6: the engine's interval arithmetic equals the per-second reference model."""
    found = all_figures(scenario)
    model = {account: reference_seconds(scenario, account) for account, _ in found}
    for (account, _), figures in found.items():
        expected = reference_figures(scenario, account, model[account], figures.window)
        actual = engine_summary(figures)
        for name in ("unavailable_seconds", "short_outage_seconds", "excluded_seconds"):
            event(f"{name} > 0: {getattr(figures, name) > 0}")
        assert abs(actual.pop("coverage") - expected.pop("coverage")) < 1e-9  # type: ignore[operator]
        assert actual == expected


@EXAMPLES
@given(scenarios())
def test_figures_are_consistent(scenario: Scenario) -> None:
    """R6: unavailable ≤ observed; unavailable + short + excluded = observed; 0 ≤ coverage ≤ 1;
    availability = 1 − unavailable/window; budget left = budget − unavailable.
    """
    for figures in all_figures(scenario).values():
        parts = figures.unavailable_seconds + figures.short_outage_seconds
        assert figures.unavailable_seconds <= figures.observed_down_seconds + 1e-6
        assert abs(parts + figures.excluded_seconds - figures.observed_down_seconds) < 1e-6
        assert min(figures.short_outage_seconds, figures.excluded_seconds) >= 0.0
        assert 0.0 <= figures.coverage <= 1.0
        ratio = 1 - figures.unavailable_seconds / figures.window.seconds
        assert abs(figures.availability - ratio) < 1e-12
        left = figures.error_budget_seconds - figures.unavailable_seconds
        assert abs(figures.error_budget_remaining_seconds - left) < 1e-6


@EXAMPLES
@given(scenarios(), maintenance_windows())
def test_more_maintenance_never_adds_unavailable_time(
    scenario: Scenario, extra: MaintenanceWindow
) -> None:
    """R3 + R4: cutting pieces can only shorten them, so unavailable time cannot grow."""
    before = all_figures(scenario, maintenance=[])
    during = all_figures(scenario)
    after = all_figures(scenario, maintenance=[*scenario.maintenance, extra])
    for key, figures in during.items():
        assert figures.unavailable_seconds <= before[key].unavailable_seconds + 1e-6
        assert after[key].unavailable_seconds <= figures.unavailable_seconds + 1e-6


@EXAMPLES
@given(scenarios(), st.integers(0, 900))
def test_raising_min_outage_never_adds_unavailable_time(scenario: Scenario, more: int) -> None:
    """R4: a piece that qualifies under a longer minimum qualifies under a shorter one."""
    policy = scenario.policy
    stricter = replace(policy, min_outage=policy.min_outage + more)
    lenient = all_figures(scenario)
    strict = all_figures(scenario, policy=stricter)
    for key, figures in strict.items():
        assert figures.unavailable_seconds <= lenient[key].unavailable_seconds + 1e-6
        observed = lenient[key].observed_down_seconds
        assert figures.observed_down_seconds == observed


@EXAMPLES
@given(scenarios())
def test_months_add_up_to_the_whole_period(scenario: Scenario) -> None:
    """R5: qualification is decided before splitting, so October + November of one history
    equal the figures of one window spanning both.
    """
    found = all_figures(scenario)
    for account in {account for account, _ in found}:
        october, november, both = (
            found[(account, label)] for label in ("2026-10", "2026-11", "both")
        )
        for name in (
            "unavailable_seconds",
            "short_outage_seconds",
            "observed_down_seconds",
            "excluded_seconds",
        ):
            parts = getattr(october, name) + getattr(november, name)
            assert abs(parts - getattr(both, name)) < 1e-6, name


@EXAMPLES
@given(scenarios(), st.randoms(use_true_random=False))
def test_input_order_does_not_matter(scenario: Scenario, rng: random.Random) -> None:
    """Input: "Results may arrive in any order." Every figure is the same, evidence too."""
    shuffled = list(scenario.results)
    rng.shuffle(shuffled)
    assert all_figures(scenario, results=shuffled) == all_figures(scenario)


@EXAMPLES
@given(scenarios(), st.randoms(use_true_random=False))
def test_duplicates_do_not_matter(scenario: Scenario, rng: random.Random) -> None:
    """Input: results with the same (account, region, ts) are one probe, so delivering some
    results twice changes nothing, the count of ignored failures included.
    """
    doubled = [*scenario.results, *rng.sample(scenario.results, k=len(scenario.results) // 2)]
    rng.shuffle(doubled)
    assert all_figures(scenario, results=doubled) == all_figures(scenario)
