"""The README's worked example is what the code prints, to the character."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from probe.cli import main

REPO = Path(__file__).resolve().parents[1]


def test_worked_example_matches_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "october.jsonl"
    with results.open("w") as out:
        subprocess.run([sys.executable, str(REPO / "examples" / "sample_month.py")],
                       stdout=out, check=True)
    assert main(["report", "--results", str(results), "--config",
                 str(REPO / "config" / "example.yaml"), "--month", "2026-10"]) == 0
    printed = capsys.readouterr().out
    readme = (REPO / "README.md").read_text()
    block = re.search(r"## Worked example.*?```\n(Lifesize Cloud SLA for .*?)```", readme, re.S)
    assert block is not None
    assert block.group(1) == printed
