"""The key property: the store is lossless for R1 (hypothesis).

Random probe sequences for one to three series on a minute grid (exact, or with 0–20 s
of integer jitter so ok segments are unevenly spaced), with runs of successes and
failures, evidence gaps of every length, non-evidence failures and duplicates at one
instant with any mix of outcomes. They are written the way agents write: in time
order, cut into random batches, with earlier batches sent again at random. R1 rebuilt
from the store (and from its export) must equal ``region_timeline`` over the probes:
down intervals with their failures, coverage, probe count, ignored failures.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probe.model import ProbeResult
from probe.sla import region_timeline
from tests.store.conftest import Backend
from tests.store.helpers import BASE, MINUTE, reference, same_r1

OUTCOMES = (
    (True, None, None),
    (False, "login", "http_503"),
    (False, "call", "timeout"),
    (False, "login", "auth_rejected"),
    (False, "call", "internal"),
)
SERIES = (("acme", "eu-west"), ("acme", "us-east"), ("globex", "eu-west"))


@st.composite
def series_results(draw: st.DrawFn, account: str, region: str) -> list[ProbeResult]:
    cursor = BASE + draw(st.integers(0, 20)) * MINUTE
    jitter = draw(st.sampled_from([0, 20]))
    found: list[ProbeResult] = []
    for _ in range(draw(st.integers(1, 10))):
        kind = draw(st.sampled_from(["ok", "ok", "fail", "gap", "mixed"]))
        length = draw(st.integers(1, 12))
        if kind == "gap":
            cursor += length * MINUTE
            continue
        for _ in range(length):
            ts = cursor + draw(st.integers(0, jitter))
            outcome = 0 if kind == "ok" else draw(st.integers(1 if kind == "fail" else 0, 4))
            ok, step, error = OUTCOMES[outcome]
            found.append(ProbeResult(ts=ts, account=account, region=region, ok=ok, step=step,
                                     error=error, durations={"total": float(outcome)}))
            if draw(st.integers(0, 9)) == 0:  # a duplicate at the same instant
                ok, step, error = OUTCOMES[draw(st.integers(0, 4))]
                found.append(ProbeResult(ts=ts, account=account, region=region, ok=ok,
                                         step=step, error=error))
            cursor += MINUTE
    return found


@st.composite
def scenarios(
    draw: st.DrawFn, prefix: str
) -> tuple[list[ProbeResult], list[list[ProbeResult]], float]:
    """All results, the batches they are written in, and ``max_gap``.

    Account names start with ``prefix``, unique to the example, so examples can share a
    database without seeing each other's series.
    """
    count = draw(st.integers(1, len(SERIES)))
    keys = [(prefix + account, region) for account, region in SERIES[:count]]
    results = [r for key in keys for r in draw(series_results(*key))]
    ordered = sorted(results, key=lambda r: r.ts)
    cuts = sorted(draw(st.lists(st.integers(0, len(ordered)), max_size=8)))
    batches = [ordered[a:b] for a, b in itertools.pairwise([0, *cuts, len(ordered)])]
    sent: list[list[ProbeResult]] = []
    for batch in batches:
        sent.append(draw(st.permutations(batch)))
        if sent and draw(st.integers(0, 3)) == 0:
            sent.append(sent[draw(st.integers(0, len(sent) - 1))])
    max_gap = draw(st.sampled_from([60.0, 90.0, 120.0, 180.0, 300.0]))
    return results, sent, max_gap


_examples = itertools.count()


# psycopg_pool's worker threads draw from the global `random` (connection lifetimes) while
# another example is being drawn; hypothesis then blames the strategy, which uses none.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_r1_from_the_store_equals_r1_from_the_probes(backend: Backend, data: st.DataObject) -> None:
    prefix = f"x{next(_examples)}-"
    results, batches, max_gap = data.draw(scenarios(prefix))
    store = backend.kept(f"gap-{max_gap:g}", interval=60.0, max_gap=max_gap)
    for batch in batches:
        store.write(batch)
    want = reference(results, max_gap)
    accounts = {r.account for r in results}
    got = store.timelines(max_gap=max_gap, accounts=accounts)
    assert len(got) == len(want)
    for timeline, expected in zip(got, want, strict=True):
        same_r1(timeline, expected)
    exported = [r for r in store.results() if r.account in accounts]
    for expected in want:
        mine = [r for r in exported if (r.account, r.region) == (expected.account,
                                                                   expected.region)]
        same_r1(region_timeline(expected.account, expected.region, mine,
                                max_gap=max_gap), expected)
    assert store.integrity_check() == []
