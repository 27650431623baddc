"""Reading the Statuspage JSON: times, the real end, components, and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probe.statuspage.parse import FeedError, parse_feed
from tests.helpers import at
from tests.statuspage.feeds import feed, item


def test_an_item_becomes_a_window_from_scheduled_for_to_scheduled_until() -> None:
    parsed = parse_feed(feed(item("m1", "2026-10-20T02:00:00.000Z", "2026-10-20T04:00:00.000Z",
                                  name="Database upgrade")))
    (found,) = parsed.items
    assert (found.id, found.name, found.status) == ("m1", "Database upgrade", "scheduled")
    assert (found.start, found.end) == (at("2026-10-20T02:00"), at("2026-10-20T04:00"))
    assert found.announced_at == at("2026-10-01T09:00")
    assert [(c.id, c.name) for c in found.components] == [("c1", "Video Calling")]
    assert parsed.problems == ()


def test_resolved_at_is_the_end_when_it_is_earlier() -> None:
    early = item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z", status="completed",
                 resolved="2026-10-20T02:45:00Z")
    late = item("m2", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z", status="completed",
                resolved="2026-10-20T05:30:00Z")
    first, second = parse_feed(feed(early, late)).items
    assert first.end == at("2026-10-20T02:45")
    assert second.end == at("2026-10-20T04:00")  # an overrun is not announced maintenance


def test_offsets_other_than_utc() -> None:
    (found,) = parse_feed(feed(item("m1", "2026-10-19T19:00:00.000-07:00",
                                    "2026-10-19T21:00:00-07:00"))).items
    assert (found.start, found.end) == (at("2026-10-20T02:00"), at("2026-10-20T04:00"))


def test_resolved_before_it_began_is_void() -> None:
    (found,) = parse_feed(feed(item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z",
                                    resolved="2026-10-19T12:00:00Z"))).items
    assert found.void


@pytest.mark.parametrize(("wanted", "matches"), [
    ((), True),
    (("Video Calling",), True),
    (("video calling ",), True),
    (("c1",), True),
    (("Chat",), False),
    (("C1",), False),  # ids compare exactly
])
def test_the_component_filter(wanted: tuple[str, ...], matches: bool) -> None:
    (found,) = parse_feed(feed(item("m1", "2026-10-20T02:00:00Z",
                                    "2026-10-20T04:00:00Z"))).items
    assert found.matches(wanted) is matches


def test_an_item_naming_no_component_does_not_match_a_filter() -> None:
    (found,) = parse_feed(feed(item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z",
                                    components=()))).items
    assert found.matches(())
    assert not found.matches(("Video Calling",))


def test_without_created_at_the_announcement_is_unknown() -> None:
    (found,) = parse_feed(feed(item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z",
                                    created=None))).items
    assert found.announced_at is None


@pytest.mark.parametrize(("change", "problem"), [
    ({"scheduled_for": None}, "scheduled_for: expected a time like '2026-10-05T10:00:00Z', "
                              "got None"),
    ({"scheduled_until": "2026-10-20 04:00"}, "scheduled_until: time '2026-10-20 04:00' has "
                                              "no UTC offset"),
    ({"scheduled_until": "2026-10-20T01:00:00Z"}, "scheduled_until must be after scheduled_for"),
    ({"resolved_at": 17}, "resolved_at: expected a time"),
    ({"name": None}, "name: expected a string, got None"),
    ({"components": {"id": "c1"}}, "components: expected a list"),
    ({"components": [{"id": "c1"}]}, "components[0]: expected {id, name} strings"),
    ({"id": ""}, "id: must be a non-empty string"),
])
def test_a_bad_item_is_one_problem_and_the_others_count(
    change: dict[str, Any], problem: str
) -> None:
    bad = {**item("bad", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z"), **change}
    good = item("good", "2026-10-21T02:00:00Z", "2026-10-21T04:00:00Z")
    parsed = parse_feed(feed(bad, good))
    assert [i.id for i in parsed.items] == ["good"]
    (said,) = parsed.problems
    assert said.startswith("scheduled_maintenances[0]")
    assert problem in said
    assert "\n" not in said
    if change.get("id") != "":
        assert "bad" in parsed.seen  # a bad item is not a cancelled one


def test_an_id_listed_twice_keeps_the_first() -> None:
    parsed = parse_feed(feed(item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z"),
                             item("m1", "2026-10-22T02:00:00Z", "2026-10-22T04:00:00Z")))
    assert [i.start for i in parsed.items] == [at("2026-10-20T02:00")]
    assert parsed.problems == ("scheduled_maintenances[1] (id 'm1'): id listed twice; "
                               "the first is kept",)


@pytest.mark.parametrize("document", [
    None, [], "maintenance", {"incidents": []}, {"scheduled_maintenances": {"m1": {}}},
])
def test_a_document_of_another_shape_is_a_feed_error(document: Any) -> None:
    with pytest.raises(FeedError):
        parse_feed(document)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=6),
    max_leaves=30,
)
TIMES = st.sampled_from(["2026-10-20T02:00:00Z", "2026-10-20T04:00:00.000+00:00",
                         "2026-10-19T20:00:00-07:00", "2026-10-20", "", "soon"])
FIELD = st.one_of(JSON, TIMES)
ITEM = st.fixed_dictionaries(
    {}, optional={"id": st.text(max_size=5) | JSON, "name": FIELD, "status": FIELD,
                  "scheduled_for": FIELD, "scheduled_until": FIELD, "resolved_at": FIELD,
                  "created_at": FIELD,
                  "components": st.lists(st.fixed_dictionaries(
                      {}, optional={"id": FIELD, "name": FIELD}), max_size=3) | JSON})


@given(st.lists(ITEM | JSON, max_size=6))
def test_any_list_of_items_parses_without_raising(listed: list[Any]) -> None:
    parsed = parse_feed({"scheduled_maintenances": listed})
    assert len(parsed.items) + len(parsed.problems) == len(listed)
    assert {i.id for i in parsed.items} <= parsed.seen
    for found in parsed.items:
        assert found.id
        assert found.void == (found.end <= found.start)
    assert all("\n" not in problem for problem in parsed.problems)


@given(JSON)
def test_any_document_is_parsed_or_a_feed_error(document: Any) -> None:
    message = ""
    try:
        parse_feed(document)
    except FeedError as exc:
        message = str(exc)
    assert "\n" not in message
