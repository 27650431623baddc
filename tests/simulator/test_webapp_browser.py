"""The web app in Debian's real Chromium: sign in, start a call, and watch the media.

Chromium runs headless with fake camera and microphone and loopback candidates allowed,
as the ``browser`` flow runs it; it is never downloaded.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from probe.simulator.peer import LOOPBACK
from tests.browser_probes import BROWSER_PROBES
from tests.simulator.calls import ALICE, wait_until

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
         "--allow-loopback-in-peer-connection"]
STATS = """async () => {
  const pc = window.__pc;
  const out = {pc: Boolean(pc), state: pc ? pc.connectionState : null,
               frames: 0, packets: 0, remote: [], pairs: []};
  if (!pc) return out;
  const stats = await pc.getStats();
  stats.forEach((report) => {
    if (report.type === "remote-candidate") out.remote.push(report.address);
    if (report.type === "candidate-pair" && report.state === "succeeded") {
      out.pairs.push([stats.get(report.localCandidateId).address,
                      stats.get(report.remoteCandidateId).address]);
    }
    if (report.type !== "inbound-rtp") return;
    if (report.kind === "video") out.frames = report.framesDecoded;
    if (report.kind === "audio") out.packets = report.packetsReceived;
  });
  return out;
}"""

pytestmark = [pytest.mark.anyio, BROWSER_PROBES,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]


@pytest.fixture
async def browser(live_sim: Any) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            yield chromium
        finally:
            await chromium.close()
            async with httpx.AsyncClient() as client:
                await client.delete(f"{live_sim.url}/_sim/peers")


async def start_call(browser: Browser, url: str) -> Page:
    """Alice signs in from the landing page and starts a call, as the flow's preset does."""
    page = await browser.new_page()
    await page.goto(f"{url}/app/")
    await page.fill("#email", ALICE[0])
    await page.fill("#password", ALICE[1])
    await page.click("#login")
    await page.wait_for_selector("#start-call")
    await page.click("#start-call")
    await page.wait_for_url(f"{url}/call/*")
    return page


class Watch:
    """The page's RTCPeerConnection as ``getStats`` last saw it, and every state seen."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.last: dict[str, Any] = {}
        self.states: set[str] = set()

    async def until(self, check: Any, seconds: float) -> bool:
        async def probe() -> bool:
            self.last = await self.page.evaluate(STATS)
            if self.last["state"]:
                self.states.add(self.last["state"])
            return bool(check(self.last))
        deadline = asyncio.get_running_loop().time() + seconds
        while not await probe():
            if asyncio.get_running_loop().time() > deadline:
                return False
            await asyncio.sleep(0.1)
        return True


async def test_a_call_connects_and_media_flows(browser: Browser, live_sim: Any) -> None:
    page = await start_call(browser, live_sim.url)
    watch = Watch(page)
    assert await watch.until(lambda s: s["frames"] > 5 and s["packets"] > 0, 30), watch.last
    assert watch.last["state"] == "connected"
    assert watch.last["remote"]
    assert set(watch.last["remote"]) == {LOOPBACK}
    # The browser's checks from its LAN address reach our 127.0.0.1 candidate too, but
    # are never answered: every pair that worked is loopback at both ends.
    assert watch.last["pairs"]
    assert {address for pair in watch.last["pairs"] for address in pair} == {LOOPBACK}
    assert await page.text_content("#call-state") == "connected"
    assert live_sim.sim.stats()["calls_answered"] == 1


async def test_no_ice_never_connects(browser: Browser, live_sim: Any) -> None:
    live_sim.fault(step="call", mode="no_ice")
    watch = Watch(await start_call(browser, live_sim.url))
    assert not await watch.until(lambda s: s["state"] == "connected", 3)
    assert watch.last["pc"]
    assert "connected" not in watch.states
    assert watch.last["frames"] == 0
    assert set(watch.last["remote"]) <= {LOOPBACK}


async def test_no_media_connects_without_frames(browser: Browser, live_sim: Any) -> None:
    live_sim.fault(step="call", mode="no_media")
    watch = Watch(await start_call(browser, live_sim.url))
    assert await watch.until(lambda s: s["state"] == "connected", 30), watch.last
    assert not await watch.until(lambda s: s["frames"] > 0 or s["packets"] > 0, 1.5)
    assert (watch.last["frames"], watch.last["packets"]) == (0, 0)


async def test_js_error_makes_no_peer_connection(browser: Browser, live_sim: Any) -> None:
    live_sim.fault(step="call", mode="js_error")
    page = await browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"{live_sim.url}/app/")
    await page.fill("#email", ALICE[0])
    await page.fill("#password", ALICE[1])
    await page.click("#login")
    await page.click("#start-call")
    await page.wait_for_url(f"{live_sim.url}/call/*")
    assert await wait_until(lambda: bool(errors), 10)
    assert "js_error" in errors[0]
    assert (await page.evaluate(STATS))["pc"] is False
    assert live_sim.sim.stats()["calls_answered"] == 0
