"""Agent web fixtures: a hand-built snapshot, an in-memory window store, the app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import httpx
import pytest

from probe.agent.exporter import render as render_exposition
from probe.agent.snapshot import (
    DURATION_BUCKETS,
    LATENESS_BUCKETS,
    AccountState,
    Histogram,
    LastProbe,
    RegionState,
    Snapshot,
)
from probe.agent.web import create_app
from probe.credentials import Secret
from probe.model import Failure, MaintenanceWindow, Outage, Period
from probe.sla.report import AccountFigures, OutageInWindow
from probe.store.base import StoredWindow, StoreError

TOKEN = "maint-T0ken-9d2f7c"
"""The API token of the tests: distinctive, so a leak is found by a substring search."""

EVIL = "<script>alert(1)</script>"
"""An account name that must only ever show as text."""


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()


NOW = utc(2026, 10, 20, 12)
MONTH = Period(label="month", start=utc(2026, 10, 1), end=utc(2026, 11, 1), as_of=NOW)
TRAILING = Period(label="30d", start=NOW - 30 * 86400, end=NOW, as_of=NOW)


class FakeStore:
    """The window methods of ``probe.store.Store``, in memory; ``fail`` makes them raise."""

    def __init__(self) -> None:
        self.saved: dict[str, StoredWindow] = {}
        self.fail = False

    def _check(self) -> None:
        if self.fail:
            raise StoreError("sqlite /tmp/probe.db: disk I/O error")

    def add_window(self, window: StoredWindow) -> None:
        self._check()
        if window.id in self.saved:
            raise StoreError(f"maintenance window {window.id} exists")
        self.saved[window.id] = window

    def windows(self) -> list[StoredWindow]:
        self._check()
        return sorted(self.saved.values(), key=lambda w: (w.start, w.id))

    def delete_window(self, window_id: str) -> bool:
        self._check()
        return self.saved.pop(window_id, None) is not None


def histogram(values: list[float], buckets: tuple[float, ...] = DURATION_BUCKETS) -> Histogram:
    counts = tuple(sum(1 for v in values if v <= le) for le in buckets)
    return Histogram(buckets=buckets, counts=counts, count=len(values), sum=sum(values))


def region(account: str, name: str, *, ok: bool = True, down_since: float | None = None,
           runs: int = 28_000) -> RegionState:
    last = LastProbe(ts=NOW - 20, ok=ok, step=None if ok else "login",
                     error=None if ok else "http_503",
                     durations={"login": 0.4, "call": 1.2, "total": 1.6})
    return RegionState(
        account=account, region=name, last=last, runs_total=runs, skipped_runs_total=2,
        failures_total=MappingProxyType({("login", "http_503"): 135, ("call", "timeout"): 8,
                                         ("login", "auth_rejected"): 60}),
        durations={"login": histogram([0.3, 0.4, 0.9, 3.0]), "call": histogram([1.1, 1.2, 12.0]),
                   "total": histogram([1.5, 1.6, 15.0])},
        down=down_since is not None, down_since=down_since,
        coverage={"month": 0.9987, "30d": 0.95})


def outage(account: str, start: float, minutes: float, *, counted: bool, step: str,
           error: str, regions: tuple[str, ...], open_: bool = False) -> OutageInWindow:
    end = start + minutes * 60
    failures = tuple(Failure(ts=start + 60 * i, region=r, step=step, error=error)
                     for i in range(int(minutes)) for r in regions)
    whole = Outage(
        account=account,
        start=start,
        end=end,
        open=open_,
        counted=counted,
        regions=regions,
        failures=failures,
    )
    return OutageInWindow(
        outage=whole,
        start=start,
        end=end,
        failed_steps={step: len(failures)},
        errors={error: len(failures)},
        claim_deadline=end + 30 * 86400 if counted else None,
    )


def figures(account: str, period: Period, regions: tuple[str, ...], unavailable: float,
            outages: tuple[OutageInWindow, ...] = ()) -> AccountFigures:
    budget = 0.001 * period.seconds
    return AccountFigures(
        account=account, regions=regions, window=period, unavailable_seconds=unavailable,
        availability=1 - unavailable / period.seconds, sla_met=unavailable <= budget,
        error_budget_seconds=budget, error_budget_remaining_seconds=budget - unavailable,
        observed_down_seconds=unavailable + 240.0, excluded_seconds=0.0,
        short_outage_seconds=240.0, coverage=0.9987, credit_percent=None, outages=outages,
        ignored_failures={})


def account(name: str, regions: tuple[str, ...], unavailable: float,
            outages: tuple[OutageInWindow, ...] = (), *,
            maintenance: tuple[MaintenanceWindow, ...] = ()) -> AccountState:
    return AccountState(
        account=name,
        figures={"month": figures(name, MONTH, regions, unavailable, outages),
                 "30d": figures(name, TRAILING, regions, unavailable)},
        maintenance_active=bool(maintenance), active_windows=maintenance)


def build_snapshot(*, evil: bool = False, **changes: Any) -> Snapshot:
    """acme: 45 min counted outage (over budget), eu-west down now; globex: in maintenance."""
    acme_regions = ("ap-southeast", "eu-west", "us-east")
    acme_outages = (
        outage("acme", utc(2026, 10, 5, 10), 45, counted=True, step="login", error="http_503",
               regions=acme_regions),
        outage("acme", utc(2026, 10, 12, 14), 4, counted=False, step="call", error="timeout",
               regions=("eu-west", "us-east")),
    )
    patch = MaintenanceWindow(kind="emergency", accounts=frozenset({"globex"}),
                              name="DB failover", start=NOW - 600, end=NOW + 1800)
    regions = [region("acme", r, ok=r != "eu-west",
                      down_since=NOW - 140 if r == "eu-west" else None) for r in acme_regions]
    regions.append(region("globex", "eu-west"))
    accounts = [account("acme", acme_regions, 2700.0, acme_outages),
                account("globex", ("eu-west",), 180.0, maintenance=(patch,))]
    if evil:
        evil_outage = outage(EVIL, utc(2026, 10, 7, 9), 6, counted=True, step="call",
                             error="<img src=x onerror=alert(2)>", regions=("eu-west",))
        regions.append(region(EVIL, "eu-west", ok=False, down_since=NOW - 60))
        accounts.append(account(EVIL, ("eu-west",), 360.0, (evil_outage,)))
    fields: dict[str, Any] = {
        "generated_at": NOW, "version": "0.1.0", "objective": 0.999, "regions": tuple(regions),
        "accounts": tuple(accounts), "lateness": histogram([0.002, 0.004, 0.3], LATENESS_BUCKETS),
        "store_errors_total": 1, "scheduler_running": True, "last_probe_at": NOW - 20,
        "interval": 60.0}
    fields.update(changes)
    snapshot = Snapshot(**fields)
    return Snapshot(**{**fields, "exposition": render_exposition(snapshot)})


@pytest.fixture
def snapshot() -> Snapshot:
    return build_snapshot()


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


class Changes:
    """Counts the agent's ``on_change`` calls."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1


@pytest.fixture
def changes() -> Changes:
    return Changes()


@pytest.fixture
def make_client(store: FakeStore, snapshot: Snapshot, changes: Changes
                ) -> Callable[..., httpx.AsyncClient]:
    """``make_client(token=..., snapshot=..., store=...)``: a client of a fresh app."""
    def make(**options: Any) -> httpx.AsyncClient:
        token = options.pop("token", TOKEN)
        shown = options.pop("snapshot", snapshot)
        app = create_app(snapshot=lambda: shown, store=options.pop("store", store),
                         api_token=Secret(token) if token is not None else None,
                         clock=lambda: NOW, on_change=options.pop("on_change", changes))
        transport = httpx.ASGITransport(app=app)
        return httpx.AsyncClient(transport=transport, base_url="http://agent.test")
    return make


@pytest.fixture
async def client(make_client: Callable[..., httpx.AsyncClient]) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client() as http:
        yield http
