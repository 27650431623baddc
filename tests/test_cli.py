"""The command line: report and check-config, their exit codes and their errors."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from probe.cli import main
from probe.sla import previous_month
from tests.helpers import minutes, write_jsonl

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def october(tmp_path: Path) -> Path:
    """acme eu-west: a counted 5-minute outage and a 4-minute flap, on Oct 5."""
    return write_jsonl(
        tmp_path / "october.jsonl",
        minutes("2026-10-05T09:58", "..xxxxx....xxxx..") + minutes(
            "2026-10-05T09:58", "..........", account="globex"),
    )


def test_report_json(october: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--results", str(october), "--month", "2026-10",
                 "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["month"] == "2026-10"
    assert document["month_seconds"] == 2678400
    acme, globex = document["accounts"]
    assert (acme["unavailable_seconds"], acme["short_outage_seconds"]) == (300.0, 240.0)
    assert globex["unavailable_seconds"] == 0.0


def test_report_account_filter(october: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["report", "--results", str(october), "--month", "2026-10", "--format", "json",
          "--account", "globex"])
    accounts = json.loads(capsys.readouterr().out)["accounts"]
    assert [a["account"] for a in accounts] == ["globex"]


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_every_format_names_the_outage(
    october: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["report", "--results", str(october), "--month", "2026-10", "--format", fmt])
    assert "2026-10-05T10:00:00Z" in capsys.readouterr().out


def test_default_month_is_the_previous_one(
    october: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["report", "--results", str(october), "--format", "json"])
    expected = previous_month(time.time(), "UTC").label
    assert json.loads(capsys.readouterr().out)["month"] == expected


def test_config_changes_the_rules(
    october: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "sla.yaml"
    config.write_text("sla:\n  min_outage: 4m\n  credits: [{below: 0.9999, percent: 5}]\n")
    main(["report", "--results", str(october), "--config", str(config), "--month", "2026-10",
          "--format", "json", "--account", "acme"])
    (acme,) = json.loads(capsys.readouterr().out)["accounts"]
    assert acme["unavailable_seconds"] == 540.0
    assert acme["credit_percent"] == 5


def test_malformed_line_prints_nothing_and_exits_2(
    october: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with october.open("a") as handle:
        handle.write('{"ts": "2026-10-05T10:30:00Z", "account": "acme"}\n')
    output = tmp_path / "out.json"
    assert main(["report", "--results", str(october), "--month", "2026-10",
                 "--output", str(output)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"{october}: line 28: 'region' is missing\n"
    assert not output.exists()
    assert list(tmp_path.iterdir()) == [october]


def test_bad_config_is_exit_2_and_one_line_per_problem(
    october: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("sla:\n  min_outage: five\n  max_gap: often\n")
    assert main(["report", "--results", str(october), "--config", str(config)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"{config}: sla.min_outage (line 2): expected a duration like '5m', got 'five'",
        f"{config}: sla.max_gap (line 3): expected a duration like '5m', got 'often'",
    ]


def test_bad_month_is_a_usage_error(october: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["report", "--results", str(october), "--month", "2026-13"])
    assert caught.value.code == 2
    assert "expected a month like 2026-10, got '2026-13'" in capsys.readouterr().err


def test_output_file_is_written_whole(october: Path, tmp_path: Path) -> None:
    output = tmp_path / "statement.md"
    assert main(["report", "--results", str(october), "--month", "2026-10",
                 "--format", "markdown", "--output", str(output)]) == 0
    assert output.read_text().startswith("# Lifesize Cloud SLA statement — 2026-10")


def test_check_config_summarizes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(REPO / "config" / "example.yaml")]) == 0
    out = capsys.readouterr().out
    assert "valid" in out
    assert "acme: regions eu-west, us-east, ap-southeast; 2 user(s)" in out
    assert "weekly platform maintenance (scheduled; all accounts)" in out


def test_check_config_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("accounts:\n  - name: acme\n    users:\n      - {username: a, password: x}\n")
    assert main(["check-config", str(config)]) == 2
    assert "accounts[0].users[0].password (line 4)" in capsys.readouterr().err


def test_python_dash_m_and_help() -> None:
    done = subprocess.run([sys.executable, "-m", "probe", "report", "--help"],
                          capture_output=True, text=True, check=True)
    assert "auth_rejected" in done.stdout
    assert "--results FILE.jsonl" in done.stdout
