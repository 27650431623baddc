"""Writing and reading back: round trips, idempotency, late probes, segments, evidence."""

from __future__ import annotations

import threading

import pytest

from probe.model import ProbeResult
from probe.sla import region_timeline
from probe.store import Segment, Store, StoreError
from tests.store.conftest import Backend
from tests.store.helpers import BASE, MINUTE, probes, reference, same_r1


def at(minute: float) -> float:
    return BASE + minute * MINUTE


def test_round_trip_gives_the_same_r1_and_the_failures_in_full(store: Store) -> None:
    written = probes("....xxxc...--...i") + probes("..x..", region="us-east")
    store.write(written)
    for got, want in zip(store.timelines(max_gap=300), reference(written), strict=True):
        same_r1(got, want)
    exported = list(store.results())
    failed = [r for r in exported if not r.ok]
    assert failed == [r for r in written if not r.ok]
    assert [r.durations for r in failed] == [{"login": 1.25, "total": 2.5}] * 6
    assert [r.ts for r in exported if r.ok] == [r.ts for r in written if r.ok]


def test_export_of_a_long_healthy_run_rebuilds_the_same_r1(store: Store) -> None:
    """Probes 60–120 s apart: the exported grid is not the original, R1 over it is."""
    stamps = [at(0)]
    for i in range(1, 200):
        stamps.append(stamps[-1] + (120.0 if i % 7 == 0 else 60.0))
    written = [ProbeResult(ts=ts, account="acme", region="eu-west", ok=True) for ts in stamps]
    store.write(written)
    exported = list(store.results())
    assert len(exported) == 200
    assert (exported[0].ts, exported[-1].ts) == (stamps[0], stamps[-1])
    same_r1(region_timeline("acme", "eu-west", exported, max_gap=300),
            reference(written)[0])


def test_results_since_until_select_by_ts(store: Store) -> None:
    store.write(probes("..xx.."))
    window = list(store.results(since=at(1), until=at(4)))
    assert [(r.ts, r.ok) for r in window] == [(at(1), True), (at(2), False), (at(3), False)]


def test_a_healthy_stretch_is_one_segment(store: Store) -> None:
    store.write(probes("." * 1440))
    assert store.segments("acme", "eu-west") == [
        Segment(
            first_ts=at(0),
            last_ts=at(1439),
            probes=1440,
            ok=True,
            max_step=MINUTE,
            prev_ts=at(1438),
        )
    ]


def test_segments_break_on_a_gap_longer_than_two_intervals(store: Store) -> None:
    store.write(probes("...-..--.xx-x---x"))
    assert store.segments("acme", "eu-west") == [
        Segment(
            first_ts=at(0), last_ts=at(5), probes=5, ok=True, max_step=2 * MINUTE, prev_ts=at(4)
        ),  # one missed round: same
        Segment(first_ts=at(8), last_ts=at(8), probes=1, ok=True),  # two missed: a new one
        Segment(
            first_ts=at(9), last_ts=at(12), probes=3, ok=False, max_step=2 * MINUTE, prev_ts=at(10)
        ),
        Segment(first_ts=at(16), last_ts=at(16), probes=1, ok=False),
    ]


def test_segments_break_at_max_gap_when_it_is_shorter(backend: Backend) -> None:
    store = backend.open(interval=60, max_gap=90)
    store.write(probes("..-.."))
    assert [s.probes for s in store.segments("acme", "eu-west")] == [2, 2]


def test_writing_the_same_results_twice_stores_them_once(store: Store) -> None:
    written = probes("...xx..x.i.")
    store.write(written)
    before = (store.segments("acme", "eu-west"), list(store.results()))
    store.write(written)
    store.write(written[3:6])
    assert (store.segments("acme", "eu-west"), list(store.results())) == before


def test_duplicates_in_one_batch_merge_failed_if_any(store: Store) -> None:
    ok, login, call = probes("."), probes("x"), probes("c")
    store.write([*ok, *login, *call, *ok])
    [kept] = [r for r in store.results() if not r.ok]
    assert (kept.step, kept.error) == ("call", "timeout")  # the smaller (step, error)
    assert store.timelines(max_gap=300)[0].probes == 1


def test_a_later_failure_at_the_latest_instant_turns_it_failed(store: Store) -> None:
    store.write(probes("....."))
    store.write(probes("----x"))
    written = probes(".....") + probes("----x")
    same_r1(store.timelines(max_gap=300)[0], reference(written)[0])
    assert not store.integrity_check()


@pytest.mark.parametrize(
    ("first", "late"),
    [
        ("....xx....", "-----.----"),  # a success inside a failed segment splits it
        ("...--.....", "---x------"),  # a failure in a gap
        ("...--.....", "----.-----"),  # a success bridging two ok segments
        ("...------x", "..x-------"),  # a failure at the end of an ok segment
        ("..........", "-----c----"),  # a failure on the grid of an ok segment
        ("----......", "x---------"),  # earlier than everything
        ("...xx.....", "---.c-----"),  # duplicates of failed instants change nothing
    ],
)
def test_late_probes_are_placed_where_they_belong(store: Store, first: str, late: str) -> None:
    store.write(probes(first))
    store.write(probes(late))
    same_r1(store.timelines(max_gap=300)[0], reference(probes(first) + probes(late))[0])
    assert not store.integrity_check()


def test_a_late_success_inside_an_ok_segment_counts_as_already_stored(store: Store) -> None:
    store.write(probes("......"))
    store.write([ProbeResult(ts=at(2.5), account="acme", region="eu-west", ok=True)])
    assert store.segments("acme", "eu-west") == [
        Segment(first_ts=at(0), last_ts=at(5), probes=6, ok=True, max_step=MINUTE, prev_ts=at(4))
    ]


def test_a_late_failure_between_grid_points_is_inserted(store: Store) -> None:
    store.write(probes("......"))
    store.write(
        [
            ProbeResult(
                ts=at(2.5), account="acme", region="eu-west", ok=False, step="call", error="timeout"
            )
        ]
    )
    assert store.segments("acme", "eu-west") == [
        Segment(
            first_ts=at(0), last_ts=at(2), probes=3, ok=True, max_step=MINUTE, prev_ts=None
        ),  # at(1) is a grid estimate
        Segment(first_ts=at(2.5), last_ts=at(2.5), probes=1, ok=False),
        Segment(first_ts=at(3), last_ts=at(5), probes=3, ok=True, max_step=MINUTE, prev_ts=at(4)),
    ]


def test_an_open_outage_continues_after_a_restart(backend: Backend) -> None:
    before, after = probes("...xxx"), probes("------xx..")
    backend.open().write(before)
    builder = backend.open().builders(max_gap=300)[("acme", "eu-west")]
    for probe in after:
        builder.add(probe.ts, probe.ok, probe.step, probe.error)
    timeline = builder.finish()
    same_r1(timeline, reference(before + after)[0])
    assert [(d.start, d.end) for d in timeline.down] == [(at(3), at(8))]


def test_timelines_refuse_a_max_gap_the_segments_were_not_cut_for(store: Store) -> None:
    store.write(probes("..-.."))
    with pytest.raises(StoreError, match=r"acme/eu-west: probes stored 120s apart"):
        store.timelines(max_gap=90)


def test_timelines_of_some_accounts(store: Store) -> None:
    store.write(probes("..", account="acme") + probes("x", account="globex"))
    assert [t.account for t in store.timelines(max_gap=300, accounts=["globex"])] == ["globex"]


def test_threads_writing_at_once_lose_nothing(store: Store) -> None:
    def agent(region: str) -> None:
        for minute in range(50):
            store.write(probes("." if minute % 9 else "x", start=at(minute), region=region))

    threads = [threading.Thread(target=agent, args=(f"r{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [t.probes for t in store.timelines(max_gap=300)] == [50] * 4
    assert not store.integrity_check()


def test_a_healthy_account_region_costs_well_under_1kb_a_day(backend: Backend) -> None:
    """A day of one-minute successes for 30 series, written an hour at a time."""
    backend.open("size")
    empty = backend.size("size")
    store = backend.open("size")
    regions = [f"region-{i}" for i in range(30)]
    for hour in range(24):
        minutes = range(hour * 60, hour * 60 + 60)
        store.write(
            [
                ProbeResult(ts=at(m), account="acme", region=r, ok=True)
                for m in minutes
                for r in regions
            ]
        )
    per_series_day = (backend.size("size") - empty) / len(regions)
    assert per_series_day < 1000
