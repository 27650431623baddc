"""The simulator's WebRTC answerer: an aiortc peer per call page, on loopback only.

The call page's offer is answered by an ``RTCPeerConnection`` in the simulator's own
event loop, which sends a generated video track (a colour bar moving across 320x240,
15 frames a second: cheap to encode, and every frame differs) and an audio track
(silence, but real Opus packets). Every address in play is 127.0.0.1:

- the offer's candidates that are not 127.0.0.1 are dropped before
  ``setRemoteDescription``, so the answerer never sends a packet off the machine;
- there are no STUN or TURN servers (``iceServers=[]``; aiortc's default is Google's);
- the answerer gathers on 127.0.0.1 only. aioice 0.13 has no parameter for that: its
  ``gather_candidates`` asks the module function ``aioice.ice.get_host_addresses`` for
  the interfaces, and that function leaves 127.0.0.1 out on purpose.
  ``loopback_gathering()`` replaces that function, once, by one that answers
  ``["127.0.0.1"]`` inside it (a context variable) and asks the original outside it;
- checks from any other address are never answered. The browser sends checks to our
  127.0.0.1 candidate from each of its own host candidates, and one from the machine's
  LAN address would otherwise be answered there (aioice learns it as a peer-reflexive
  candidate): a pair, and media, on an address that is not loopback. aiortc's ICE
  connections are made by ``aiortc.rtcicetransport.Connection``, which the same context
  manager replaces, once, by ``_LoopbackConnection``: made inside it, a connection
  ignores binding requests from other addresses than 127.0.0.1.

  The answerer enters it only around its own negotiation, where aiortc makes its
  connections and gathers (the tasks it starts there inherit the context), so every
  other user of aioice or aiortc in the process works as before. The tests check every
  ``a=candidate`` and ``c=`` line of the answer, and every pair the browser saw succeed,
  so a change in aioice or aiortc shows at once. (aioice also drops a component the
  remote side offered no candidate for, so an offer without a 127.0.0.1 candidate gets
  an answer without any.)

A peer closes itself after ``lifetime`` seconds, when its connection fails or closes,
and at ``Peers.close_all``, which the app's lifespan calls at shutdown (every server of
the simulator runs with the lifespan protocol on).
At most ``limit`` are open at once. The answer only sends: the page's fake camera is
never decoded here, which keeps a call cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import aioice.ice
import aiortc.rtcicetransport
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, MediaStreamTrack

from probe.simulator.media import ColourBar, Mute

__all__ = ["LOOPBACK", "Behaviour", "Peers", "PeersFull", "keep_loopback", "loopback_gathering"]

LOOPBACK = "127.0.0.1"
_LOOPBACK_ONLY = contextvars.ContextVar("simulator_loopback_only", default=False)
_host_addresses = aioice.ice.get_host_addresses


class PeersFull(Exception):
    """As many peers are open as the simulator allows; the caller says 503."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Behaviour:
    """What a peer does: ``ice=False`` can never connect, ``media=False`` sends nothing."""

    ice: bool = True
    media: bool = True


def _loopback_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    if _LOOPBACK_ONLY.get():
        return [LOOPBACK] if use_ipv4 else []
    return _host_addresses(use_ipv4=use_ipv4, use_ipv6=use_ipv6)


class _LoopbackConnection(aioice.ice.Connection):
    """An ICE connection that, made inside ``loopback_gathering``, answers no check
    from another address than 127.0.0.1 (so it never learns a peer-reflexive one)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loopback_only = _LOOPBACK_ONLY.get()

    def request_received(self, message: Any, addr: tuple[str, int], *args: Any) -> None:
        if self._loopback_only and addr[0] != LOOPBACK:
            return
        super().request_received(message, addr, *args)


@contextlib.contextmanager
def loopback_gathering() -> Iterator[None]:
    """Inside, aiortc peers of this task gather host candidates on 127.0.0.1 only and
    answer ICE checks from 127.0.0.1 only."""
    if aioice.ice.get_host_addresses is not _loopback_addresses:
        aioice.ice.get_host_addresses = _loopback_addresses
    made_by = vars(aiortc.rtcicetransport)  # where aiortc looks ``Connection`` up
    if made_by["Connection"] is not _LoopbackConnection:
        made_by["Connection"] = _LoopbackConnection
    token = _LOOPBACK_ONLY.set(True)
    try:
        yield
    finally:
        _LOOPBACK_ONLY.reset(token)


def keep_loopback(sdp: str) -> str:
    """``sdp`` without its candidates on other addresses than 127.0.0.1.

    A candidate line reads ``a=candidate:<foundation> <component> <transport>
    <priority> <address> <port> typ …``.
    """
    return _drop_candidates(sdp, lambda fields: len(fields) < 5 or fields[4] != LOOPBACK)


def _drop_candidates(sdp: str, drop: Callable[[list[str]], bool]) -> str:
    return "".join(f"{line}\r\n" for line in sdp.splitlines()
                   if not (line.startswith("a=candidate:") and drop(line.split())))


def _unreachable(sdp: str) -> str:
    """``sdp`` with a made-up ICE password: the browser's checks can never pass."""
    wrong = secrets.token_hex(12)
    return "".join(f"a=ice-pwd:{wrong}\r\n" if line.startswith("a=ice-pwd:") else f"{line}\r\n"
                   for line in sdp.splitlines())


def _track(kind: str, media: bool) -> MediaStreamTrack:
    if not media:
        return Mute(kind)
    return ColourBar() if kind == "video" else AudioStreamTrack()


class Peers:
    """The open peers of one app: answers offers and closes what it opened."""

    def __init__(self, *, limit: int = 32, lifetime: float = 60.0) -> None:
        self.limit = limit
        self.lifetime = lifetime
        self._open: dict[RTCPeerConnection, asyncio.TimerHandle] = {}
        self._closing: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._open)

    async def answer(self, offer: str, behaviour: Behaviour = Behaviour()) -> str:
        """The answer SDP to an offer SDP, from a new peer (``PeersFull`` at the limit)."""
        if len(self._open) >= self.limit:
            raise PeersFull(f"{self.limit} calls are open")
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        loop = asyncio.get_running_loop()
        self._open[pc] = loop.call_later(self.lifetime, self._close_soon, pc)
        pc.add_listener("connectionstatechange", lambda: self._on_state(pc))
        try:
            return await _negotiate(pc, offer, behaviour)
        except BaseException:
            await self.close(pc)
            raise

    def _on_state(self, pc: RTCPeerConnection) -> None:
        if pc.connectionState in ("failed", "closed"):
            self._close_soon(pc)

    def _close_soon(self, pc: RTCPeerConnection) -> None:
        if pc in self._open:
            task = asyncio.get_running_loop().create_task(self.close(pc))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def close(self, pc: RTCPeerConnection) -> None:
        """Close one peer and stop its tracks; nothing if it is closed already."""
        timer = self._open.pop(pc, None)
        if timer is None:
            return
        timer.cancel()
        tracks = [sender.track for sender in pc.getSenders() if sender.track is not None]
        await pc.close()
        for track in tracks:
            track.stop()

    async def close_all(self) -> int:
        """Close every open peer (at shutdown); how many there were."""
        count = len(self._open)
        await asyncio.gather(*(self.close(pc) for pc in list(self._open)))
        await asyncio.gather(*self._closing)
        return count


async def _negotiate(pc: RTCPeerConnection, offer: str, behaviour: Behaviour) -> str:
    """Answer with one track per audio or video line of the offer, sending only.

    Without ICE the answerer keeps none of the offer's candidates (so it never sends a
    check the browser could learn its address from) and answers with a made-up ICE
    password (so the browser's checks fail theirs).
    """
    remote = keep_loopback(offer) if behaviour.ice else _drop_candidates(offer, lambda _: True)
    with loopback_gathering():  # the ICE connections are made here
        await pc.setRemoteDescription(RTCSessionDescription(sdp=remote, type="offer"))
    media = [t for t in pc.getTransceivers() if t.kind in ("audio", "video")]
    if not media:
        raise ValueError("the offer has no audio or video")
    for transceiver in media:
        transceiver.sender.replaceTrack(_track(transceiver.kind, behaviour.media))
        transceiver.direction = "sendonly"  # the page's camera is not needed: no decoding
    answer = await pc.createAnswer()
    with loopback_gathering():
        await pc.setLocalDescription(answer)
    sdp = pc.localDescription.sdp
    return sdp if behaviour.ice else _unreachable(sdp)
