"""Helpers of the web app tests: signing in over HTTP, and an aiortc offerer on loopback."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Callable

import httpx
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from probe.simulator.peer import loopback_gathering

ALICE = ("alice@acme.example", "alice-Pa55-w0rd!")
CAROL = ("carol@globex.example", "carol-Pa55-w0rd!")
CANDIDATE = re.compile(r"^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ", re.MULTILINE)
CONNECTION = re.compile(r"^c=IN IP[46] (\S+)", re.MULTILINE)


def sign_in(client: httpx.Client, user: tuple[str, str] = ALICE) -> None:
    """Sign ``client`` in through the form; it keeps the ``ls_web`` cookie."""
    answer = client.post("/signin", data={"username": user[0], "password": user[1],
                                          "next": "/app/"})
    assert answer.status_code == 303, answer.text


def start_call(client: httpx.Client) -> str:
    """A fresh meeting through the landing page's button; its call page's path."""
    answer = client.post("/call/")
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def addresses(sdp: str) -> set[str]:
    """Every address of the candidates and ``c=`` lines of ``sdp``."""
    return set(CANDIDATE.findall(sdp)) | set(CONNECTION.findall(sdp))


class Offerer:
    """An aiortc peer that offers to receive audio and video, and counts what arrives."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.frames: Counter[str] = Counter()
        self._readers: set[asyncio.Task[None]] = set()
        self.pc.add_listener("track", self._on_track)
        for kind in ("video", "audio"):
            self.pc.addTransceiver(kind, direction="recvonly")

    async def offer(self) -> str:
        with loopback_gathering():
            await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def accept(self, answer: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))

    def _on_track(self, track: MediaStreamTrack) -> None:
        task = asyncio.get_running_loop().create_task(self._read(track))
        self._readers.add(task)

    async def _read(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                await track.recv()
            except MediaStreamError:
                return
            self.frames[track.kind] += 1

    async def close(self) -> None:
        await self.pc.close()
        for task in self._readers:
            task.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)


async def wait_until(check: Callable[[], bool], seconds: float = 20) -> bool:
    """Whether ``check()`` came true within ``seconds`` (a bound, never an assertion)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True
