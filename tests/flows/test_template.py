"""Templates and JSON paths."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probe.credentials import Secret
from probe.flows._template import MissingVariable, lookup, render_json, render_text
from probe.flows.errors import BadResponse

VARIABLES: dict[str, Any] = {"user.username": "alice", "user.password": Secret("pw"),
                             "n": 7, "flag": False, "none": None}


@pytest.mark.parametrize(("text", "expected"), [
    ("plain", "plain"),
    ("${user.username}:${user.password}", "alice:pw"),
    ("n=${n} flag=${flag} none=${none}", "n=7 flag=false none=null"),
    ("cost $$5, $${user.username}", "cost $5, ${user.username}"),
    ("a lone $ sign", "a lone $ sign"),
])
def test_render_text(text: str, expected: str) -> None:
    assert render_text(text, VARIABLES) == expected


def test_render_json_keeps_the_type_of_a_whole_placeholder() -> None:
    body = {"n": "${n}", "s": "#${n}", "f": "${flag}", "list": ["${user.password}", 1.5],
            "${n}": "keys stay"}
    assert render_json(body, VARIABLES) == {
        "n": 7, "s": "#7", "f": False, "list": ["pw", 1.5], "${n}": "keys stay"}


def test_a_missing_variable_is_named() -> None:
    with pytest.raises(MissingVariable, match="token"):
        render_text("Bearer ${token}", VARIABLES)


DOCUMENT = {"a": {"b": [{"c": 1}, {"c": [10, 20]}]}, "x.y": 3, "": 0}


@pytest.mark.parametrize(("path", "expected"), [
    ("a.b[0].c", 1), ("a.b[1].c[1]", 20), ("a.b", DOCUMENT["a"]["b"]),
])
def test_lookup(path: str, expected: Any) -> None:
    assert lookup(DOCUMENT, path) == expected


@pytest.mark.parametrize("path", ["a.z", "a.b[2]", "a.b.c", "a[0]", "a.b[0].c.d"])
def test_lookup_of_a_missing_path_is_bad_response(path: str) -> None:
    with pytest.raises(BadResponse, match="answer has no"):
        lookup(DOCUMENT, path)


keys = st.text(alphabet="abcdefgh_XYZ019-", min_size=1, max_size=6)


@given(st.lists(st.one_of(keys, st.integers(0, 3)), min_size=1, max_size=6), st.integers())
def test_lookup_finds_what_was_nested(path: list[str | int], leaf: int) -> None:
    document: Any = leaf
    for part in reversed(path):
        document = [None] * part + [document] if isinstance(part, int) else {part: document}
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    assert lookup(document, text) == leaf
