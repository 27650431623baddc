"""The simulator's endpoints and its fault control API, in process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from probe.credentials import Secret
from probe.simulator import FaultBook, FaultSpec, Simulator, SimUser, create_app

pytestmark = pytest.mark.anyio


@pytest.fixture
def now() -> list[float]:
    return [100.0]


@pytest.fixture
async def client(now: list[float]) -> AsyncIterator[httpx.AsyncClient]:
    sim = Simulator(
        {"u@a.example": SimUser(account="a", password=Secret("pw"))},
        api_key=Secret("k"),
        clock=lambda: now[0],
    )
    transport = httpx.ASGITransport(app=create_app(sim))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        yield client


async def session(client: httpx.AsyncClient) -> dict[str, str]:
    answer = await client.post("/api/login", json={"username": "u@a.example", "password": "pw"})
    assert answer.status_code == 200
    assert answer.cookies["session"] == answer.json()["token"]
    return {"key": "k", "Authorization": f"Bearer {answer.json()['token']}"}


async def test_a_meeting_lives_from_create_to_delete(client: httpx.AsyncClient) -> None:
    headers = await session(client)
    made = await client.post("/meeting/create", headers=headers,
                             json={"displayName": "x", "tempMeeting": True})
    assert made.status_code == 200
    body = made.json()
    assert body["statusCode"] == 202
    got = await client.get("/meeting/get", params={"uuid": body["uuid"]}, headers=headers)
    assert got.json()["state"] == "connected"
    assert got.json()["joinUrl"] == f"https://call.lifesizecloud.com/{body['extension']}"
    gone = await client.request("DELETE", "/meeting/delete", headers=headers,
                                json={"uuid": body["uuid"]})
    assert gone.status_code == 200
    again = await client.get("/meeting/get", params={"uuid": body["uuid"]}, headers=headers)
    assert again.status_code == 404


@pytest.mark.parametrize(("login", "status"), [
    ({"username": "u@a.example", "password": "wrong"}, 401),
    ({"username": "nobody", "password": "pw"}, 401),
    ("not json", 400),
])
async def test_login_checks_credentials(client: httpx.AsyncClient, login: Any,
                                        status: int) -> None:
    body = {"content": login} if isinstance(login, str) else {"json": login}
    assert (await client.post("/api/login", **body)).status_code == status


async def test_login_takes_a_form_too(client: httpx.AsyncClient) -> None:
    answer = await client.post("/api/login", data={"username": "u@a.example", "password": "pw"})
    assert answer.status_code == 200


@pytest.mark.parametrize("change", [{"key": "other"}, {"Authorization": "Bearer forged"}])
async def test_the_meeting_api_checks_key_and_session(
        client: httpx.AsyncClient, change: dict[str, str]) -> None:
    headers = {**await session(client), **change}
    answer = await client.post("/meeting/create", headers=headers, json={"displayName": "x"})
    assert answer.status_code == 401


async def test_create_needs_a_display_name(client: httpx.AsyncClient) -> None:
    answer = await client.post("/meeting/create", headers=await session(client), json={})
    assert answer.status_code == 400


async def test_faults_are_posted_listed_and_cleared(
        client: httpx.AsyncClient, now: list[float]) -> None:
    posted = await client.post("/_sim/faults", json={"step": "call", "mode": "garbage",
                                                      "accounts": ["a"], "seconds": 30})
    assert posted.status_code == 201
    assert posted.json() | {"id": 0} == {
        "id": 0, "step": "call", "mode": "garbage", "status": 503, "accounts": ["a"],
        "seconds": 30.0, "delay": 30.0, "remaining": 30.0}
    now[0] += 10
    listed = (await client.get("/_sim/faults")).json()["faults"]
    assert [f["remaining"] for f in listed] == [20.0]
    assert (await client.delete("/_sim/faults")).json() == {"cleared": 1}
    assert (await client.get("/_sim/faults")).json() == {"faults": []}


@pytest.mark.parametrize("spec", [
    {"mode": "explode"}, {"mode": "error", "step": "dial"}, {"mode": "error", "seconds": 0},
    {"mode": "error", "status": 200}, {"mode": "error", "extra": 1}, {},
])
async def test_a_bad_fault_is_refused(client: httpx.AsyncClient, spec: dict[str, Any]) -> None:
    answer = await client.post("/_sim/faults", json=spec)
    assert answer.status_code == 422
    assert answer.json()["error"]


async def test_faults_hit_their_accounts_and_steps_newest_first() -> None:
    now = [0.0]
    book = FaultBook(lambda: now[0])
    old = book.add(FaultSpec(mode="error", seconds=100))
    new = book.add(FaultSpec(mode="garbage", step="call", accounts=("b",), seconds=10))
    assert book.find("call", "b") == new
    assert book.find("call", "a") == old
    assert book.find("login", "b") == old
    assert book.find("login", None) == old
    now[0] = 10.0
    assert book.find("call", "b") == old
    now[0] = 100.0
    assert book.find("call", "b") is None


def test_a_fault_spec_is_strict() -> None:
    with pytest.raises(ValidationError):
        FaultSpec.model_validate({"mode": "error", "accounts": "*"})
