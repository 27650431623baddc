"""The HTML of the simulator's web app: sign-in, landing and call pages.

Plain strings, no template engine: three small pages. Everything that comes from a
request or the config (``next``, a username, an account name) goes through
``html.escape``; nothing secret is ever written into a page. The call page's script
reads its one parameter, the offer URL, from a ``data-`` attribute, so no value is
ever spliced into JavaScript.
"""

from __future__ import annotations

from html import escape

__all__ = ["call_page", "landing_page", "signin_page"]

_HEAD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title} · Lifesize (simulator)</title></head>
<body>
"""
_TAIL = "</body></html>\n"

_CALL_SCRIPT = """"use strict";
const callState = document.getElementById("call-state");
const remote = document.getElementById("remote");
const offerUrl = document.getElementById("call").dataset.offer;
const show = (text) => { callState.textContent = text; };

function gathered(pc, most) {
  return new Promise((resolve) => {
    const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, most);
    done();
  });
}

async function call() {
  const local = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
  const pc = new RTCPeerConnection();
  window.__pc = pc;
  window.addEventListener("pagehide", () => pc.close());
  const incoming = new MediaStream();
  remote.srcObject = incoming;
  pc.addEventListener("connectionstatechange", () => show(pc.connectionState));
  pc.addEventListener("track", (event) => incoming.addTrack(event.track));
  for (const track of local.getTracks()) pc.addTrack(track, local);
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc, 5000);
  const offer = {sdp: pc.localDescription.sdp, type: pc.localDescription.type};
  const answer = await fetch(offerUrl, {
    method: "POST", headers: {"content-type": "application/json"},
    body: JSON.stringify(offer)});
  if (!answer.ok) throw new Error(`the offer was refused: HTTP ${answer.status}`);
  await pc.setRemoteDescription(await answer.json());
  show(pc.connectionState);
}

call().catch((error) => { show("error"); console.error(`call failed: ${error.message}`); });
"""

_BROKEN = 'throw new TypeError("injected fault js_error: the call script broke at start");\n'
"""Fault ``js_error``: an uncaught error before any RTCPeerConnection exists."""


def signin_page(*, next_path: str, username: str = "", wrong: bool = False,
                renamed: bool = False) -> str:
    """The sign-in form; ``wrong`` adds the error message, ``renamed`` (fault
    ``ui_change``) gives the submit button another id, as a redesign would."""
    button = "sign-in-button" if renamed else "login"
    error = ('<p id="signin-error" role="alert">Wrong email or password</p>\n'
             if wrong else "")
    return (_HEAD.format(title="Sign in") + "<h1>Sign in to Lifesize</h1>\n" + error
            + '<form id="signin" method="post" action="/signin">\n'
            + '<label for="email">Email</label>\n'
            + '<input id="email" name="username" type="text" autocomplete="username"'
            + f' value="{escape(username)}">\n'
            + '<label for="password">Password</label>\n'
            + '<input id="password" name="password" type="password"'
            + ' autocomplete="current-password">\n'
            + f'<input type="hidden" name="next" value="{escape(next_path)}">\n'
            + f'<button id="{button}" type="submit">Sign in</button>\n</form>\n' + _TAIL)


def landing_page(*, account: str) -> str:
    """The signed-in landing page: one button that starts a call in a fresh meeting."""
    return (_HEAD.format(title="Meetings") + f"<h1>{escape(account)}</h1>\n"
            + '<form method="post" action="/call/">\n'
            + '<button id="start-call">Start a call</button>\n</form>\n' + _TAIL)


def call_page(*, extension: str, broken: bool = False) -> str:
    """The call page of meeting ``extension``; ``broken`` is fault ``js_error``."""
    ext = escape(extension)
    script = _CALL_SCRIPT.replace('"use strict";\n', '"use strict";\n' + _BROKEN) \
        if broken else _CALL_SCRIPT
    return (_HEAD.format(title=f"Meeting {ext}")
            + f'<main id="call" data-offer="/call/{ext}/offer">\n'
            + f"<h1>Meeting {ext}</h1>\n"
            + '<p>Connection: <output id="call-state">starting</output></p>\n'
            + '<video id="remote" autoplay playsinline muted></video>\n</main>\n'
            + f"<script>\n{script}</script>\n" + _TAIL)
