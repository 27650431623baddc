"""The web app through ASGITransport: routes, headers, escaping, the maintenance API."""

from __future__ import annotations

import gzip
import html
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probe.agent.exporter import CONTENT_TYPE
from probe.agent.exporter import exposition_for as render_exposition_pair
from probe.agent.snapshot import Snapshot
from probe.agent.web.app import accepts_gzip
from probe.agent.web.page import render_status_page
from probe.store import open_store
from tests.agent.conftest import EVIL, NOW, TOKEN, Changes, FakeStore, build_snapshot

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., httpx.AsyncClient]
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WINDOW = {"kind": "emergency", "accounts": ["acme"], "start": "2026-10-20T14:00:00+02:00",
          "end": "2026-10-20T13:30:00Z", "name": "DB failover"}


async def post(client: httpx.AsyncClient, body: Any,
               headers: dict[str, str | bytes] | None = None) -> httpx.Response:
    sent: dict[str, str | bytes] = {"Content-Type": "application/json"}
    sent.update(AUTH if headers is None else headers)
    return await client.post("/api/v1/maintenance", content=json.dumps(body), headers=sent)


async def test_metrics_serves_the_prerendered_exposition(
        client: httpx.AsyncClient, snapshot: Snapshot) -> None:
    answer = await client.get("/metrics")
    assert answer.status_code == 200
    assert answer.content == snapshot.exposition
    assert answer.headers["content-type"] == CONTENT_TYPE


def with_gzip(snapshot: Snapshot) -> Snapshot:
    """``snapshot`` as the agent stores it: both copies from ``render_exposition_pair``."""
    plain, packed = render_exposition_pair(snapshot)
    return replace(snapshot, exposition=plain, exposition_gzip=packed)


async def raw_get(client: httpx.AsyncClient, accept: str) -> tuple[httpx.Response, bytes]:
    """``GET /metrics`` with ``Accept-Encoding: accept``; the body as sent, not decoded."""
    async with client.stream("GET", "/metrics", headers={"Accept-Encoding": accept}) as answer:
        return answer, b"".join([chunk async for chunk in answer.aiter_raw()])


async def test_metrics_are_gzipped_for_a_scraper_that_accepts_gzip(
        make_client: MakeClient) -> None:
    shown = with_gzip(build_snapshot(evil=True))
    async with make_client(snapshot=shown) as client:
        answer, body = await raw_get(client, "gzip")
    assert answer.status_code == 200
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.headers["vary"] == "Accept-Encoding"
    assert answer.headers["content-type"] == CONTENT_TYPE
    assert int(answer.headers["content-length"]) == len(body) < len(shown.exposition) // 5
    assert body == shown.exposition_gzip
    assert gzip.decompress(body) == shown.exposition


@pytest.mark.parametrize("accept", ["identity", "", "gzip;q=0", "deflate, br", "*;q=0"])
async def test_metrics_are_plain_unless_gzip_is_accepted(
        make_client: MakeClient, accept: str) -> None:
    shown = with_gzip(build_snapshot())
    async with make_client(snapshot=shown) as client:
        answer, body = await raw_get(client, accept)
    assert "content-encoding" not in answer.headers
    assert answer.headers["vary"] == "Accept-Encoding"
    assert body == shown.exposition


@pytest.mark.parametrize("accept", ["identity", "gzip;q=0"])
async def test_metrics_are_unpacked_for_plain_scrapers_when_only_gzip_is_kept(
        make_client: MakeClient, accept: str) -> None:
    whole = with_gzip(build_snapshot(evil=True))
    kept = replace(whole, exposition=b"")
    async with make_client(snapshot=kept) as client:
        answer, body = await raw_get(client, accept)
    assert "content-encoding" not in answer.headers
    assert body == whole.exposition


async def test_metrics_are_plain_while_the_snapshot_has_no_gzip_copy(
        client: httpx.AsyncClient, snapshot: Snapshot) -> None:
    assert snapshot.exposition_gzip == b""
    answer, body = await raw_get(client, "gzip")
    assert "content-encoding" not in answer.headers
    assert body == snapshot.exposition


@pytest.mark.parametrize(("header", "accepted"), [
    ("gzip", True), ("GZIP", True), ("gzip, deflate, br, zstd", True),
    ("deflate, gzip;q=0.5", True), ("*", True), ("x-gzip", True),
    ("identity;q=1, *;q=0.1", True), ("gzip;q=0", False),
    ("gzip; q=0.000", False), ("*;q=0", False), ("*, gzip;q=0", False), ("", False),
    ("identity", False), ("br", False), ("gzip;q=nonsense", False),
])
def test_accept_encoding_is_read_with_its_weights(header: str, accepted: bool) -> None:
    assert accepts_gzip(header) is accepted


async def test_healthz_is_always_ok_and_readyz_follows_the_snapshot(
        make_client: MakeClient) -> None:
    stalled = build_snapshot(scheduler_running=False)
    async with make_client() as ready, make_client(snapshot=stalled) as not_ready:
        assert (await ready.get("/healthz")).text == "ok"
        assert (await not_ready.get("/healthz")).status_code == 200
        answer = await ready.get("/readyz")
        assert (answer.status_code, answer.text) == (200, "ok")
        answer = await not_ready.get("/readyz")
        assert (answer.status_code, answer.text) == (503, "scheduler not running")


async def test_readyz_names_a_store_that_cannot_write(make_client: MakeClient) -> None:
    broken = build_snapshot(store_writable=False, last_store_error="database or disk is full")
    async with make_client(snapshot=broken) as client:
        answer = await client.get("/readyz")
    assert answer.status_code == 503
    assert answer.text == "store not writable: database or disk is full"


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/", 200), ("GET", "/metrics", 200), ("GET", "/healthz", 200),
    ("GET", "/readyz", 200), ("GET", "/api/v1/maintenance", 200), ("GET", "/nowhere", 404),
    ("POST", "/metrics", 405), ("POST", "/api/v1/maintenance", 401),
    ("DELETE", "/api/v1/maintenance/abc", 401),
])
async def test_every_response_carries_the_security_headers(
        client: httpx.AsyncClient, method: str, path: str, status: int) -> None:
    answer = await client.request(method, path)
    assert answer.status_code == status
    assert answer.headers["content-security-policy"].startswith("default-src 'none'")
    assert "script-src" not in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"


async def test_status_page_shows_state_figures_outages_and_maintenance(
        client: httpx.AsyncClient) -> None:
    answer = await client.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["cache-control"] == "no-store"
    page = answer.text
    for text in ("acme", "globex", "down in eu-west", "in maintenance", "99.8992 %",
                 "99.9933 %", "missed", "-22s", "41m 38s", "2026-10-05T10:00:00Z", "45m 0s",
                 "login×135", "http_503×135", "no (shorter than the minimum)", "DB failover",
                 "(emergency)", "agent ready"):
        assert text in page, text
    assert "<script" not in page
    assert "://" not in page


async def test_status_page_escapes_names_and_error_texts(make_client: MakeClient) -> None:
    async with make_client(snapshot=build_snapshot(evil=True)) as client:
        page = (await client.get("/")).text
    assert html.escape(EVIL) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert html.escape(EVIL) in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "<script" not in page
    assert "<img" not in page


async def test_status_page_of_an_agent_without_data(make_client: MakeClient) -> None:
    empty = Snapshot(generated_at=NOW, version="0.1.0", objective=0.999)
    async with make_client(snapshot=empty) as client:
        answer = await client.get("/")
    assert answer.status_code == 200
    assert "No accounts probed yet." in answer.text
    assert "not ready: scheduler not running" in answer.text


async def test_declare_list_and_delete_a_window(
        client: httpx.AsyncClient, changes: Changes, store: FakeStore) -> None:
    assert (await client.get("/api/v1/maintenance")).json() == {"windows": []}
    created = await post(client, WINDOW)
    assert created.status_code == 201, created.text
    window = created.json()
    assert window == {"id": window["id"], "kind": "emergency", "accounts": ["acme"],
                      "start": "2026-10-20T12:00:00Z", "end": "2026-10-20T13:30:00Z",
                      "name": "DB failover", "created_at": "2026-10-20T12:00:00Z",
                      "source": "api"}
    assert changes.calls == 1
    assert store.saved[window["id"]].end - store.saved[window["id"]].start == 5400
    assert (await client.get("/api/v1/maintenance")).json() == {"windows": [window]}
    gone = await client.delete(f"/api/v1/maintenance/{window['id']}", headers=AUTH)
    assert gone.status_code == 204
    assert changes.calls == 2
    assert (await client.get("/api/v1/maintenance")).json() == {"windows": []}
    again = await client.delete(f"/api/v1/maintenance/{window['id']}", headers=AUTH)
    assert again.status_code == 404
    assert again.json()["field"] == "id"
    assert changes.calls == 2


async def test_a_window_for_every_account_without_a_name(client: httpx.AsyncClient) -> None:
    body = {"kind": "customer_request", "accounts": "*", "start": "2026-10-21T00:00:00Z",
            "end": "2026-10-21T00:00:00.5Z"}
    created = await post(client, body)
    assert created.status_code == 201, created.text
    assert created.json()["accounts"] == "*"
    assert created.json()["name"] == ""
    assert created.json()["end"] == "2026-10-21T00:00:00.500Z"


async def test_writes_are_refused_without_a_configured_token(make_client: MakeClient) -> None:
    async with make_client(token=None) as client:
        created = await post(client, WINDOW)
        deleted = await client.delete("/api/v1/maintenance/abc", headers=AUTH)
        listed = await client.get("/api/v1/maintenance")
    assert created.status_code == deleted.status_code == 403
    assert "agent.api_token_env" in created.json()["error"]
    assert listed.status_code == 200


@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", b"Bearer \xff",
])
async def test_a_missing_or_wrong_token_is_401_with_a_challenge(
        client: httpx.AsyncClient, store: FakeStore, authorization: str | bytes | None) -> None:
    headers: dict[str, str | bytes] = {}
    if authorization is not None:
        headers["Authorization"] = authorization
    answer = await post(client, {"not": "even valid"}, headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert TOKEN not in answer.text
    assert store.saved == {}


def without(key: str) -> dict[str, Any]:
    return {k: v for k, v in WINDOW.items() if k != key}


@pytest.mark.parametrize(("body", "field"), [
    (without("kind"), "kind"), ({**WINDOW, "kind": "planned"}, "kind"),
    ({**WINDOW, "kind": 3}, "kind"), (without("accounts"), "accounts"),
    ({**WINDOW, "accounts": []}, "accounts"), ({**WINDOW, "accounts": [""]}, "accounts"),
    ({**WINDOW, "accounts": "acme"}, "accounts"), ({**WINDOW, "accounts": [1]}, "accounts"),
    ({**WINDOW, "accounts": [" acme"]}, "accounts"), ({**WINDOW, "accounts": None}, "accounts"),
    (without("start"), "start"), ({**WINDOW, "start": "2026-10-20T12:00:00"}, "start"),
    ({**WINDOW, "start": "2026-10-20"}, "start"), ({**WINDOW, "start": 1792497600}, "start"),
    ({**WINDOW, "start": "2026-02-30T10:00:00Z"}, "start"),
    ({**WINDOW, "start": "0001-01-01T00:00:00+23:59"}, "start"),
    ({**WINDOW, "end": "9999-12-31T23:59:59-23:59"}, "end"),
    ({**WINDOW, "end": "2026-10-20T12:00:00Z"}, "end"),
    ({**WINDOW, "end": "2026-10-20T11:00:00Z"}, "end"),
    ({**WINDOW, "name": "x" * 201}, "name"), ({**WINDOW, "name": 5}, "name"),
    ({**WINDOW, "id": "mine"}, "id"), ({**WINDOW, "starts": "soon"}, "starts"),
    ([WINDOW], None), (None, None), ("window", None),
])
async def test_bad_fields_are_400_naming_the_field(
        client: httpx.AsyncClient, store: FakeStore, body: Any, field: str | None) -> None:
    answer = await post(client, body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == field
    assert answer.json()["error"]
    assert store.saved == {}


@pytest.mark.parametrize(("content", "status"), [
    (b"{", 400), (b"\xff\xfe", 400), (b'{"kind": "emergency", "kind": "scheduled"}', 400),
    (b'{"name": NaN}', 400), (b"[" * 30_000 + b"]" * 30_000, 400),
    (b" " * (64 * 1024 + 1), 413),
])
async def test_bodies_that_are_not_one_json_object_are_refused(
        client: httpx.AsyncClient, content: bytes, status: int) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    answer = await client.post("/api/v1/maintenance", content=content, headers=headers)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] is None


async def test_a_streamed_body_is_cut_off_at_the_limit(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b" " * 1024

    headers = {**AUTH, "Content-Type": "application/json"}
    answer = await client.post("/api/v1/maintenance", content=chunks(), headers=headers)
    assert answer.status_code == 413


async def test_only_json_is_accepted(client: httpx.AsyncClient) -> None:
    answer = await client.post("/api/v1/maintenance", content=json.dumps(WINDOW),
                               headers={**AUTH, "Content-Type": "text/plain"})
    assert answer.status_code == 415


async def test_a_failing_store_is_503_not_500(client: httpx.AsyncClient, store: FakeStore,
                                              changes: Changes) -> None:
    store.fail = True
    listed, created = await client.get("/api/v1/maintenance"), await post(client, WINDOW)
    assert listed.status_code == created.status_code == 503
    assert "disk I/O error" in created.json()["error"]
    assert changes.calls == 0


async def test_a_failing_refresh_does_not_undo_a_stored_window(
        make_client: MakeClient, store: FakeStore) -> None:
    async def broken() -> None:
        raise RuntimeError("refresh failed")

    async with make_client(on_change=broken) as client:
        created = await post(client, WINDOW)
    assert created.status_code == 201
    assert list(store.saved) == [created.json()["id"]]


async def test_windows_survive_a_restart_in_the_sqlite_store(
        make_client: MakeClient, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'probe.db'}"
    store = open_store(url, interval=60, max_gap=300)
    try:
        async with make_client(store=store) as client:
            created = (await post(client, WINDOW)).json()
    finally:
        store.close()
    reopened = open_store(url, interval=60, max_gap=300)
    try:
        async with make_client(store=reopened) as client:
            assert (await client.get("/api/v1/maintenance")).json() == {"windows": [created]}
    finally:
        reopened.close()


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=30), lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
FIELD_VALUES = st.dictionaries(
    st.sampled_from(["kind", "accounts", "start", "end", "name", "extra"]),
    JSON | st.sampled_from(["emergency", "*", "2026-10-20T10:00:00Z", "2026-10-20T11:00:00Z"])
    | st.just(["acme"]), max_size=6)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=FIELD_VALUES | JSON)
def test_no_input_is_ever_a_server_error(make_client: MakeClient, body: Any) -> None:
    async def attempt() -> int:
        async with make_client(store=FakeStore()) as client:
            return (await post(client, body)).status_code

    assert anyio.run(attempt) in (201, 400)


def test_status_page_says_down_only_for_a_quorum() -> None:
    """One region of three down is degraded; the account is down only by quorum (R2)."""
    snapshot = build_snapshot()
    page = render_status_page(snapshot, now=NOW)
    assert "degraded: down in eu-west, not a quorum" in page
    quorum = replace(snapshot, accounts=tuple(
        replace(a, down=True) if a.account == "acme" else a for a in snapshot.accounts))
    page = render_status_page(quorum, now=NOW)
    assert '<span class="badge down">down in eu-west</span>' in page
