"""The simulator's web app over real HTTP: sign-in, sessions, pages, faults, offers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from probe.simulator.peer import LOOPBACK, keep_loopback
from tests.simulator.calls import (
    ALICE,
    CAROL,
    Offerer,
    addresses,
    sign_in,
    start_call,
    wait_until,
)


@pytest.fixture
def web(live_sim: Any) -> Iterator[httpx.Client]:
    """A browser-like client of the live simulator; every peer is closed afterwards."""
    with httpx.Client(base_url=live_sim.url, timeout=10) as client:
        yield client
        client.delete("/_sim/peers")


@pytest.fixture
async def caller(live_sim: Any) -> AsyncIterator[httpx.AsyncClient]:
    """Alice, signed in, as an async client (an offerer's loop must keep running)."""
    async with httpx.AsyncClient(base_url=live_sim.url, timeout=10) as client:
        answer = await client.post("/signin", data={"username": ALICE[0],
                                                    "password": ALICE[1]})
        assert answer.status_code == 303
        yield client
        await client.delete("/_sim/peers")


def test_the_app_sends_a_stranger_to_sign_in(web: httpx.Client) -> None:
    answer = web.get("/app/")
    assert (answer.status_code, answer.headers["location"]) == (302, "/signin?next=/app/")


def test_the_signin_form_has_the_contract_fields(web: httpx.Client) -> None:
    page = web.get("/signin", params={"next": "/call/42"}).text
    for markup in ('<form id="signin" method="post" action="/signin">',
                   '<input id="email" name="username"', '<input id="password" name="password"',
                   'type="password"', '<input type="hidden" name="next" value="/call/42">',
                   '<button id="login" type="submit">Sign in</button>'):
        assert markup in page


def test_a_good_password_opens_a_session_and_follows_next(web: httpx.Client,
                                                           live_sim: Any) -> None:
    answer = web.post("/signin", data={"username": ALICE[0], "password": ALICE[1],
                                       "next": "/app/?tab=1"})
    assert (answer.status_code, answer.headers["location"]) == (303, "/app/?tab=1")
    token = web.cookies["ls_web"]
    assert answer.headers["set-cookie"] == f"ls_web={token}; HttpOnly; Path=/; SameSite=Lax"
    landing = web.get("/app/")
    assert landing.status_code == 200
    assert '<button id="start-call">Start a call</button>' in landing.text
    assert web.get("/_sim/stats").json()["web_logins"] == 1
    assert live_sim.sim.session_account(token) == "acme"


@pytest.mark.parametrize("user", [(ALICE[0], "wrong"), ("nobody@acme.example", ALICE[1]),
                                  (ALICE[0], "")])
def test_a_bad_password_shows_the_form_again(web: httpx.Client, user: tuple[str, str]) -> None:
    answer = web.post("/signin", data={"username": user[0], "password": user[1]})
    assert answer.status_code == 200
    assert '<p id="signin-error" role="alert">Wrong email or password</p>' in answer.text
    assert '<button id="login"' in answer.text
    assert "ls_web" not in web.cookies
    assert web.get("/app/").status_code == 302


def test_a_forged_cookie_is_no_session(web: httpx.Client) -> None:
    web.cookies.set("ls_web", "forged")
    assert web.get("/app/").status_code == 302


@pytest.mark.parametrize(("given", "kept"), [
    ("/call/123?x=1#top", "/call/123?x=1#top"),
    ("https://evil.example/app/", "/app/"),
    ("//evil.example/app/", "/app/"),
    ("/\\evil.example/app/", "/app/"),
    ("javascript:alert(1)", "/app/"),
    ("/app/\r\nSet-Cookie: x=1", "/app/"),
    ("", "/app/"),
])
def test_next_honours_local_paths_only(web: httpx.Client, given: str, kept: str) -> None:
    answer = web.post("/signin", data={"username": ALICE[0], "password": ALICE[1],
                                       "next": given})
    assert answer.headers["location"] == kept
    form = web.get("/signin", params={"next": given}).text
    assert f'name="next" value="{kept.replace("&", "&amp;")}"' in form


def test_user_input_is_escaped_and_the_password_never_echoed(web: httpx.Client) -> None:
    evil = '"><script>alert(1)</script>'
    page = web.post("/signin", data={"username": evil, "password": "s3cret-guess"}).text
    assert "<script>" not in page
    assert "&quot;&gt;&lt;script&gt;" in page
    assert "s3cret-guess" not in page


def test_a_call_starts_in_a_fresh_meeting_of_the_account(web: httpx.Client,
                                                         live_sim: Any) -> None:
    sign_in(web)
    first, second = start_call(web), start_call(web)
    assert first != second
    assert first.startswith("/call/")
    page = web.get(first)
    assert page.status_code == 200
    for markup in ('<video id="remote" autoplay playsinline muted>', 'id="call-state"',
                   f'data-offer="{first}/offer"'):
        assert markup in page.text
    assert live_sim.sim.has_meeting("acme", first.removeprefix("/call/"))


def test_a_call_page_needs_a_session_of_its_account(live_sim: Any) -> None:
    with httpx.Client(base_url=live_sim.url) as alice, \
            httpx.Client(base_url=live_sim.url) as carol, \
            httpx.Client(base_url=live_sim.url) as stranger:
        sign_in(alice)
        sign_in(carol, CAROL)
        call = start_call(alice)
        answer = stranger.get(call)
        assert (answer.status_code, answer.headers["location"]) == (
            302, f"/signin?next={call}")
        assert carol.get(call).status_code == 404
        assert stranger.post(f"{call}/offer", json={"sdp": "", "type": "offer"}
                             ).status_code == 401


@pytest.mark.parametrize("offer", [{"sdp": "v=0", "type": "answer"}, {"type": "offer"}, [1],
                                   {"sdp": "garbage", "type": "offer"},
                                   {"sdp": "v=0\r\n", "type": "offer"}])
def test_an_offer_must_be_an_offer(web: httpx.Client, offer: Any) -> None:
    sign_in(web)
    assert web.post(f"{start_call(web)}/offer", json=offer).status_code == 400
    assert web.get("/_sim/stats").json()["peers_open"] == 0


def test_ui_change_renames_the_login_button(web: httpx.Client, live_sim: Any) -> None:
    live_sim.fault(step="login", mode="ui_change")
    page = web.get("/signin").text
    assert 'id="login"' not in page
    assert '<button id="sign-in-button" type="submit">Sign in</button>' in page
    sign_in(web)  # the form still works: only its markup changed


def test_js_error_throws_before_any_peer_connection(web: httpx.Client,
                                                    live_sim: Any) -> None:
    sign_in(web)
    call = start_call(web)
    live_sim.fault(step="call", mode="js_error")
    script = web.get(call).text.split("<script>")[1]
    assert script.index("throw new TypeError") < script.index("new RTCPeerConnection")


def test_reject_auth_refuses_good_credentials_on_the_form(web: httpx.Client,
                                                          live_sim: Any) -> None:
    live_sim.fault(step="login", mode="reject_auth", accounts=["acme"])
    answer = web.post("/signin", data={"username": ALICE[0], "password": ALICE[1]})
    assert (answer.status_code, "signin-error" in answer.text) == (200, True)
    assert "ls_web" not in web.cookies
    assert web.get("/signin").status_code == 200  # no account yet: not hit
    sign_in(web, CAROL)  # another account: not hit


def test_reject_auth_on_a_page_is_a_401(web: httpx.Client, live_sim: Any) -> None:
    sign_in(web)
    live_sim.fault(step="login", mode="reject_auth")
    assert web.get("/app/").status_code == 401


@pytest.mark.parametrize(("path", "step"), [("/signin", "login"), ("/app/", "login")])
def test_an_error_fault_is_the_status_of_the_document(web: httpx.Client, live_sim: Any,
                                                      path: str, step: str) -> None:
    live_sim.fault(step=step, mode="error", status=502)
    assert web.get(path).status_code == 502


def test_an_error_fault_on_call_hits_the_call_page_not_the_login(
        web: httpx.Client, live_sim: Any) -> None:
    sign_in(web)
    call = start_call(web)
    live_sim.fault(step="call", mode="error")
    assert web.get(call).status_code == 503
    assert web.get("/app/").status_code == 200


def test_a_timeout_fault_hangs_the_document(web: httpx.Client, live_sim: Any) -> None:
    live_sim.fault(step="login", mode="timeout", seconds=5)
    with pytest.raises(httpx.ReadTimeout):
        web.get("/signin", timeout=0.5)


def test_a_slow_fault_trickles_the_document(web: httpx.Client, live_sim: Any) -> None:
    live_sim.fault(step="login", mode="slow", delay=0.3)
    answer = web.get("/signin")
    assert answer.text.startswith(" ")
    assert '<form id="signin"' in answer.text


def test_keep_loopback_drops_every_other_candidate() -> None:
    lines = ["v=0", "a=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host",
             "a=candidate:2 1 udp 2130706431 192.0.2.2 5000 typ host",
             "a=candidate:3 1 udp 2130706431 fd00::2 5000 typ host",
             "a=candidate:4 1 udp 2130706431 0b1f.local 5000 typ host",
             "a=candidate:5 1 tcp 1518280447 127.0.0.2 9 typ host tcptype active",
             "a=candidate:broken", "a=end-of-candidates"]
    kept = keep_loopback("\r\n".join(lines)).splitlines()
    assert kept == [lines[0], lines[1], lines[-1]]


@pytest.mark.anyio
async def test_the_answer_holds_no_address_but_loopback(caller: httpx.AsyncClient) -> None:
    offerer = Offerer()
    try:
        offer = await offerer.offer()
        foreign = ["a=candidate:9 1 udp 2130706431 192.0.2.2 5000 typ host",
                   "a=candidate:8 1 udp 2130706431 fd00::2 5001 typ host"]
        offer = offer.replace("a=end-of-candidates", "\r\n".join([*foreign,
                                                               "a=end-of-candidates"]))
        call = (await caller.post("/call/")).headers["location"]
        answer = (await caller.post(f"{call}/offer", json={"sdp": offer, "type": "offer"})).json()
        assert answer["type"] == "answer"
        assert "a=candidate:" in answer["sdp"]
        assert addresses(answer["sdp"]) == {LOOPBACK}
        await offerer.accept(answer["sdp"])
        assert await wait_until(lambda: offerer.frames["video"] > 5
                                and offerer.frames["audio"] > 0)
        stats = (await caller.get("/_sim/stats")).json()
        assert (stats["calls_answered"], stats["peers_open"]) == (1, 1)
    finally:
        await offerer.close()


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["no_ice", "no_media"])
async def test_no_ice_never_connects_and_no_media_sends_nothing(
        caller: httpx.AsyncClient, live_sim: Any, mode: str) -> None:
    live_sim.fault(step="call", mode=mode)
    offerer = Offerer()
    try:
        call = (await caller.post("/call/")).headers["location"]
        offer = {"sdp": await offerer.offer(), "type": "offer"}
        answer = (await caller.post(f"{call}/offer", json=offer)).json()
        assert addresses(answer["sdp"]) <= {LOOPBACK, "0.0.0.0"}
        await offerer.accept(answer["sdp"])
        connected = await wait_until(lambda: offerer.pc.connectionState == "connected", 3)
        assert connected == (mode == "no_media")
        await wait_until(lambda: sum(offerer.frames.values()) > 0, 1)
        assert sum(offerer.frames.values()) == 0
    finally:
        await offerer.close()
