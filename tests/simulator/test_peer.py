"""The WebRTC answerer's lifecycle, in process: lifetime, hang-up, limit and shutdown."""

from __future__ import annotations

import gc

import httpx
import pytest

from probe.credentials import Secret
from probe.simulator import Simulator, SimUser, create_app, running
from probe.simulator.peer import Peers, PeersFull
from tests.simulator.calls import ALICE, Offerer, wait_until

pytestmark = pytest.mark.anyio


async def test_a_peer_closes_when_its_lifetime_is_over() -> None:
    peers, offerer = Peers(lifetime=0.5), Offerer()
    try:
        await offerer.accept(await peers.answer(await offerer.offer()))
        assert len(peers) == 1
        assert await wait_until(lambda: len(peers) == 0)
    finally:
        await offerer.close()
        await peers.close_all()


async def test_a_peer_closes_when_the_caller_hangs_up() -> None:
    peers, offerer = Peers(), Offerer()
    try:
        await offerer.accept(await peers.answer(await offerer.offer()))
        assert await wait_until(lambda: offerer.pc.connectionState == "connected")
        await offerer.close()
        assert await wait_until(lambda: len(peers) == 0)
    finally:
        await offerer.close()
        assert await peers.close_all() == 0


async def test_beyond_the_limit_an_offer_is_refused() -> None:
    peers, first, second = Peers(limit=1), Offerer(), Offerer()
    try:
        await peers.answer(await first.offer())
        with pytest.raises(PeersFull):
            await peers.answer(await second.offer())
        assert len(peers) == 1
    finally:
        await first.close()
        await second.close()
        assert await peers.close_all() == 1


async def test_a_full_simulator_answers_503() -> None:
    sim = Simulator({ALICE[0]: SimUser(account="acme", password=Secret(ALICE[1]))},
                    api_key=None)
    peers = Peers(limit=0)
    transport = httpx.ASGITransport(app=create_app(sim, peers=peers))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        await client.post("/signin", data={"username": ALICE[0], "password": ALICE[1]})
        call = (await client.post("/call/")).headers["location"]
        offerer = Offerer()
        try:
            answer = await client.post(f"{call}/offer",
                                       json={"sdp": await offerer.offer(), "type": "offer"})
        finally:
            await offerer.close()
    assert answer.status_code == 503


async def test_every_peer_closes_at_app_shutdown() -> None:
    sim = Simulator({ALICE[0]: SimUser(account="acme", password=Secret(ALICE[1]))},
                    api_key=None)
    peers = Peers()
    app = create_app(sim, peers=peers)
    offerers = [Offerer(), Offerer()]
    try:
        async with app.router.lifespan_context(app):
            for offerer in offerers:
                await offerer.accept(await peers.answer(await offerer.offer()))
            assert len(peers) == 2
        assert len(peers) == 0
    finally:
        for offerer in offerers:
            await offerer.close()


async def test_peers_left_open_close_when_their_server_stops() -> None:
    sim = Simulator({ALICE[0]: SimUser(account="acme", password=Secret(ALICE[1]))},
                    api_key=None)
    peers, offerer = Peers(), Offerer()
    try:
        with running(create_app(sim, peers=peers)) as url:
            async with httpx.AsyncClient(base_url=url) as client:
                await client.post("/signin", data={"username": ALICE[0], "password": ALICE[1]})
                call = (await client.post("/call/")).headers["location"]
                offer = {"sdp": await offerer.offer(), "type": "offer"}
                assert (await client.post(f"{call}/offer", json=offer)).status_code == 200
            assert len(peers) == 1
        assert len(peers) == 0
        gc.collect()  # a socket left open would be a ResourceWarning, an error here
    finally:
        await offerer.close()
