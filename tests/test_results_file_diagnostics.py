"""The optional ``diagnostics`` of a results file: written, read back, checked per line."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from probe.model import DiagnosticFile, ProbeResult
from probe.results_file import (
    ResultsFileError,
    diagnostics_of,
    read_timelines,
    result_record,
    write_results,
)

SHA = "ab" * 32
SHOT = DiagnosticFile(kind="screenshot", path="acme/eu-west/20261005T100000.000Z-1/screenshot.png",
                      sha256=SHA, size=1234)
TRACE = DiagnosticFile(kind="trace", path="acme/eu-west/20261005T100000.000Z-2/trace.zip",
                       sha256="cd" * 32, size=0)
FAILED = ProbeResult(ts=1_790_000_000.0, account="acme", region="eu-west", ok=False,
                     step="call", error="ice_failed", durations={"login": 1.5},
                     diagnostics=(SHOT, TRACE))


def line(**changes: Any) -> str:
    record = {"ts": "2026-10-05T10:00:00Z", "account": "acme", "region": "eu-west",
              "ok": False, "step": "call", "error": "no_media", **changes}
    return json.dumps(record) + "\n"


def test_written_only_when_there_are_some() -> None:
    assert result_record(FAILED)["diagnostics"] == [
        {"kind": "screenshot", "path": SHOT.path, "sha256": SHA, "size": 1234},
        {"kind": "trace", "path": TRACE.path, "sha256": "cd" * 32, "size": 0},
    ]
    ok = ProbeResult(ts=1.0, account="acme", region="eu-west", ok=True)
    assert "diagnostics" not in result_record(ok)


def test_a_written_line_reads_back_as_the_same_files(tmp_path: Path) -> None:
    out = io.StringIO()
    write_results([FAILED], out)
    record = json.loads(out.getvalue())
    assert diagnostics_of(record["diagnostics"], "r.jsonl", 1) == (SHOT, TRACE)
    path = tmp_path / "r.jsonl"
    path.write_text(out.getvalue())
    (timeline,), stats = read_timelines(str(path), max_gap=300)
    assert (stats.results, len(timeline.down)) == (1, 1)


@pytest.mark.parametrize("value", [None, []])
def test_null_or_empty_means_none(value: object, tmp_path: Path) -> None:
    assert diagnostics_of(value, "r.jsonl", 1) == ()
    path = tmp_path / "r.jsonl"
    path.write_text(line(diagnostics=value))
    read_timelines(str(path), max_gap=300)


GOOD = {"kind": "screenshot", "path": "a/b/c.png", "sha256": SHA, "size": 5}


@pytest.mark.parametrize(("value", "message"), [
    ({"kind": "x"}, "'diagnostics' must be a list of files or null, got {'kind': 'x'}"),
    ("screenshot.png", "'diagnostics' must be a list of files or null, got 'screenshot.png'"),
    ([GOOD, "x"], "'diagnostics[1]' must be an object with kind, path, sha256 and size, "
                  "got 'x'"),
    ([{**GOOD, "sha256": None}], "'diagnostics[0].sha256' must be 64 lowercase hex digits, "
                                 "got None"),
    ([{**GOOD, "sha256": "AB" * 32}], "'diagnostics[0].sha256' must be 64 lowercase hex "
                                      "digits, got 'ABAB"),
    ([{k: v for k, v in GOOD.items() if k != "size"}], "'diagnostics[0].size' is missing"),
    ([{**GOOD, "size": -1}], "'diagnostics[0].size' must be a whole number of bytes, got -1"),
    ([{**GOOD, "size": True}], "'diagnostics[0].size' must be a whole number of bytes, "
                               "got True"),
    ([{**GOOD, "size": 1.5}], "'diagnostics[0].size' must be a whole number of bytes"),
    ([{**GOOD, "kind": ""}], "'diagnostics[0].kind' must be a non-empty string, got ''"),
    ([{**GOOD, "path": "../../etc/passwd"}], "'diagnostics[0].path' must be a relative path "
                                             "inside the diagnostics directory"),
    ([{**GOOD, "path": "/etc/passwd"}], "'diagnostics[0].path' must be a relative path"),
    ([{**GOOD, "path": "a/./b"}], "'diagnostics[0].path' must be a relative path"),
    ([{**GOOD, "path": "a\\b"}], "'diagnostics[0].path' must be a relative path"),
    ([{**GOOD, "path": "a//b"}], "'diagnostics[0].path' must be a relative path"),
    ([{**GOOD, "path": 7}], "'diagnostics[0].path' must be a relative path"),
    ([{**GOOD, "path": "a/b\nc"}], "'diagnostics[0].path' must be a relative path"),
])
def test_a_bad_shape_is_one_line_naming_file_line_and_field(
    value: object, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(line() + line(diagnostics=value))
    with pytest.raises(ResultsFileError) as caught:
        read_timelines(str(path), max_gap=300)
    text = str(caught.value)
    assert text.startswith(f"{path}: line 2: {message}")
    assert "\n" not in text
    assert caught.value.line == 2


def test_a_long_bad_value_is_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(line(diagnostics="x" * 5000))
    with pytest.raises(ResultsFileError) as caught:
        read_timelines(str(path), max_gap=300)
    assert len(str(caught.value)) < len(str(path)) + 150
