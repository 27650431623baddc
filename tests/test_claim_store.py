"""``claim`` and ``report --format html`` from an agent's store: timings kept in full,
and the maintenance windows the store holds (API, Statuspage import) applied (R3)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml

from probe.cli import main
from probe.store import open_store
from probe.store.base import StoredWindow
from tests.helpers import at
from tests.reports.statement_data import EVIL, SETTINGS, all_results

pytestmark = pytest.mark.xdist_group("claim_store")
"""One worker builds the module's store once for all its tests."""


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """October in a SQLite store, with an imported window over Oct 5 10:00–10:15."""
    path = tmp_path_factory.mktemp("store") / "probe.db"
    url = f"sqlite:///{path}"
    store = open_store(url, interval=60.0, max_gap=300.0)
    try:
        store.write(list(all_results()))
        store.add_window(StoredWindow(
            id="statuspage:status.example:abc", kind="scheduled", accounts=None,
            start=at("2026-10-05T10:00"), end=at("2026-10-05T10:15"),
            name="Login service upgrade", created_at=at("2026-10-01T00:00"),
            source="statuspage"))
    finally:
        store.close()
    return url


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("config") / "config.yaml"
    path.write_text(yaml.safe_dump(SETTINGS))
    return path


def test_claim_from_the_store_has_timings_and_applies_stored_windows(
    database: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = tmp_path / "e.csv"
    assert main(["claim", "--database", database, "--config", str(config), "--account", EVIL,
                 "--month", "2026-10", "--evidence", str(evidence),
                 "--now", "2026-11-02T00:00:00Z"]) == 0
    text = capsys.readouterr().out
    assert "1. 2026-10-05 10:15:00 UTC to 2026-10-05 10:45:00 UTC (30m 0s)\n" in text
    assert "  Maintenance excluded: 55m 0s\n" in text  # 15 imported + 40 configured
    assert "(the store)" in text
    assert "Timings are missing" not in text
    rows = list(csv.DictReader(io.StringIO(evidence.read_text())))
    assert len(rows) == 30 * 3 + 10 * 3
    assert rows[0]["ts"] == "2026-10-05T10:15:00Z"
    assert {r["total_seconds"] for r in rows} == {"2.25"}


def test_the_html_statement_from_the_store_lists_the_imported_window(
    database: str, config: Path, tmp_path: Path
) -> None:
    page = tmp_path / "statement.html"
    assert main(["report", "--database", database, "--config", str(config), "--month",
                 "2026-10", "--format", "html", "--output", str(page)]) == 0
    html = page.read_text()
    assert "2026-10-05T10:00:00Z to 2026-10-05T10:15:00Z (15m 0s), scheduled: " \
           "Login service upgrade" in html
    assert html.startswith("<!doctype html>")
