"""The agent imports a Statuspage: windows in its store, applied to its figures, kept
through a broken page; everything on 127.0.0.1 (simulator, fake page, agent)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from probe.http_server import running
from probe.simulator import create_app, load_simulator
from tests.agent.agent_config import write_config
from tests.agent.in_loop import agent_in_loop
from tests.agent.test_end_to_end import metric, until
from tests.statuspage.feeds import FakePage, feed, item

pytestmark = pytest.mark.anyio


def stamp(instant: float) -> str:
    return datetime.fromtimestamp(instant, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.fixture
def page() -> Iterator[tuple[FakePage, str]]:
    """Now inside one announced window for Video Calling; a past one for Chat."""
    now = time.time()
    fake = FakePage(document=feed(
        item("now", stamp(now - 3600), stamp(now + 3600), name="Video platform upgrade",
             status="in_progress", created=stamp(now - 7 * 86400)),
        item("chat", stamp(now - 7200), stamp(now + 7200), components=(("c2", "Chat"),)),
    ))
    with running(fake) as url:
        yield fake, url


@pytest.fixture
async def agent(tmp_path: Path, page: tuple[FakePage, str]) -> AsyncIterator[str]:
    _, page_url = page
    path = write_config(tmp_path, simulator="http://127.0.0.1:1")
    with running(create_app(load_simulator(path))) as sim:
        path = write_config(tmp_path, simulator=sim)
        with path.open("a") as config:
            config.write(f"maintenance:\n  import:\n    - {{statuspage: '{page_url}', "
                         "every: 1s, accounts: [acme], components: [Video Calling]}\n")
        async with agent_in_loop(path) as url:
            yield url


async def test_imported_windows_are_stored_applied_and_kept(
    agent: str, page: tuple[FakePage, str]
) -> None:
    fake, page_url = page
    async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
        async def imported() -> list[dict[str, object]]:
            answer = (await client.get(f"{agent}/api/v1/maintenance")).json()
            return [w for w in answer["windows"] if w["source"] == "statuspage"]

        async def active() -> bool:
            text = (await client.get(f"{agent}/metrics")).text
            return metric(text, "lifesize_maintenance_active", account="acme") == 1.0

        await until(imported)
        (window,) = await imported()
        key = page_url.removeprefix("http://")
        assert window["id"] == f"statuspage:{key}:now"
        assert (window["kind"], window["accounts"], window["name"]) == (
            "scheduled", ["acme"], "Video platform upgrade")
        await until(active)
        metrics = (await client.get(f"{agent}/metrics")).text
        assert metric(metrics, "lifesize_maintenance_active", account="globex") == 0.0
        assert "Video platform upgrade" in (await client.get(f"{agent}/")).text

        fake.raw = b"<html>502 Bad Gateway</html>"
        seen = fake.hits
        await until(lambda: _after(fake, seen + 2))
        assert await imported() == [window]  # a broken page deletes nothing
        assert (await client.get(f"{agent}/healthz")).status_code == 200


async def _after(fake: FakePage, hits: int) -> bool:
    return fake.hits >= hits
