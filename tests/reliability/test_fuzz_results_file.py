"""Fuzzing the results-file reader: any bytes are a report or one line naming the line.

Files are mixes of good lines, lines with one field replaced by any JSON value, JSON of
any shape, and raw bytes. Each goes through ``report --results`` in process, as an
operator would run it, in every output format: exit 0 with a report, or exit 2 with one
line ``FILE: line N: what is wrong`` — never a traceback.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probe.cli import main
from probe.reports import RENDERERS
from probe.results_file import ResultsFileError, read_timelines

GOOD = {"ts": "2026-10-05T10:00:00Z", "account": "acme", "region": "eu-west", "ok": False,
        "step": "login", "error": "http_503"}
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=10)
    | st.sampled_from(["2026-10-05T10:00:00Z", "2026-10-05T10:00:00", "2026-10-31T23:59:59+14:00",
                       "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1e309", "", " ",
                       "<script>", "\x00", "auth_rejected", "internal"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=6)
FIELDS = st.sampled_from(sorted(GOOD))


@st.composite
def a_line(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["good", "field", "missing", "json", "bytes"]))
    record: dict[str, Any] = dict(GOOD)
    record["ts"] = draw(st.integers(1_790_000_000, 1_790_100_000)) if draw(st.booleans()) \
        else GOOD["ts"]
    record["ok"] = draw(st.booleans())
    if kind == "field":
        record[draw(FIELDS)] = draw(JSON)
    elif kind == "missing":
        record.pop(draw(FIELDS))
    elif kind == "json":
        return json.dumps(draw(JSON)).encode()
    elif kind == "bytes":
        return draw(st.binary(max_size=40)).replace(b"\n", b" ")
    return json.dumps(record).encode()


FILES = st.lists(a_line(), max_size=8).map(lambda lines: b"\n".join(lines) + b"\n")
ONE_LINE = re.compile(r"^(?P<file>\S+): (line (?P<line>\d+): )?\S.*$")


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=FILES, format_=st.sampled_from(sorted(RENDERERS)))
def test_any_file_is_a_report_or_one_line_naming_the_line(
        content: bytes, format_: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "results.jsonl"
    path.write_bytes(content)
    code = main(["report", "--results", str(path), "--month", "2026-10", "--format", format_])
    out, err = capsys.readouterr()
    if code == 0:
        assert out
        return
    assert code == 2, err
    (line,) = err.splitlines()
    match = ONE_LINE.match(line)
    assert match is not None, line
    assert match["file"] == str(path)
    with pytest.raises(ResultsFileError) as caught:
        read_timelines(str(path), max_gap=300)
    assert caught.value.line is not None
    assert 1 <= caught.value.line <= content.count(b"\n")
    assert match["line"] == str(caught.value.line)


@pytest.mark.parametrize("line", [
    b'{"ts": 1e300, "account": "a", "region": "r", "ok": false, "step": "login", '
    b'"error": "x"}',
    b'{"ts": "9999-12-31T23:59:59-14:00", "account": "a", "region": "r", "ok": true}',
    b'{"ts": -1e18, "account": "a", "region": "r", "ok": false, "step": "call", "error": "x"}',
    b'{"ts": "2026-10-05T10:00:00Z", "account": "a\\u0000b", "region": "\\r", "ok": false, '
    b'"step": "<script>", "error": "\\n"}',
    b"\xef\xbb\xbf" + json.dumps(GOOD).encode(),
])
def test_extreme_lines(line: bytes, tmp_path: Path,
                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "results.jsonl"
    path.write_bytes(line + b"\n")
    for format_ in sorted(RENDERERS):
        code = main(["report", "--results", str(path), "--month", "2026-10",
                     "--format", format_])
        _, err = capsys.readouterr()
        assert code in (0, 2)
        assert len(err.splitlines()) == (code == 2), err
