"""SLA_RULES R3: maintenance windows are cut out of down time, splitting it.

Unless said otherwise the account is down [10:00, 10:20] on 2026-10-05 (UTC), 1200 s:
twenty failed probes a minute from 10:00 and a success at 10:20.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from probe.model import MaintenanceWindow, Span
from probe.sla.maintenance import occurrences
from tests.sla.sla_scenario import HOUR, MINUTE, figures, one_off, probes, utc, window

T = utc(2026, 10, 5, 10, 0)
DAY = window(utc(2026, 10, 5), utc(2026, 10, 6))
TWENTY = probes("x" * 20 + ".", T)
BERLIN = ZoneInfo("Europe/Berlin")


def at(minutes: float) -> float:
    return T + minutes * MINUTE


def sundays_at_two(timezone: str = "Europe/Berlin") -> MaintenanceWindow:
    return MaintenanceWindow(
        kind="scheduled", accounts=None, every="0 2 * * SUN", duration=HOUR, timezone=timezone
    )


def test_r3_maintenance_cuts_the_start() -> None:
    """R3: window [09:50, 10:03) → piece [10:03, 10:20], 1020 s, counted; 180 s excluded."""
    found = figures(TWENTY, DAY, maintenance=[one_off(at(-10), at(3))])
    assert found.unavailable_seconds == 1020.0
    assert found.excluded_seconds == 180.0
    assert found.observed_down_seconds == 1200.0


def test_r3_maintenance_cuts_the_end() -> None:
    """R3: window [10:15, 10:30) → piece [10:00, 10:15], 900 s; 300 s excluded."""
    found = figures(TWENTY, DAY, maintenance=[one_off(at(15), at(30))])
    assert (found.unavailable_seconds, found.excluded_seconds) == (900.0, 300.0)


def test_r3_maintenance_cuts_both_ends() -> None:
    """R3: [09:50, 10:03) and [10:17, 10:30) → piece [10:03, 10:17], 840 s; 360 s excluded."""
    windows = [one_off(at(-10), at(3)), one_off(at(17), at(30))]
    found = figures(TWENTY, DAY, maintenance=windows)
    (outage,) = found.outages
    assert (outage.start, outage.end) == (at(3), at(17))
    assert (found.unavailable_seconds, found.excluded_seconds) == (840.0, 360.0)


def test_r3_minute_of_maintenance_in_the_middle_leaves_two_short_pieces() -> None:
    """R3 + R4: a 10-minute outage [10:00, 10:10] with maintenance [10:04:30, 10:05:30)
    → [10:00, 10:04:30] and [10:05:30, 10:10], 270 s each: neither reaches five minutes.

    unavailable 0, short 540, excluded 60, observed 600.
    """
    ten = probes("x" * 10 + ".", T)
    found = figures(ten, DAY, maintenance=[one_off(at(4.5), at(5.5))])
    assert [(o.start, o.end, o.outage.counted) for o in found.outages] == [
        (at(0), at(4.5), False),
        (at(5.5), at(10), False),
    ]
    assert found.unavailable_seconds == 0.0
    assert found.short_outage_seconds == 540.0
    assert found.excluded_seconds == 60.0
    assert found.observed_down_seconds == 600.0


def test_r3_split_pieces_are_judged_one_by_one() -> None:
    """R3 + R4: maintenance [10:02, 10:03) → [10:00, 10:02] (120 s, short) and
    [10:03, 10:20] (1020 s, counted).
    """
    found = figures(TWENTY, DAY, maintenance=[one_off(at(2), at(3))])
    assert (found.unavailable_seconds, found.short_outage_seconds) == (1020.0, 120.0)
    assert found.excluded_seconds == 60.0


def test_r3_overlapping_windows_are_not_excluded_twice() -> None:
    """R3: [10:02, 10:08) and [10:05, 10:12) together cover [10:02, 10:12): 600 s excluded
    (not 360 + 420). Left: [10:00, 10:02] short 120 s, [10:12, 10:20] counted 480 s.
    """
    windows = [one_off(at(2), at(8)), one_off(at(5), at(12))]
    found = figures(TWENTY, DAY, maintenance=windows)
    assert found.excluded_seconds == 600.0
    assert (found.unavailable_seconds, found.short_outage_seconds) == (480.0, 120.0)


def test_r3_maintenance_covering_the_outage_leaves_nothing() -> None:
    """R3: a window [09:00, 11:00) removes all 1200 s; no outage is left."""
    found = figures(TWENTY, DAY, maintenance=[one_off(at(-60), at(60))])
    assert found.outages == ()
    assert (found.unavailable_seconds, found.excluded_seconds) == (0.0, 1200.0)


@pytest.mark.parametrize("kind", ["scheduled", "emergency", "customer_request"])
def test_r3_every_kind_is_excluded(kind: str) -> None:
    """R3 / FAQ: scheduled, emergency and customer-request maintenance are all excluded."""
    found = figures(TWENTY, DAY, maintenance=[one_off(at(15), at(30), kind=kind)])
    assert found.unavailable_seconds == 900.0


@pytest.mark.parametrize(
    ("accounts", "unavailable"),
    [(None, 900.0), (["acme"], 900.0), (["acme", "globex"], 900.0), (["globex"], 1200.0)],
)
def test_r3_window_applies_only_to_its_accounts(
    accounts: list[str] | None, unavailable: float
) -> None:
    """R3: "accounts (names, or "*")": a globex-only window leaves acme's 1200 s alone."""
    found = figures(TWENTY, DAY, maintenance=[one_off(at(15), at(30), accounts=accounts)])
    assert found.unavailable_seconds == unavailable


def test_r3_cron_window_stays_at_local_two_across_the_autumn_change() -> None:
    """R3: "0 2 * * SUN" in Europe/Berlin, 1 h: 02:00 on the wall clock every Sunday.

    Sun 2026-10-18 02:00 CEST = 00:00 UTC; Sun 2026-11-01 02:00 CET = 01:00 UTC.
    """
    span = Span(utc(2026, 10, 12), utc(2026, 11, 8))
    found = list(occurrences(sundays_at_two(), span))
    starts = [s.start for s in found]
    assert utc(2026, 10, 18, 0) in starts
    assert utc(2026, 11, 1, 1) in starts
    assert all(s.seconds == HOUR for s in found)
    local = [datetime.fromtimestamp(s, tz=BERLIN) for s in starts]
    assert {(t.weekday(), t.hour, t.minute) for t in local} == {(6, 2, 0)}


def test_r3_cron_window_stays_at_local_two_across_the_spring_change() -> None:
    """R3: Sun 2026-03-22 02:00 CET = 01:00 UTC; Sun 2026-04-05 02:00 CEST = 00:00 UTC."""
    span = Span(utc(2026, 3, 16), utc(2026, 4, 12))
    starts = [s.start for s in occurrences(sundays_at_two(), span)]
    assert utc(2026, 3, 22, 1) in starts
    assert utc(2026, 4, 5, 0) in starts


def test_r3_cron_window_fires_once_on_each_dst_change_day() -> None:
    """R3, a case the rules leave open: 02:00 happens twice on 2026-10-25 and not at all on
    2026-03-29 in Berlin. Whatever instant is chosen, there is exactly one window that day.
    """
    for day in (datetime(2026, 3, 29, tzinfo=UTC), datetime(2026, 10, 25, tzinfo=UTC)):
        span = Span(day.timestamp() - 6 * HOUR, day.timestamp() + 18 * HOUR)
        assert len(list(occurrences(sundays_at_two(), span))) == 1


def test_r3_cron_window_in_its_own_zone_removes_down_time() -> None:
    """R3: down 00:50–01:30 UTC on Sun 2026-11-01 (01:50–02:30 CET).

    The Berlin window is [01:00, 02:00) UTC → piece [00:50, 01:00], 600 s counted,
    1800 s excluded. The same cron in UTC ([02:00, 03:00) UTC) misses it: 2400 s.
    """
    start = utc(2026, 11, 1, 0, 50)
    results = probes("x" * 40 + ".", start)
    day = window(utc(2026, 11, 1), utc(2026, 11, 2))
    berlin = figures(results, day, maintenance=[sundays_at_two()])
    assert (berlin.unavailable_seconds, berlin.excluded_seconds) == (600.0, 1800.0)
    in_utc = figures(results, day, maintenance=[sundays_at_two("UTC")])
    assert (in_utc.unavailable_seconds, in_utc.excluded_seconds) == (2400.0, 0.0)


def test_r3_cron_window_in_summer_time() -> None:
    """R3: down Sat 2026-10-17 23:50 → Sun 00:30 UTC; 02:00 CEST = 00:00 UTC, so
    [00:00, 00:30] is excluded (1800 s) and [23:50, 00:00] counts (600 s).
    """
    results = probes("x" * 40 + ".", utc(2026, 10, 17, 23, 50))
    weekend = window(utc(2026, 10, 17), utc(2026, 10, 19))
    found = figures(results, weekend, maintenance=[sundays_at_two()])
    assert (found.unavailable_seconds, found.excluded_seconds) == (600.0, 1800.0)
