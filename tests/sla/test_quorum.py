"""SLA_RULES R2: the account is down while at least Q of its N regions are down.

Three regions, one probe a minute from 10:00 (UTC, 2026-10-05):

    eu-west   xxxxxxxxxx...............   down [10:00, 10:10]
    us-east   .....xxxxxxxxxx..........   down [10:05, 10:15]
    ap-south  ........xxxxxxxxxxxx.....   down [10:08, 10:20]

Regions down at once: 10:00–10:05 one, 10:05–10:08 two, 10:08–10:10 three,
10:10–10:15 two, 10:15–10:20 one.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from probe.model import ProbeResult
from probe.sla.quorum import quorum_size
from tests.sla.sla_scenario import POLICY, figures, probes, utc, window

T = utc(2026, 10, 5, 10, 0)
DAY = window(utc(2026, 10, 5), utc(2026, 10, 6))
DRAWINGS = {
    "eu-west": "xxxxxxxxxx...............",
    "us-east": ".....xxxxxxxxxx..........",
    "ap-south": "........xxxxxxxxxxxx.....",
}


def regions(*names: str) -> list[ProbeResult]:
    return [p for name in names for p in probes(DRAWINGS[name], T, region=name)]


@pytest.mark.parametrize(
    ("rule", "n", "q"),
    [
        ("any", 1, 1), ("any", 2, 1), ("any", 3, 1),
        ("all", 1, 1), ("all", 2, 2), ("all", 3, 3),
        ("majority", 1, 1), ("majority", 2, 2), ("majority", 3, 2),
        (1, 3, 1), (2, 3, 2), (3, 3, 3), (5, 3, 3), (2, 1, 1),
    ],
)  # fmt: skip
def test_r2_quorum_size(rule: str | int, n: int, q: int) -> None:
    """R2: any → 1, all → N, majority → floor(N/2)+1, integer k → min(k, N)."""
    assert quorum_size(rule, n) == q


@pytest.mark.parametrize(
    ("rule", "unavailable", "short"),
    [
        ("any", 1200.0, 0.0),  # [10:00, 10:20]
        ("majority", 600.0, 0.0),  # Q=2: [10:05, 10:15]
        (2, 600.0, 0.0),
        ("all", 0.0, 120.0),  # Q=3: [10:08, 10:10], under five minutes
        (5, 0.0, 120.0),  # k=5 > N=3 → 3
    ],
)
def test_r2_three_regions(rule: str | int, unavailable: float, short: float) -> None:
    """R2 with N=3 (figures from the module docstring)."""
    found = figures(regions(*DRAWINGS), DAY, replace(POLICY, quorum=rule))
    assert (found.unavailable_seconds, found.short_outage_seconds) == (unavailable, short)
    assert found.observed_down_seconds == unavailable + short


@pytest.mark.parametrize(
    ("rule", "unavailable"),
    [
        ("any", 900.0),  # [10:00, 10:15]
        ("majority", 300.0),  # floor(2/2)+1 = 2: [10:05, 10:10], exactly five minutes
        ("all", 300.0),
        (7, 300.0),
    ],
)
def test_r2_two_regions(rule: str | int, unavailable: float) -> None:
    """R2 with N=2 (eu-west and us-east only)."""
    found = figures(regions("eu-west", "us-east"), DAY, replace(POLICY, quorum=rule))
    assert found.unavailable_seconds == unavailable


@pytest.mark.parametrize("rule", ["any", "all", "majority", 1, 3])
def test_r2_one_region_decides_alone(rule: str | int) -> None:
    """R2 with N=1: every rule gives Q=1, so eu-west's [10:00, 10:10] counts: 600 s."""
    found = figures(regions("eu-west"), DAY, replace(POLICY, quorum=rule))
    assert found.unavailable_seconds == 600.0


def test_r2_configured_region_without_results_counts_towards_n() -> None:
    """R2: "those with results for it (or configured for it)".

    Results only from eu-west, but acme is configured for eu-west and us-east: N=2,
    majority Q=2, and us-east is never down → the account is never down. Without the
    configuration N=1 and [10:00, 10:10] counts (600 s).
    """
    configured = {"acme": ["eu-west", "us-east"]}
    found = figures(regions("eu-west"), DAY, regions=configured)
    assert found.regions == ("eu-west", "us-east")
    assert found.unavailable_seconds == 0.0
    assert found.observed_down_seconds == 0.0
    assert figures(regions("eu-west"), DAY).unavailable_seconds == 600.0


def test_r2_regions_handing_over_leave_no_hole() -> None:
    """R2 + R4: with ``any``, eu-west down [10:00, 10:03] and us-east down [10:03, 10:06]
    keep the account down without a break: one continuous 6-minute piece, counted.
    """
    results = [
        *probes("xxx....", T, region="eu-west"),
        *probes("...xxx.", T, region="us-east"),
    ]
    found = figures(results, DAY, replace(POLICY, quorum="any"))
    (outage,) = found.outages
    assert (outage.start, outage.end) == (T, T + 360)
    assert outage.outage.regions == ("eu-west", "us-east")
    assert found.unavailable_seconds == 360.0


def test_r2_outage_names_the_regions_and_their_failures() -> None:
    """R2 evidence: the majority piece [10:05, 10:15] is backed by all three regions.

    Failures inside [10:05, 10:15): eu-west 10:05–10:09 (5), us-east 10:05–10:14 (10),
    ap-south 10:08–10:14 (7) → 22 failed login probes.
    """
    found = figures(regions(*DRAWINGS), DAY)
    (outage,) = found.outages
    assert outage.outage.regions == ("ap-south", "eu-west", "us-east")
    assert dict(outage.failed_steps) == {"login": 22}
