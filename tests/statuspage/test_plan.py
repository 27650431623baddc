"""What a poll changes in the store: kinds, replacement, persistence, cancellation."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from probe.statuspage.parse import parse_feed
from probe.statuspage.plan import ImportRules, Plan, plan
from probe.store.base import StoredWindow
from tests.helpers import at
from tests.statuspage.feeds import feed, item

RULES = ImportRules(page="https://status.example.com", notice=86400.0)
NOW = at("2026-10-15T12:00")
PREFIX = "statuspage:status.example.com:"


def apply(stored: list[StoredWindow], changes: Plan) -> list[StoredWindow]:
    """The plan applied to a list, as the poller applies it to a store."""
    kept = {w.id: w for w in stored if w.id not in changes.delete}
    kept.update({w.id: w for w in changes.put})
    return sorted(kept.values(), key=lambda w: w.id)


def run(stored: list[StoredWindow], document: dict[str, Any], *, now: float = NOW,
        rules: ImportRules = RULES) -> list[StoredWindow]:
    return apply(stored, plan(stored, parse_feed(document), rules, now=now))


def test_a_listed_maintenance_is_stored_as_scheduled() -> None:
    (window,) = run([], feed(item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z",
                                  name="Database upgrade")))
    assert window == StoredWindow(
        id=PREFIX + "m1", kind="scheduled", accounts=None, start=at("2026-10-20T02:00"),
        end=at("2026-10-20T04:00"), name="Database upgrade",
        created_at=at("2026-10-01T09:00"), source="statuspage")


def test_announced_less_than_the_notice_ahead_is_emergency() -> None:
    short = item("m1", "2026-10-20T02:00:00Z", "2026-10-20T03:00:00Z",
                 created="2026-10-19T12:00:00Z")  # 14 hours ahead, notice 24 h
    exactly = item("m2", "2026-10-21T02:00:00Z", "2026-10-21T03:00:00Z",
                   created="2026-10-20T02:00:00Z")  # exactly 24 h: enough
    first, second = run([], feed(short, exactly))
    assert (first.kind, second.kind) == ("emergency", "scheduled")


def test_without_created_at_the_first_sight_is_the_announcement() -> None:
    document = feed(item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z", created=None))
    (early,) = run([], document, now=at("2026-10-10T00:00"))
    assert (early.kind, early.created_at) == ("scheduled", at("2026-10-10T00:00"))
    (still,) = run([early], document, now=at("2026-10-19T23:00"))
    assert still == early  # first sight is kept, so the kind does not flip later
    (late,) = run([], document, now=at("2026-10-19T23:00"))
    assert late.kind == "emergency"


def test_a_changed_maintenance_replaces_its_window() -> None:
    (window,) = run([], feed(item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z")))
    done = item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z", status="completed",
                resolved="2026-10-20T02:40:00Z")
    changes = plan([window], parse_feed(feed(done)), RULES, now=at("2026-10-20T05:00"))
    assert changes.delete == ()
    assert [w.end for w in changes.put] == [at("2026-10-20T02:40")]


def test_an_unchanged_list_changes_nothing() -> None:
    document = feed(item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z"))
    stored = run([], document)
    assert plan(stored, parse_feed(document), RULES, now=NOW) == Plan(put=(), delete=())


def test_a_window_that_dropped_off_the_list_stays() -> None:
    old = item("old", "2026-09-01T02:00:00Z", "2026-09-01T04:00:00Z",
               created="2026-08-01T00:00:00Z")
    new = item("new", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z")
    (kept,) = run([], feed(old))
    (added,) = run([], feed(new))
    assert run([kept], feed(new)) == [added, kept]


def test_a_future_window_gone_from_the_list_was_cancelled() -> None:
    stored = run([], feed(item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z")))
    assert run(stored, feed(), now=at("2026-10-19T00:00")) == []
    assert run(stored, feed(), now=at("2026-10-20T03:00")) == stored  # started: kept


def test_resolved_before_it_began_removes_the_window() -> None:
    stored = run([], feed(item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z")))
    never = item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z", status="completed",
                 resolved="2026-10-19T18:00:00Z")
    assert run(stored, feed(never), now=at("2026-10-21T00:00")) == []
    assert run([], feed(never)) == []


def test_an_unreadable_item_leaves_its_window_alone() -> None:
    stored = run([], feed(item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z")))
    broken = {**item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z"),
              "scheduled_until": "tomorrow"}
    assert run(stored, feed(broken), now=at("2026-10-19T00:00")) == stored


def test_only_matching_components_and_the_named_accounts() -> None:
    rules = replace(RULES, components=("Video Calling",), accounts=frozenset({"acme"}))
    chat = item("chat", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z",
                components=(("c9", "Chat"),))
    video = item("video", "2026-10-21T02:00:00Z", "2026-10-21T04:00:00Z")
    (window,) = run([], feed(chat, video), rules=rules)
    assert (window.id, window.accounts) == (PREFIX + "video", frozenset({"acme"}))


def test_other_pages_and_the_api_are_not_touched() -> None:
    api = StoredWindow(id="f00", kind="emergency", accounts=None, start=at("2026-10-25T00:00"),
                       end=at("2026-10-25T01:00"), name="", created_at=NOW, source="api")
    other = replace(api, id="statuspage:status.other.example:m1", source="statuspage")
    assert run([api, other], feed()) == [api, other]


def test_the_page_key_ignores_scheme_credentials_and_the_feed_path() -> None:
    for page in ("http://status.example.com/", "https://user:secret@status.example.com",
                 "https://status.example.com/api/v2/scheduled-maintenances.json?x=1"):
        rules = replace(RULES, page=page)
        (window,) = run([], feed(item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z")),
                        rules=rules)
        assert window.id == PREFIX + "m1"


IDS = st.sampled_from(["a", "b", "c", "d"])
HOURS = st.integers(min_value=0, max_value=72)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    items = []
    for ident in draw(st.lists(IDS, unique=True, max_size=4)):
        start, length = draw(HOURS), draw(st.integers(min_value=1, max_value=6))
        resolved = draw(st.none() | st.integers(min_value=-2, max_value=8))
        items.append(item(
            ident, _hour(start), _hour(start + length),
            resolved=None if resolved is None else _hour(start + resolved)))
    return feed(*items)


def _hour(offset: int) -> str:
    return f"2026-10-{18 + offset // 24:02d}T{offset % 24:02d}:00:00Z"


@given(st.lists(documents(), min_size=1, max_size=4), st.lists(HOURS, min_size=4, max_size=4))
def test_stored_windows_always_say_what_the_page_last_said(
    answers: list[dict[str, Any]], hours: list[int]
) -> None:
    """Whatever the sequence of answers: each listed, non-void item is stored exactly as
    the last answer has it; nothing that started is ever lost; ids stay unique."""
    stored: list[StoredWindow] = []
    for answer, hour in zip(answers, sorted(hours), strict=False):
        now = at(_hour(hour)[:-4])
        before = stored
        stored = run(stored, answer, now=now)
        listed = {i.id: i for i in parse_feed(answer).items if not i.void}
        by_id = {w.id: w for w in stored}
        assert len(by_id) == len(stored)
        for ident, found in listed.items():
            window = by_id[PREFIX + ident]
            assert (window.start, window.end) == (found.start, found.end)
        void = {PREFIX + i.id for i in parse_feed(answer).items if i.void}
        for window in before:
            if window.start <= now and window.id not in void:
                assert window.id in by_id
