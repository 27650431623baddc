"""The poller against a real HTTP page on 127.0.0.1 and a real SQLite store.

Every bad answer (an HTTP error, not JSON, the wrong shape, too large, too slow, nobody
listening) is one log line and leaves the stored windows exactly as they were.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from probe.http_server import running
from probe.statuspage.plan import ImportRules
from probe.statuspage.poller import MAX_BYTES, StatuspagePoller
from probe.store import Store, WindowStore, open_store
from probe.store.base import StoredWindow, StoreError
from tests.helpers import at
from tests.statuspage.feeds import FakePage, feed, item

pytestmark = pytest.mark.anyio

NOW = at("2026-10-15T12:00")
FIRST = feed(item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z", name="DB upgrade"),
             item("m0", "2026-09-01T02:00:00Z", "2026-09-01T03:00:00Z",
                  created="2026-08-01T00:00:00Z", status="completed",
                  resolved="2026-09-01T02:30:00Z"))


@pytest.fixture
def page() -> Iterator[tuple[FakePage, str]]:
    """The fake Statuspage served by uvicorn on a free loopback port."""
    fake = FakePage(document=FIRST)
    with running(fake) as url:
        yield fake, url


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'agent.db'}", interval=60.0, max_gap=300.0)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False, follow_redirects=True) as opened:
        yield opened


def poller(url: str, store: WindowStore, client: httpx.AsyncClient, *, every: float = 600.0,
           timeout: float = 10.0, max_bytes: int = MAX_BYTES) -> StatuspagePoller:
    return StatuspagePoller(ImportRules(page=url), store=store, client=client, every=every,
                            timeout=timeout, clock=lambda: NOW, max_bytes=max_bytes)


def spans(store: Store) -> list[tuple[str, float, float, str]]:
    return [(w.id.rsplit(":", 1)[1], w.start, w.end, w.kind) for w in store.windows()]


async def test_the_page_is_imported_updated_and_kept(
    page: tuple[FakePage, str], store: Store, client: httpx.AsyncClient
) -> None:
    fake, url = page
    importer = poller(url, store, client)
    result = await importer.poll()
    assert (result.put, result.deleted, result.error) == (2, 0, None)
    assert fake.paths == ["/api/v2/scheduled-maintenances.json"]
    assert spans(store) == [
        ("m0", at("2026-09-01T02:00"), at("2026-09-01T02:30"), "scheduled"),
        ("m1", at("2026-10-20T02:00"), at("2026-10-20T04:00"), "scheduled"),
    ]
    fake.document = feed(item("m1", "2026-10-20T02:00:00Z", "2026-10-20T05:00:00Z"))
    result = await importer.poll()  # m1 moved its end; m0 dropped off the list
    assert (result.put, result.deleted) == (1, 0)
    assert spans(store)[1][2] == at("2026-10-20T05:00")
    assert [w[0] for w in spans(store)] == ["m0", "m1"]
    assert (await importer.poll()).put == 0  # nothing new: nothing written


@pytest.mark.parametrize("case", [
    ({"status": 503}, "HTTP 503 from the page"),
    ({"raw": b"<html>maintenance</html>"}, "the answer is not JSON"),
    ({"raw": b'{"incidents": []}'}, "scheduled_maintenances is missing or not a list"),
    ({"raw": b"[]"}, "expected a JSON object"),
    ({"raw": b"{" + b" " * 5000 + b"}"}, "the answer is larger than 4096 bytes"),
    ({"trickle": 0.2}, "no complete answer within 1s"),
])
async def test_a_bad_answer_is_one_line_and_changes_nothing(
    page: tuple[FakePage, str], store: Store, client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture, case: tuple[dict[str, object], str],
) -> None:
    (answer, reason), (fake, url) = case, page
    importer = poller(url, store, client, timeout=1.0, max_bytes=4096)
    await importer.poll()
    before = store.windows()
    for key, value in answer.items():
        setattr(fake, key, value)
    fake.document = feed()  # were it read, this would cancel m1
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="probe.statuspage"):
        result = await importer.poll()
    assert result.error is not None
    assert reason in result.error
    (record,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.levelno == logging.ERROR
    message = record.getMessage()
    assert "\n" not in message
    assert message.startswith(f"statuspage {url}/api/v2/scheduled-maintenances.json: ")
    assert message.endswith("; stored windows unchanged")
    assert store.windows() == before


async def test_nobody_listening_is_one_line(
    store: Store, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        with caplog.at_level(logging.ERROR, logger="probe.statuspage"):
            result = await poller(f"http://127.0.0.1:{port}", store, client).poll()
    assert result.error is not None
    assert result.error.startswith("cannot fetch")
    assert len(caplog.records) == 1
    assert store.windows() == []


async def test_bad_items_are_warned_about_and_skipped(
    page: tuple[FakePage, str], store: Store, client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake, url = page
    fake.document = feed({"id": "x"}, item("m1", "2026-10-20T02:00:00Z", "2026-10-20T04:00:00Z"))
    with caplog.at_level(logging.WARNING, logger="probe.statuspage"):
        result = await poller(url, store, client).poll()
    assert (result.put, result.problems, result.error) == (1, 1, None)
    (warning,) = caplog.records
    assert "scheduled_maintenances[0] (id 'x'): scheduled_for: expected a time" in (
        warning.getMessage())


class BrokenStore:
    """A store that refuses everything (disk gone)."""

    def windows(self) -> list[StoredWindow]:
        raise StoreError("agent.db: cannot read maintenance windows: disk I/O error")

    def add_window(self, window: StoredWindow) -> None:
        raise AssertionError("never reached")

    def delete_window(self, window_id: str) -> bool:
        raise AssertionError("never reached")


async def test_a_store_error_is_one_line(
    page: tuple[FakePage, str], client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    _, url = page
    with caplog.at_level(logging.ERROR, logger="probe.statuspage"):
        result = await poller(url, BrokenStore(), client).poll()
    assert result.error == "agent.db: cannot read maintenance windows: disk I/O error"
    assert len(caplog.records) == 1


async def test_run_polls_until_stopped_and_reports_changes(
    page: tuple[FakePage, str], store: Store, client: httpx.AsyncClient
) -> None:
    fake, url = page
    stop, changes = asyncio.Event(), []
    running = asyncio.create_task(poller(url, store, client, every=1.0).run(
        stop, lambda: changes.append(fake.hits)))
    while fake.hits < 2:
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(running, 60)
    assert changes == [1]  # the first poll stored two windows; the second changed nothing
    assert len(store.windows()) == 2


async def test_stopping_abandons_a_slow_page(
    page: tuple[FakePage, str], store: Store, client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake, url = page
    fake.trickle = 1.0  # a few minutes for the whole answer
    stop = asyncio.Event()
    with caplog.at_level(logging.INFO, logger="probe.statuspage"):
        running = asyncio.create_task(poller(url, store, client, timeout=600.0).run(stop))
        while fake.hits < 1:
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(running, 60)
    assert store.windows() == []
    assert [r.levelname for r in caplog.records] == ["INFO"]
    assert "the agent is stopping" in caplog.records[0].getMessage()
