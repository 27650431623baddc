"""The status page's day bars, the account pages, the statements and the status API,
from a real SQLite store holding three months of hand-worked probes.

acme (one region, a probe a minute from 1 September to 3 December 2026 12:00 UTC):

- 5 Oct 10:00, 45 failures: a counted outage of 45 minutes;
- 6 Oct 10:00, 3 failures: a short outage of 3 minutes, not counted;
- 8 Oct 02:00-03:00: a maintenance window (declared through the store), nothing down;
- 9 Oct 12:00-13:59: no probes, an evidence gap of 121 minutes;
- 30 Nov 23:50 to 1 Dec 00:10, 20 failures: one counted outage, 10 minutes in each day
  and in each month.

The sla agent builds the snapshot from that store at a fixed ``NOW``; the app serves it
with the store's archive. The month figures must equal ``report --format json`` and the
statement ``report --format html`` for the same store and config.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
import httpx
import pytest

from probe.agent.archive import Archive
from probe.agent.sla_role import SlaAgent
from probe.agent.snapshot import Snapshot
from probe.agent.web import create_app
from probe.cli import main
from probe.config import Settings, load_config
from probe.model import ProbeResult
from probe.store import Store, StoredWindow, StoreError, open_store
from tests.agent.conftest import EVIL
from tests.helpers import at

NOW = at("2026-12-03T12:00")
DAY = 86400.0
CONFIG = """\
agent: {{role: sla, database: "sqlite:///{db}", interval: 60s}}
accounts:
  - {{name: acme, regions: [eu-west]}}
  - {{name: {evil}, regions: [eu-west]}}
sla: {{min_outage: 5m, max_gap: 5m, timezone: UTC}}
"""


def acme() -> Iterator[ProbeResult]:
    failing = {at(f"2026-10-05T10:{m:02d}") for m in range(45)}
    failing |= {at(f"2026-10-06T10:{m:02d}") for m in range(3)}
    failing |= {at("2026-11-30T23:50") + 60 * m for m in range(20)}
    silent_from, silent_to = at("2026-10-09T12:00"), at("2026-10-09T14:00")
    ts = at("2026-09-01T00:00")
    while ts <= NOW:
        if not silent_from <= ts < silent_to:
            bad = ts in failing
            yield ProbeResult(ts=ts, account="acme", region="eu-west", ok=not bad,
                              step="login" if bad else None, error="http_503" if bad else None)
        ts += 60


def hostile() -> list[ProbeResult]:
    start = at("2026-12-03T00:00")
    return [ProbeResult(ts=start + 60 * i, account=EVIL, region="eu-west", ok=i % 100 != 7,
                        step=None if i % 100 != 7 else "call",
                        error=None if i % 100 != 7 else "<img src=x onerror=alert(2)>")
            for i in range(721)]


class Lab:
    def __init__(self, folder: Path) -> None:
        self.db = folder / "shared.db"
        self.config = folder / "agent.yaml"
        self.config.write_text(CONFIG.format(db=self.db, evil=json.dumps(EVIL)))
        self.settings: Settings = load_config(self.config)
        store = open_store(f"sqlite:///{self.db}", interval=60, max_gap=300)
        try:
            store.write(list(acme()))
            store.write(hostile())
            store.add_window(StoredWindow.declare(
                kind="scheduled", accounts=frozenset({"acme"}), name="db upgrade",
                start=at("2026-10-08T02:00"), end=at("2026-10-08T03:00"), created_at=NOW))
        finally:
            store.close()
        self.store = open_store(f"sqlite:///{self.db}", interval=60, max_gap=300)
        agent = SlaAgent(settings=self.settings, store=self.store, clock=lambda: NOW)
        anyio.run(agent.refresh)
        self.snapshot: Snapshot = agent.snapshot

    def app(self, store: Store | None = None) -> Any:
        archive = Archive(store=store or self.store, settings=self.settings, clock=lambda: NOW)
        return create_app(snapshot=lambda: self.snapshot, store=self.store, api_token=None,
                          clock=lambda: NOW, archive=archive)

    def get(self, path: str, store: Store | None = None) -> httpx.Response:
        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app(store))
            async with httpx.AsyncClient(transport=transport, base_url="http://agent") as c:
                return await c.get(path)
        return anyio.run(fetch)

    def report(self, month: str, format_: str, capsys: pytest.CaptureFixture[str]) -> str:
        capsys.readouterr()
        code = main(["report", "--database", f"sqlite:///{self.db}", "--config",
                     str(self.config), "--month", month, "--account", "acme",
                     "--format", format_])
        out, err = capsys.readouterr()
        assert code == 0, err
        return out


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    built = Lab(tmp_path_factory.mktemp("pages"))
    yield built
    built.store.close()


def days_of(lab: Lab, account: str = "acme") -> dict[str, dict[str, Any]]:
    status = lab.get("/api/v1/status").json()
    (entry,) = [a for a in status["accounts"] if a["account"] == account]
    return {d["date"]: d for d in entry["days"]}


def test_the_days_are_coloured_as_worked_out_by_hand(lab: Lab) -> None:
    days = days_of(lab)
    assert len(days) == 90
    assert min(days) == "2026-09-05"
    assert max(days) == "2026-12-03"
    kinds = {date: d["kind"] for date, d in days.items()}
    assert {date: kinds[date] for date in ("2026-10-05", "2026-10-06", "2026-10-07",
                                           "2026-10-08", "2026-10-09", "2026-11-30",
                                           "2026-12-01", "2026-12-03")} == {
        "2026-10-05": "counted", "2026-10-06": "short", "2026-10-07": "clear",
        "2026-10-08": "maintenance", "2026-10-09": "missing", "2026-11-30": "counted",
        "2026-12-01": "counted", "2026-12-03": "clear"}
    assert set(kinds.values()) == {"clear", "counted", "short", "maintenance", "missing"}
    assert sum(k != "clear" for k in kinds.values()) == 6
    assert days["2026-10-05"]["unavailable_seconds"] == 2700
    assert days["2026-10-06"]["short_outage_seconds"] == 180
    assert days["2026-10-08"]["maintenance_seconds"] == 3600
    assert days["2026-10-09"]["coverage"] == pytest.approx(1 - 121 * 60 / DAY)
    assert days["2026-11-30"]["unavailable_seconds"] == days["2026-12-01"]["unavailable_seconds"]
    assert days["2026-12-01"]["unavailable_seconds"] == 600


def test_the_bar_on_the_status_page_shows_each_day_with_its_tooltip(lab: Lab) -> None:
    page = lab.get("/").text
    section = page[page.index('<section id="a-acme">'):]
    section = section[:section.index("</section>")]
    acme_cells = re.findall(r'<span class="cell (\w+)" title="([^"]*)"></span>', section)
    assert len(acme_cells) == 90
    assert [kind for kind, _ in acme_cells].count("counted") == 3
    titles = {title.split(":")[0]: (kind, title) for kind, title in acme_cells}
    kind, title = titles["2026-10-05"]
    assert kind == "counted"
    assert "45m 0s unavailable in 1 outage" in html.unescape(title)
    assert "1 short (not counted): 3m 0s" in html.unescape(titles["2026-10-06"][1])
    assert "maintenance 1h 0m" in html.unescape(titles["2026-10-08"][1])
    (status,) = [a for a in lab.get("/api/v1/status").json()["accounts"]
                 if a["account"] == "acme"]
    assert status["availability_90d"] == pytest.approx(1 - (2700 + 1200) / (90 * DAY))
    assert "90 days: 99.9498 %" in page
    assert '<meta http-equiv="refresh" content="60">' in page


def test_the_calendar_months_are_the_reports_months(
        lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    detail = lab.get("/api/v1/accounts/acme").json()
    assert [m["month"] for m in detail["months"]] == ["2026-12", "2026-11", "2026-10", "2026-09"]
    for month in detail["months"][1:]:  # the finished months
        (want,) = json.loads(lab.report(month["month"], "json", capsys))["accounts"]
        assert {k: v for k, v in month.items() if k != "month"} == want
    unavailable = {m["month"]: m["unavailable_seconds"] for m in detail["months"]}
    assert unavailable == {"2026-12": 600, "2026-11": 600, "2026-10": 2700, "2026-09": 0}
    assert [r["region"] for r in detail["regions"]] == ["eu-west"]


def test_the_statement_is_the_one_report_writes(
        lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    answer = lab.get("/accounts/acme/statements/2026-10")
    assert answer.status_code == 200
    assert answer.text == lab.report("2026-10", "html", capsys)
    page = lab.get("/accounts/acme").text
    assert '<a href="/accounts/acme/statements/2026-10">HTML statement</a>' in page


def test_the_account_page_has_regions_a_day_timeline_and_the_months_outages(lab: Lab) -> None:
    page = lab.get("/accounts/acme").text
    assert "<h3>Last 24 hours (UTC)</h3><svg" in page
    assert 'aria-label="acme: the last 24 hours per region"' in page
    assert "2026-12-01T00:00:00Z" in page  # December's part of the outage over midnight
    assert "2026-12 (to date)" in page
    assert "Calendar months" in page
    assert "2026-09" in page


@pytest.mark.parametrize("path", [
    "/accounts/nobody", "/accounts/nobody/statements/2026-10", "/accounts/acme/statements/2026-13",
    "/accounts/acme/statements/october", "/api/v1/accounts/nobody"])
def test_unknown_accounts_and_months_are_not_found(lab: Lab, path: str) -> None:
    answer = lab.get(path)
    assert answer.status_code == 404
    if path.startswith("/api/"):
        assert answer.json() == {"error": "no account of that name", "field": "name"}


def test_a_hostile_account_name_is_text_everywhere(lab: Lab) -> None:
    quoted = quote(EVIL, safe="")
    for path in ("/", f"/accounts/{quoted}", f"/accounts/{quoted}/statements/2026-12"):
        answer = lab.get(path)
        assert answer.status_code == 200, path
        assert html.escape(EVIL) in answer.text, path
        assert "<script" not in answer.text, path
        assert "<img" not in answer.text, path
    assert f'href="/accounts/{html.escape(quoted)}"' in lab.get("/").text
    names = [a["account"] for a in lab.get("/api/v1/status").json()["accounts"]]
    assert EVIL in names
    detail = lab.get(f"/api/v1/accounts/{quoted}").json()
    assert detail["account"] == EVIL
    assert detail["regions"][0]["last_probe"]["error"] in (None, "<img src=x onerror=alert(2)>")


class _Unreadable:
    """A store whose reads fail, as a locked or unreachable database does."""

    def timelines(self, **_: Any) -> Any:
        raise StoreError("database is locked")

    def windows(self) -> Any:
        raise StoreError("database is locked")


def test_an_unreadable_store_costs_the_months_not_the_page(lab: Lab) -> None:
    broken: Any = _Unreadable()
    page = lab.get("/accounts/acme", store=broken)
    assert page.status_code == 200
    assert "The store could not be read" in page.text
    assert "2026-10-05" in page.text  # the day bar comes from the snapshot
    answer = lab.get("/api/v1/accounts/acme", store=broken)
    assert answer.status_code == 503
    assert answer.json()["error"].startswith("store unavailable")
    assert lab.get("/accounts/acme/statements/2026-10", store=broken).status_code == 503
