"""``lifesize-probe claim``: the ticket text, the evidence files, deadlines, sources, errors.

The month is tests/reports/statement_data.py's October: for EVIL two counted periods,
Oct 5 10:00–10:45 (135 failed probes, three regions) and Oct 31 23:50–24:00 (October's
part of an outage running into November, 30 failed probes), claim deadlines Nov 4 10:45
and Dec 1 00:10 (the whole outage's end + 30 days).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from probe.claim import Claim
from probe.claim.ticket import nothing_to_claim, ticket_text
from probe.cli import main
from probe.results_file import write_results
from tests.helpers import at
from tests.reports.statement_data import EVIL, SETTINGS, all_results, october_report

pytestmark = pytest.mark.xdist_group("claim_month")
"""One worker writes the module's month of results once for all its tests."""

ARGS = ["--account", EVIL, "--month", "2026-10"]


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("config") / "config.yaml"
    path.write_text(yaml.safe_dump(SETTINGS))
    return path


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The month as JSON Lines with durations, as the agent's export writes them."""
    path = tmp_path_factory.mktemp("results") / "october.jsonl"
    with path.open("w") as out:
        write_results(all_results(), out)
    return path


@pytest.fixture
def bare_results(results: Path, tmp_path: Path) -> Path:
    """The same results without any durations (another tool wrote them)."""
    path = tmp_path / "bare.jsonl"
    with results.open() as lines, path.open("w") as out:
        for line in lines:
            record = json.loads(line)
            record.pop("durations", None)
            out.write(json.dumps(record) + "\n")
    return path


def claim(*args: str | Path) -> int:
    return main(["claim", *(str(a) for a in args)])


def test_the_ticket_names_the_account_the_periods_and_the_figures(
    results: Path, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = tmp_path / "evidence.csv"
    assert claim("--results", results, "--config", config, *ARGS, "--evidence", evidence,
                 "--now", "2026-11-02T00:00:00Z") == 0
    text = capsys.readouterr().out
    assert text.startswith("SLA Claim\n\nAccount: " + EVIL + "\nMonth: 2026-10")
    for line in (
        "1. 2026-10-05 10:00:00 UTC to 2026-10-05 10:45:00 UTC (45m 0s)",
        "   2026-10-05 06:00:00 EDT to 2026-10-05 06:45:00 EDT",
        "   Failed from ap-southeast, eu-west, us-east; failing step login×135; "
        "errors http_503×135.",
        "   Claim by 2026-11-04 10:45:00 UTC.",
        "2. 2026-10-31 23:50:00 UTC to 2026-11-01 00:00:00 UTC (10m 0s)",
        "   Part of an outage from 2026-10-31 23:50:00 UTC to 2026-11-01 00:10:00 UTC; "
        "the rest falls in another month.",
        "   Claim by 2026-12-01 00:10:00 UTC.",
        "  Availability: 99.8768 % against the objective of 99.9 %: missed",
        "  Unavailable time: 55m 0s (the objective allows 44m 38s)",
        "  Maintenance excluded: 40m 0s",
        "  Service credit: 10 % under the contract's tiers",
        f"Evidence attached: {evidence}",
        "  165 failed probe(s) inside these periods, each with its time, region, failing "
        f"step, error class and step timings (results file {results}).",
    ):
        assert line + "\n" in text, line
    assert "PAST DEADLINE" not in text
    assert "Timings are missing" not in text


def test_periods_past_their_deadline_are_marked(
    results: Path, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = tmp_path / "evidence.json"
    assert claim("--results", results, "--config", config, *ARGS, "--evidence", evidence,
                 "--now", "2026-11-10T00:00:00Z") == 0
    text = capsys.readouterr().out
    assert "   Claim by 2026-11-04 10:45:00 UTC. PAST DEADLINE\n" in text
    assert "   Claim by 2026-12-01 00:10:00 UTC.\n" in text
    assert "Note: 1 of 2 period(s) are past their claim deadline" in text
    periods = json.loads(evidence.read_text())["periods"]
    assert [p["past_deadline"] for p in periods] == [True, False]
    assert [p["claim_deadline"] for p in periods] == ["2026-11-04T10:45:00Z",
                                                      "2026-12-01T00:10:00Z"]


def test_evidence_has_every_failed_probe_with_its_timings(
    results: Path, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    as_csv, as_json = tmp_path / "e.csv", tmp_path / "e.json"
    assert claim("--results", results, "--config", config, *ARGS, "--evidence", as_csv,
                 "--evidence", as_json) == 0
    rows = list(csv.DictReader(io.StringIO(as_csv.read_text())))
    assert len(rows) == 135 + 30
    first = rows[0]
    assert (first["period"], first["ts"], first["ts_local"], first["region"], first["step"],
            first["error"]) == ("1", "2026-10-05T10:00:00Z", "2026-10-05T06:00:00-04:00",
                                "ap-southeast", "login", "http_503")
    assert (first["login_seconds"], first["total_seconds"], first["note"]) == ("1.5", "2.25", "")
    last = rows[-1]
    assert (last["period"], last["ts"], last["step"], last["call_seconds"]) == (
        "2", "2026-10-31T23:59:00Z", "call", "1.5")
    document = json.loads(as_json.read_text())
    assert document["title"] == "SLA Claim"
    assert document["account"] == EVIL
    assert document["probes_without_timings"] == 0
    failures = [f for p in document["periods"] for f in p["failures"]]
    assert len(failures) == 165
    assert failures[0]["durations"] == {"login": 1.5, "total": 2.25}
    assert f"Evidence attached: {as_csv}, {as_json}" in capsys.readouterr().out


def test_a_results_file_without_timings_says_so(
    bare_results: Path, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = tmp_path / "e.csv"
    assert claim("--results", bare_results, "--config", config, *ARGS,
                 "--evidence", evidence) == 0
    assert "Timings are missing for 165 of them" in capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(evidence.read_text())))
    assert {r["note"] for r in rows} == {"no timings in the source for this probe"}
    assert {r["login_seconds"] for r in rows} == {""}


def test_the_default_evidence_file_is_named_after_account_and_month(
    results: Path, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert claim("--results", results, "--config", config, *ARGS,
                 "--output", tmp_path / "ticket.txt") == 0
    expected = "_script_alert__x____script____co-2026-10-evidence.csv"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([expected, "ticket.txt"])
    assert f"Evidence attached: {expected}\n" in (tmp_path / "ticket.txt").read_text()
    assert capsys.readouterr().out == ""


def test_nothing_to_claim_exits_1_and_writes_nothing(
    results: Path, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = tmp_path / "e.csv"
    assert claim("--results", results, "--config", config, "--account", "globex",
                 "--month", "2026-10", "--evidence", evidence) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("globex: no unavailable time to claim in 2026-10 (no continuous "
                            "outage of 5m 0s or more)\n")
    assert not evidence.exists()


def test_an_unknown_account_is_bad_input(
    results: Path, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert claim("--results", results, "--config", config, "--account", "initech",
                 "--month", "2026-10", "--evidence", tmp_path / "e.csv") == 2
    err = capsys.readouterr().err
    assert err.startswith("no results and no configured regions for account 'initech'")
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_bad_results_line_writes_nothing(
    results: Path, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text(results.read_text() + '{"ts": "2026-10-05T10:00:00Z"}\n')
    out, evidence = tmp_path / "ticket.txt", tmp_path / "e.csv"
    assert claim("--results", broken, "--config", config, *ARGS, "--evidence", evidence,
                 "--output", out) == 2
    assert "line" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.jsonl"]


def test_the_evidence_file_must_be_csv_or_json(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        claim("--results", results, *ARGS, "--evidence", "evidence.xlsx")
    assert caught.value.code == 2
    assert "evidence file 'evidence.xlsx': name a .csv or .json file" in capsys.readouterr().err


def test_results_from_stdin_are_read_twice(
    results: Path, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with results.open("rb") as stream:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stream))
        assert claim("--results", "-", "--config", config, *ARGS,
                     "--evidence", tmp_path / "e.json") == 0
    assert "results read from stdin" in capsys.readouterr().out
    document = json.loads((tmp_path / "e.json").read_text())
    assert document["probes_without_timings"] == 0


def test_help_teaches_the_claim(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["claim", "--help"])
    text = capsys.readouterr().out
    for phrase in ('"SLA Claim"', "within 30 days", "PAST DEADLINE", "--evidence FILE",
                   "Exit status: 0", "1 nothing to claim", "--database URL"):
        assert phrase in text, phrase


def test_a_name_cannot_forge_ticket_lines() -> None:
    report = october_report()
    evil = next(f for f in report.accounts if f.account == EVIL)
    forged = replace(evil, account="acme\n1. 2026-10-01 00:00:00 UTC to 2026-10-31 00:00:00 UTC")
    claim = Claim(figures=forged, policy=report.policy, now=at("2026-11-02T00:00"),
                  timings={}, source="test")
    text = ticket_text(claim, ["e.csv"])
    assert "\n1. 2026-10-01" not in text
    assert "Account: acme?1. 2026-10-01 00:00:00 UTC to 2026-10-31 00:00:00 UTC\n" in text
    assert "\n" not in nothing_to_claim(claim)
