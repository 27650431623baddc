"""Reading results files: streaming when ordered, correct when not, exact errors when bad."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from probe.results_file import ResultsFileError, read_timelines
from tests.helpers import at, minutes, write_jsonl


def spans(path: Path) -> dict[tuple[str, str], list[tuple[float, float, bool]]]:
    timelines, _ = read_timelines(str(path), max_gap=300)
    return {(t.account, t.region): [(d.start, d.end, d.open) for d in t.down] for t in timelines}


def test_ordered_file_is_streamed(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", minutes("2026-10-05T09:58", "..xxxxx..x"))
    timelines, stats = read_timelines(str(path), max_gap=300)
    assert not stats.sorted_fallback
    assert (stats.lines, stats.results) == (10, 10)
    (timeline,) = timelines
    assert [(d.start, d.end, d.open) for d in timeline.down] == [
        (at("2026-10-05T10:00"), at("2026-10-05T10:05"), False),
        (at("2026-10-05T10:07"), at("2026-10-05T10:07"), True),
    ]


def test_shuffled_file_gives_the_same_timelines(tmp_path: Path) -> None:
    records = minutes("2026-10-05T09:58", "..xxxxx..x.x..xxxxxxx...") + minutes(
        "2026-10-05T09:58", ".xx.xxx..", region="us-east"
    )
    ordered = spans(write_jsonl(tmp_path / "a.jsonl", records))
    random.Random(3).shuffle(records)
    path = write_jsonl(tmp_path / "b.jsonl", records)
    _, stats = read_timelines(str(path), max_gap=300)
    assert stats.sorted_fallback
    assert spans(path) == ordered


def test_duplicates_arriving_in_order_merge_failed_if_any_failed(tmp_path: Path) -> None:
    ok = minutes("2026-10-05T10:00", "...")
    failed = minutes("2026-10-05T10:01", "x")
    path = write_jsonl(tmp_path / "r.jsonl", [ok[0], ok[1], failed[0], ok[2]])
    assert spans(path)[("acme", "eu-west")] == [
        (at("2026-10-05T10:01"), at("2026-10-05T10:02"), False)
    ]


def test_account_filter(tmp_path: Path) -> None:
    records = minutes("2026-10-05T10:00", "x.", account="acme") + minutes(
        "2026-10-05T10:00", "x.", account="globex"
    )
    path = write_jsonl(tmp_path / "r.jsonl", records)
    timelines, _ = read_timelines(str(path), max_gap=300, accounts=["globex"])
    assert [t.account for t in timelines] == ["globex"]


def test_epoch_seconds_and_offsets_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(
        '{"ts": 1791194400, "account": "a", "region": "r", "ok": false, "step": "login", '
        '"error": "dns"}\n'
        '{"ts": "2026-10-05T12:01:00+02:00", "account": "a", "region": "r", "ok": true}\n'
    )
    assert spans(path)[("a", "r")] == [(1791194400.0, 1791194460.0, False)]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"account": "a", "region": "r", "ok": true}', "'ts' is missing"),
        ('{"ts": "2026-10-05T10:00:00Z", "region": "r", "ok": true}', "'account' is missing"),
        ('{"ts": "2026-10-05T10:00:00Z", "account": "a", "region": "r", "ok": "yes"}',
         "'ok' must be true or false, got 'yes'"),
        ('{"ts": "2026-10-05T10:00:00Z", "account": "", "region": "r", "ok": true}',
         "'account' must be a non-empty string"),
        ('{"ts": "2026-10-05T10:00:00Z", "account": "a", "region": 3, "ok": true}',
         "'region' must be a non-empty string, got 3"),
        ('{"ts": "2026-10-05T10:00:00Z", "account": "a", "region": "r", "ok": false, '
         '"error": 503}', "'error' must be a string or null, got 503"),
        ('{"ts": "2026-10-05T10:00:00", "account": "a", "region": "r", "ok": true}',
         "'ts' has no UTC offset"),
        ('{"ts": "yesterday", "account": "a", "region": "r", "ok": true}',
         "'ts' is not an RFC 3339 time"),
        ('{"ts": true, "account": "a", "region": "r", "ok": true}',
         "'ts' must be an RFC 3339 time or epoch seconds"),
    ],
)
def test_a_bad_line_is_named(tmp_path: Path, line: str, message: str) -> None:
    good = '{"ts": "2026-10-05T10:00:00Z", "account": "a", "region": "r", "ok": true}\n'
    path = tmp_path / "r.jsonl"
    path.write_text(good + "\n" + line + "\n")
    with pytest.raises(ResultsFileError) as caught:
        read_timelines(str(path), max_gap=300)
    assert str(caught.value).startswith(f"{path}: line 3: ")
    assert message in str(caught.value)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ResultsFileError, match=r"absent\.jsonl: cannot read"):
        read_timelines(str(tmp_path / "absent.jsonl"), max_gap=300)
