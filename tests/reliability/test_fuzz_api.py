"""Fuzzing the maintenance API from its OpenAPI description: never a 500, and no stored
window ever breaks a later report.

Hypothesis draws sequences of requests over the operations that
``/api/v1/openapi.json`` describes (and methods it does not), with any token, content
type and body, against the real app over a real SQLite store. Every answer must be a
status the description lists for that operation (405 for a method it does not list),
with the security headers and, for errors, the JSON error shape. Afterwards the store
holds whatever the API let in, and ``report --database`` must still render every
format for the month those windows fall in.
"""

from __future__ import annotations

import json
import re
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from probe.agent.archive import Archive
from probe.agent.sla_role import SlaAgent
from probe.agent.snapshot import Snapshot
from probe.agent.web import create_app
from probe.agent.web.openapi import OPENAPI
from probe.cli import main
from probe.config import Settings
from probe.credentials import Secret
from probe.model import ProbeResult
from probe.reports import RENDERERS
from probe.store import open_store
from tests.helpers import at

TOKEN = "fuzz-T0ken-31c7"
_SCHEMAS = OPENAPI["components"]["schemas"]
SHAPES = {"/api/v1/status": _SCHEMAS["Status"]["required"],
          "/api/v1/accounts/{name}": [*_SCHEMAS["AccountSummary"]["required"],
                                      *_SCHEMAS["Account"]["allOf"][1]["required"]]}
"""The fields every 200 of the status API must hold."""
OPERATIONS = [(path, method.upper(), spec) for path, item in OPENAPI["paths"].items()
              for method, spec in item.items()]
UNDOCUMENTED = ["PUT", "PATCH", "GET", "POST", "DELETE"]
TIMES = st.sampled_from([
    "2026-10-05T10:00:00Z", "2026-10-05T10:20:00+00:00", "2026-10-05T12:10:00+02:00",
    "2026-10-31T23:59:59.999999999Z", "2026-11-01T00:00:00Z", "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00", "2026-02-30T10:00:00Z", "2026-10-05t10:00:00z",
    "2026-10-05T10:00:00", "2026-10-05 10:00:00Z", "", "now"]) | st.text(max_size=25)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)
WINDOW = st.fixed_dictionaries(
    {"kind": st.sampled_from(["scheduled", "emergency", "customer_request"]) | JSON,
     "accounts": st.sampled_from(["*", ["acme"], ["acme", "globex"]]) | JSON,
     "start": TIMES, "end": TIMES},
    optional={"name": st.text(max_size=210) | st.just("<script>alert(1)</script>") | JSON,
              "id": st.text(max_size=8)})
NAMES = st.sampled_from(["acme", "globex", "<script>alert(1)</script>", "a/b", "%2F", ""]
                        ) | st.text(max_size=12)
AUTH = st.sampled_from([None, f"Bearer {TOKEN}", f"bearer {TOKEN}", f"Bearer  {TOKEN} ",
                        "Bearer wrong", f"Basic {TOKEN}", TOKEN, "Bearer ", f"Bearer {TOKEN}x"])
TYPES = st.sampled_from([None, "application/json", "application/json; charset=utf-8",
                         "APPLICATION/JSON", "text/plain", "application/x-www-form-urlencoded"])
BODIES = (WINDOW.map(lambda w: json.dumps(w).encode()) | JSON.map(lambda v: json.dumps(v).encode())
          | st.binary(max_size=60) | st.just(b"BIG"))
"""``BIG`` stands for a 70 kB body (sent as such; a short name keeps reports readable)."""


def rfc3339(instant: float, offset_minutes: int) -> str:
    zone = timezone(timedelta(minutes=offset_minutes))
    return datetime.fromtimestamp(instant, zone).isoformat()


@st.composite
def a_good_window(draw: st.DrawFn) -> bytes:
    """A window the API must take (around the month of the report), one field perhaps
    replaced by anything."""
    start = at("2026-09-30T00:00") + draw(st.floats(0, 33 * 86400))
    end = start + draw(st.floats(0.001, 3 * 86400))
    window: dict[str, Any] = {
        "kind": draw(st.sampled_from(["scheduled", "emergency", "customer_request"])),
        "accounts": draw(st.sampled_from(["*", ["acme"], ["globex", "acme"], ["nobody"]])),
        "start": rfc3339(start, draw(st.integers(-14 * 60, 14 * 60))),
        "end": rfc3339(end, draw(st.integers(-14 * 60, 14 * 60))),
        "name": draw(st.text(max_size=40) | st.just("<script>alert(1)</script>"))}
    if draw(st.integers(0, 3)) == 0:
        window[draw(st.sampled_from(sorted(window)))] = draw(JSON | TIMES)
    return json.dumps(window).encode()


@st.composite
def a_request(draw: st.DrawFn) -> dict[str, Any]:
    path, method, _ = draw(st.sampled_from(OPERATIONS))
    if draw(st.integers(0, 9)) == 0:
        method = draw(st.sampled_from(UNDOCUMENTED))
    headers = {}
    good = draw(st.booleans())
    if (auth := f"Bearer {TOKEN}" if good else draw(AUTH)) is not None:
        headers["Authorization"] = auth
    if (kind := "application/json" if good else draw(TYPES)) is not None:
        headers["Content-Type"] = kind
    return {"path": path, "method": method, "headers": headers,
            "body": draw(a_good_window() if good else BODIES),
            "window": draw(st.integers(0, 5) if good else st.none() | st.text(max_size=12)),
            "name": draw(NAMES)}


def allowed(path: str, method: str) -> set[int]:
    spec = OPENAPI["paths"][path].get(method.lower())
    return {405} if spec is None else {int(code) for code in spec["responses"]}


async def send(client: httpx.AsyncClient, request: dict[str, Any], ids: list[str]
               ) -> httpx.Response:
    window = request["window"]
    if isinstance(window, int):
        window = ids[window % len(ids)] if ids else "none-yet"
    url = request["path"].replace("{window_id}", quote(str(window or "x"), safe=""))
    url = url.replace("{name}", quote(request["name"], safe=""))
    body = b"x" * 70_000 if request["body"] == b"BIG" else request["body"]
    return await client.request(request["method"], url, headers=request["headers"],
                                content=body)


def check(answer: httpx.Response, request: dict[str, Any]) -> None:
    event(f"{request['method']} {request['path']}: {answer.status_code}")
    assert answer.status_code < 500, (request, answer.status_code, answer.text)
    assert answer.status_code in allowed(request["path"], request["method"]), (
        request, answer.status_code, answer.text)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    if answer.status_code >= 400 and answer.status_code != 405:
        assert isinstance(answer.json()["error"], str)
    if answer.status_code == 401:
        assert answer.headers["www-authenticate"].startswith("Bearer")
    if answer.status_code == 201:
        assert set(answer.json()) == set(OPENAPI["components"]["schemas"]["Window"]["required"])
    if answer.status_code == 200 and request["path"] in SHAPES:
        assert set(SHAPES[request["path"]]) <= set(answer.json())


async def exercise(database: Path, requests: list[dict[str, Any]]) -> None:
    store = open_store(f"sqlite:///{database}", interval=60, max_gap=300)
    try:
        store.write(
            [
                ProbeResult(
                    ts=at("2026-10-05T10:00") + 60 * i,
                    account="acme",
                    region="eu",
                    ok=i >= 30,
                    step=None if i >= 30 else "login",
                    error=None if i >= 30 else "http_503",
                )
                for i in range(40)
            ]
        )
        settings = Settings.model_validate({"accounts": [{"name": "acme", "regions": ["eu"]}]})
        agent = SlaAgent(settings=settings, store=store, clock=lambda: at("2026-10-06T00:00"))
        await agent.refresh()
        app = create_app(snapshot=lambda: agent.snapshot, store=store, api_token=Secret(TOKEN),
                         archive=Archive(store=store, settings=settings,
                                         clock=lambda: at("2026-10-06T00:00")))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://agent.test") as client:
            for request in requests:
                ids = [w.id for w in store.windows()]
                check(await send(client, request, ids), request)
            listed = await client.get("/api/v1/maintenance")
            assert listed.status_code == 200
            assert len(listed.json()["windows"]) == len(store.windows())
    finally:
        store.close()


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(requests=st.lists(a_request(), min_size=1, max_size=8))
def test_no_request_is_a_server_error_and_every_report_still_renders(
        requests: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "agent.db"
        anyio.run(exercise, database, requests)
        for format_ in sorted(RENDERERS):
            code = main(["report", "--database", f"sqlite:///{database}", "--month", "2026-10",
                         "--format", format_])
            out, err = capsys.readouterr()
            assert code == 0, err
            assert out


def test_the_description_is_served_and_names_every_api_route() -> None:
    async def fetch() -> httpx.Response:
        app = create_app(snapshot=lambda: Snapshot(generated_at=0, version="t", objective=0.9),
                         store=open_store("sqlite://:memory:", interval=60, max_gap=300),
                         api_token=None)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://agent.test") as c:
            return await c.get("/api/v1/openapi.json")

    answer = anyio.run(fetch)
    assert answer.status_code == 200
    assert answer.json() == json.loads(json.dumps(OPENAPI))
    routes = {re.sub(r":\w+}", "}", route.path) for route in create_app(
        snapshot=lambda: Snapshot(generated_at=0, version="t", objective=0.9),
        store=open_store("sqlite://:memory:", interval=60, max_gap=300),
        api_token=None).routes if route.path.startswith("/api/")}  # type: ignore[attr-defined]
    assert routes == set(OPENAPI["paths"])


@pytest.mark.parametrize(("method", "path"), [
    ("DELETE", "/api/v1/maintenance/%2F0"),   # found by the fuzzer: a 404 in plain text
    ("DELETE", "/api/v1/maintenance/%2F"),    # found by the fuzzer: a 307 redirect
    ("DELETE", "/api/v1/maintenance/"),
    ("POST", "/api/v1/maintenance/"),
    ("GET", "/api/v1/nothing"),
])
def test_odd_api_paths_are_json_errors_and_never_redirects(method: str, path: str) -> None:
    async def ask() -> httpx.Response:
        app = create_app(snapshot=lambda: Snapshot(generated_at=0, version="t", objective=0.9),
                         store=open_store("sqlite://:memory:", interval=60, max_gap=300),
                         api_token=Secret(TOKEN))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://agent.test") as c:
            return await c.request(method, path, headers={"Authorization": f"Bearer {TOKEN}"})

    answer = anyio.run(ask)
    assert answer.status_code in (404, 405)
    assert isinstance(answer.json()["error"], str)
    assert answer.headers["x-content-type-options"] == "nosniff"
