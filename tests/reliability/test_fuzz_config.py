"""Fuzzing the config loader: any YAML document is a valid config or one-line errors.

Three kinds of documents: the example config with one value replaced, removed or an
unknown key added anywhere (deep validation); random structures over the config's own
key names (shapes nobody writes); and raw text (the YAML parser's errors). Each goes
through ``check-config`` in process, as an operator would run it: exit 0 with a summary,
or exit 2 with one line per problem, each naming the file, and naming the key path
whenever the document parsed — never a traceback, never a 1.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probe.cli import main
from probe.config import ConfigError, ConfigProblem, load_config

EXAMPLE = yaml.safe_load(Path("config/example.yaml").read_text())
EXAMPLE["target"].update({
    "step_timeout": "15s", "api_key_env": "KEY", "tls_verify": True,
    "hosts": {"login": "https://login.example", "meeting": "https://meeting.example"},
    "lifesize": {"poll": {"every": "1s", "until": {"state": "connected"}},
                 "hangup": None}})

KEYS = sorted({
    "agent", "target", "accounts", "sla", "maintenance", "region", "listen", "database",
    "interval", "jitter", "concurrency", "api_token_env", "api_token_file", "name",
    "regions", "timezone", "users", "username", "password_env", "password_file",
    "password", "objective", "min_outage", "quorum", "max_gap", "credits", "below",
    "percent", "claim_within", "windows", "kind", "start", "end", "every", "duration",
    "flow", "timeout", "step_timeout", "hosts", "login", "meeting", "vars", "lifesize",
    "steps", "step", "method", "url", "headers", "json", "form", "status", "reject",
    "expect", "extract", "until", "follow_redirects", "tls_verify", "create", "poll",
    "hangup", "max_body_bytes", "cleanup_timeout", "user_agent"})

PLAUSIBLE = st.sampled_from([
    "5m", "90s", "0s", "-1m", "1h30m", "1e309", "2026-10-05T10:00:00Z", "2026-13-40T25:00:00Z",
    "2026-10-05T10:00:00", "0 2 * * SUN", "61 * * * *", "Europe/Berlin", "Mars/Olympus", "*",
    "majority", "all", "127.0.0.1:0", "[::1]:9464", "0.0.0.0:99999", "sqlite:///x.db",
    "postgresql://u:p@h/db", "${user.password}", "${nope}", "${", "$$", "http://127.0.0.1:1",
    "https://", "steps", "cleanup", "GET", "json:a.b[0]", "cookie:", "a..b", "", " ",
    "\u202e", "é", "\x00"])
SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats() | st.text(max_size=12) | PLAUSIBLE)
KEY = st.sampled_from(KEYS) | st.text(max_size=6)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEY, inner, max_size=5),
    max_leaves=25)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path inside a document."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


EXAMPLE_PATHS = paths(EXAMPLE)


@st.composite
def mutated_example(draw: st.DrawFn) -> Any:
    document = copy.deepcopy(EXAMPLE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(EXAMPLE_PATHS))
        parent: Any = document
        for part in path[:-1]:
            if not isinstance(parent, dict | list):
                break
            try:
                parent = parent[part]
            except (KeyError, IndexError, TypeError):
                break
        else:
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if isinstance(parent, dict):
                if action == "delete":
                    parent.pop(path[-1], None)
                elif action == "add":
                    parent[draw(KEY)] = draw(VALUES)
                else:
                    parent[path[-1]] = draw(VALUES)
            elif isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent):
                parent[path[-1]] = draw(VALUES)
    return document


def as_yaml(document: Any) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


RAW = st.text(alphabet=st.sampled_from(list("abc:-[]{}#&*!|>'\"%@`,? \n\t019.e$")),
              max_size=120)
DOCUMENTS = (mutated_example().map(as_yaml) | st.dictionaries(KEY, VALUES, max_size=5)
             .map(as_yaml) | VALUES.map(as_yaml) | RAW)

PROBLEM = re.compile(r"^(?P<file>[^:]+): (?P<key>\(top level\)|\S.*?)( \(line \d+\))?: \S.*$")


def check(path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    path.write_text(text, encoding="utf-8")
    code = main(["check-config", str(path)])
    out, err = capsys.readouterr()
    if code == 0:
        assert out.startswith(f"{path}: valid\n")
        assert err == ""
        return
    assert code == 2, err
    assert out == ""
    lines = err.splitlines()
    assert lines, "an error with no message"
    for line in lines:
        match = PROBLEM.match(line)
        assert match is not None, line
        assert match["file"] == str(path)
    assert [str(p) for p in problems_of(path)] == lines


def problems_of(path: Path) -> list[ConfigProblem]:
    try:
        load_config(path)
    except ConfigError as exc:
        return list(exc.problems)
    return []


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=DOCUMENTS)
def test_any_document_is_a_config_or_one_line_errors(
        text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check(tmp_path / "agent.yaml", text, capsys)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=mutated_example())
def test_a_bad_value_deep_inside_names_its_key_path(
        document: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A mutated example that parses as YAML: every problem names a key, not the top."""
    found = problems_of(_write(tmp_path / "agent.yaml", as_yaml(document)))
    assert all(p.key for p in found), found
    assert all(p.line is not None for p in found), found


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text", [
    "\ufeffagent: {region: eu}\n",       # a byte-order mark
    "agent: !!python/object:os.system {}\n",
    "a: &a [1]\nb: *c\n",
    "agent:\n  region: eu\n agent: x\n",
    "accounts: [{name: a}, {name: a}]\n",
    "sla: {objective: .nan}\n",
    "agent: {interval: 1e400s}\n",
    "---\nagent: {}\n---\nsla: {}\n",
])
def test_known_awkward_documents(text: str, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    check(tmp_path / "agent.yaml", text, capsys)


def test_bytes_that_are_not_utf8_are_one_line(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "agent.yaml"
    path.write_bytes(b"agent: {region: \xff\xfe}\n")
    assert main(["check-config", str(path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"{path}: (top level): cannot read")
