"""Probe sequences for the store tests, drawn as strings one probe a minute."""

from __future__ import annotations

from probe.model import ProbeResult, RegionTimeline
from probe.sla import region_timeline

BASE = 1_790_000_000.0
"""A whole minute (2026-09-21 UTC): instants stay exact in binary."""

MINUTE = 60.0


def probes(pattern: str, *, start: float = BASE, account: str = "acme",
           region: str = "eu-west") -> list[ProbeResult]:
    """``.`` success, ``x`` login failure, ``c`` call timeout, ``i`` internal error,
    ``-`` no probe; one character a minute from ``start``."""
    found = []
    for i, char in enumerate(pattern):
        ts = start + i * MINUTE
        if char == ".":
            found.append(ProbeResult(ts=ts, account=account, region=region, ok=True))
        elif char in "xci":
            step, error = {"x": ("login", "http_503"), "c": ("call", "timeout"),
                           "i": ("login", "internal")}[char]
            durations = {"login": 1.25, "total": 2.5}
            found.append(
                ProbeResult(
                    ts=ts,
                    account=account,
                    region=region,
                    ok=False,
                    step=step,
                    error=error,
                    durations=durations,
                )
            )
    return found


def same_r1(got: RegionTimeline, want: RegionTimeline) -> None:
    """Assert the R1 figures that matter are equal, naming the one that is not."""
    assert (got.account, got.region) == (want.account, want.region)
    assert got.down == want.down
    assert got.covered == want.covered
    assert got.probes == want.probes
    assert {k: list(v) for k, v in got.ignored.items()} == {
        k: list(v) for k, v in want.ignored.items()
    }


def reference(results: list[ProbeResult], max_gap: float = 300.0) -> list[RegionTimeline]:
    """R1 straight from the probes, one timeline per series, by account and region."""
    keys = sorted({(r.account, r.region) for r in results})
    return [
        region_timeline(a, r, [p for p in results if (p.account, p.region) == (a, r)],
                        max_gap=max_gap)
        for a, r in keys
    ]
