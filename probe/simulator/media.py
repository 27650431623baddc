"""The tracks the simulator's WebRTC peer sends: a moving colour bar, or nothing at all.

Frames are filled plane by plane from bytes, so no numpy is needed. 320x240 at 15
frames a second keeps the VP8 encoder cheap: a call cost the simulator about 8 % of
one core when measured (Chromium on the same machine, loopback).
"""

from __future__ import annotations

import asyncio
import fractions
import time

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import VideoFrame
from av.frame import Frame

__all__ = ["ColourBar", "Mute"]

_CLOCK_RATE = 90_000
_TIME_BASE = fractions.Fraction(1, _CLOCK_RATE)
_BACKGROUND = (40, 128, 128)
"""Y, U, V of the dark grey background."""
_BAR = (150, 44, 21)
"""Y, U, V of the bar: a bright green."""


class ColourBar(MediaStreamTrack):
    """A bar moving across a grey picture, so that every frame differs from the last."""

    kind = "video"

    def __init__(self, *, width: int = 320, height: int = 240, fps: int = 15) -> None:
        super().__init__()
        self.width, self.height, self.fps = width, height, fps
        self._count = 0
        self._start = 0.0

    async def recv(self) -> Frame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._count == 0:
            self._start = time.monotonic()
        else:
            await asyncio.sleep(self._start + self._count / self.fps - time.monotonic())
        frame = self._picture((self._count * 8) % self.width)
        frame.pts = self._count * _CLOCK_RATE // self.fps
        frame.time_base = _TIME_BASE
        self._count += 1
        return frame

    def _picture(self, left: int) -> VideoFrame:
        frame = VideoFrame(width=self.width, height=self.height, format="yuv420p")
        bar_width = self.width // 8
        for index, plane in enumerate(frame.planes):
            scale = 1 if index == 0 else 2
            start, width = left // scale, bar_width // scale
            row = bytearray([_BACKGROUND[index]]) * plane.line_size
            row[start:start + width] = bytes([_BAR[index]]) * len(row[start:start + width])
            plane.update(bytes(row) * plane.height)
        return frame


class Mute(MediaStreamTrack):
    """A track that never yields a frame: the call connects, and nothing arrives."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self._stopped = asyncio.Event()

    async def recv(self) -> Frame:
        await self._stopped.wait()
        raise MediaStreamError

    def stop(self) -> None:
        self._stopped.set()
        super().stop()
