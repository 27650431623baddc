"""Watching a call page's WebRTC: did it connect, and does media flow?

``RECORDER`` runs in every page before the page's own scripts (an init script): it
replaces ``RTCPeerConnection`` by a subclass that records every instance, so that the
probe can ask each of them for ``getStats()`` without knowing how the web app is
written. ``expect_media`` polls those statistics until the call shows what a user
would call a working call (connected, video frames decoded and still rising, audio
packets arriving) or the deadline passes; then the last sample says what was missing.
"""

from __future__ import annotations

from typing import Any

import anyio
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from probe.flows._page import Slow
from probe.flows.base import Clock
from probe.flows.errors import BadResponse, IceFailed, NoMedia, ProbeFailure

__all__ = ["POLL_SECONDS", "RECORDER", "expect_media", "webrtc_report"]

POLL_SECONDS = 0.1
"""How often statistics are read: ``connected`` and ``first_frame`` are this exact."""

RECORDER = """(() => {
  if (window.__probePeers || !window.RTCPeerConnection) return;
  const peers = window.__probePeers = [];
  const Native = window.RTCPeerConnection;
  class Recorded extends Native {
    constructor(...args) {
      super(...args);
      const entry = {pc: this, states: []};
      peers.push(entry);
      const note = () => entry.states.push(
        [Date.now(), this.connectionState, this.iceConnectionState]);
      this.addEventListener('connectionstatechange', note);
      this.addEventListener('iceconnectionstatechange', note);
    }
  }
  window.RTCPeerConnection = Recorded;
  window.webkitRTCPeerConnection = Recorded;
})();"""

_SAMPLE = """async () => {
  const peers = window.__probePeers || [];
  const sample = {peers: peers.length, connected: false, failed: peers.length > 0,
                  frames: 0, audio: 0};
  for (const {pc} of peers) {
    const state = pc.connectionState, ice = pc.iceConnectionState;
    if (state === 'connected' || ice === 'connected' || ice === 'completed') {
      sample.connected = true;
    }
    if (!['failed', 'closed'].includes(state)) sample.failed = false;
    (await pc.getStats()).forEach((r) => {
      if (r.type !== 'inbound-rtp') return;
      const kind = r.kind || r.mediaType;
      if (kind === 'video') sample.frames = Math.max(sample.frames, r.framesDecoded || 0);
      if (kind === 'audio') sample.audio = Math.max(sample.audio, r.packetsReceived || 0);
    });
  }
  if (sample.connected) sample.failed = false;
  return sample;
}"""

_REPORT = """async () => {
  const out = [];
  for (const {pc, states} of window.__probePeers || []) {
    const stats = [];
    try { (await pc.getStats()).forEach((r) => stats.push(r)); }
    catch (e) { stats.push({error: String(e)}); }
    out.push({connectionState: pc.connectionState, iceConnectionState: pc.iceConnectionState,
              iceGatheringState: pc.iceGatheringState, signalingState: pc.signalingState,
              states, local: pc.localDescription && pc.localDescription.sdp,
              remote: pc.remoteDescription && pc.remoteDescription.sdp, stats});
  }
  return {url: location.href, peerConnections: out};
}"""

Sample = dict[str, Any]


async def _sample(page: Page, remaining: float) -> Sample:
    """One reading; a page between two documents reads as no peer connection yet."""
    try:
        with anyio.fail_after(max(remaining, POLL_SECONDS)):
            result: Sample = await page.evaluate(_SAMPLE)
    except PlaywrightError as exc:
        if "context was destroyed" not in exc.message:
            raise
        result = {"peers": 0, "connected": False, "failed": False, "frames": 0, "audio": 0}
    return result


async def expect_media(page: Page, *, began: float, deadline: float, min_frames: int,
                       clock: Clock, durations: dict[str, float],
                       samples: list[Sample]) -> None:
    """Poll until the call plays, or raise what was missing at ``deadline``.

    ``began`` is when the call step started: ``durations`` gains ``connected`` and
    ``first_frame``, seconds from then. ``samples`` keeps every reading, for evidence.
    A reading still unanswered at the deadline leaves the verdict to the last one
    answered (``timeout`` when there is none).
    """
    first_frames: int | None = None
    last: Sample | None = None
    while True:
        try:
            sample = await _sample(page, deadline - clock.monotonic())
        except TimeoutError:  # a starved page answered no reading before the deadline
            if last is None:
                raise Slow("the call page answered no statistics reading in time") from None
            raise _missing(last, min_frames) from None
        last = sample
        now = clock.monotonic()
        samples.append({"t": round(now - began, 3), **sample})
        if sample["connected"]:
            durations.setdefault("connected", now - began)
        if sample["frames"] > 0:
            durations.setdefault("first_frame", now - began)
            first_frames = sample["frames"] if first_frames is None else first_frames
        if _plays(sample, first_frames, min_frames):
            return
        if sample["failed"]:
            raise IceFailed(f"every peer connection failed ({sample['peers']})")
        if now + POLL_SECONDS >= deadline:
            raise _missing(sample, min_frames)
        await clock.sleep(POLL_SECONDS)


def _plays(sample: Sample, first_frames: int | None, min_frames: int) -> bool:
    rising = first_frames is not None and sample["frames"] > first_frames
    return bool(sample["connected"] and rising and sample["frames"] >= min_frames
                and sample["audio"] > 0)


def _missing(sample: Sample, min_frames: int) -> ProbeFailure:
    """The verdict at the deadline, from the last reading."""
    if not sample["peers"]:
        return BadResponse("the call page made no RTCPeerConnection")
    if not sample["connected"]:
        return IceFailed("the peer connection never connected")
    return NoMedia(f"connected, but {sample['frames']} video frames decoded "
                   f"(want {min_frames}, rising) and {sample['audio']} audio packets")


async def webrtc_report(page: Page, *, timeout: float) -> Any:
    """Every recorded peer connection's state, SDP and full ``getStats()``."""
    with anyio.fail_after(timeout):
        return await page.evaluate(_REPORT)

