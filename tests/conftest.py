"""Shared fixtures: the anyio backend, a fake clock, and a real simulator on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import pytest

from probe.config import Account, TargetSection, User
from probe.credentials import Secret, Secrets
from probe.simulator import Simulator, SimUser, create_app, running

pytest_plugins = ["tests.postgres"]
"""The ``postgres`` fixture (a real PostgreSQL database per session), for every folder."""

PASSWORDS = {"ALICE_PW": "alice-Pa55-w0rd!", "BOB_PW": "bob-Pa55-w0rd!",
             "CAROL_PW": "carol-Pa55-w0rd!", "API_KEY": "api-KEY-7f3a9c"}
"""The test secrets: distinctive, so a leak is found by a plain substring search."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first, in their order, then the rest in theirs.

    pytest-xdist hands tests out in this order, one worker after another, so the few
    tests that wait minutes on real agents start at once on different workers and
    overlap, instead of one of them starting near the end and running on alone.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeClock:
    """A clock that moves only when told to, or when a probe sleeps."""

    def __init__(self, wall: float = 1_790_000_000.0) -> None:
        self.wall = wall
        self.mono = 1000.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)
        await anyio.lowlevel.checkpoint()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def secrets() -> Secrets:
    return Secrets(environ=dict(PASSWORDS))


@pytest.fixture
def acme() -> Account:
    return Account(name="acme", regions=("eu",), users=(
        User(username="alice@acme.example", password_env="ALICE_PW"),
        User(username="bob@acme.example", password_env="BOB_PW")))


@pytest.fixture
def globex() -> Account:
    return Account(name="globex", regions=("eu",), users=(
        User(username="carol@globex.example", password_env="CAROL_PW"),))


def _make_target(base: str | dict[str, str], **fields: Any) -> TargetSection:
    hosts = base if isinstance(base, dict) else {"login": base, "meeting": base}
    data: dict[str, Any] = {"hosts": hosts, "api_key_env": "API_KEY",
                            "timeout": "10s", "step_timeout": "5s", **fields}
    return TargetSection.model_validate(data)


@pytest.fixture
def make_target() -> Any:
    """``make_target(base, **fields)``: a target whose hosts all point at ``base``."""
    return _make_target


@dataclass
class LiveSimulator:
    """A simulator served on 127.0.0.1 for the duration of a test."""

    sim: Simulator
    url: str

    def fault(self, **spec: Any) -> dict[str, Any]:
        answer = httpx.post(f"{self.url}/_sim/faults", json=spec)
        assert answer.status_code == 201, answer.text
        body: dict[str, Any] = answer.json()
        return body


@pytest.fixture(scope="session")
def sim_server() -> Iterator[tuple[Any, str]]:
    """One simulator server on 127.0.0.1 for the session; each test gets a fresh state."""
    empty = Simulator({}, api_key=None)
    app = create_app(empty)
    with running(app) as url:
        yield app, url


@pytest.fixture
def live_sim(sim_server: tuple[Any, str], acme: Account,
             globex: Account) -> Iterator[LiveSimulator]:
    """The session's simulator, serving a fresh simulator of acme's and globex's users;
    its calls are hung up when the test ends (a browser that closes a page does not
    always hang up, and a call lives a minute: the next test would count it)."""
    app, url = sim_server
    users = {
        user.username: SimUser(
            account=account.name, password=Secret(PASSWORDS[str(user.password_env)])
        )
        for account in (acme, globex)
        for user in account.users
    }
    sim = Simulator(users, api_key=Secret(PASSWORDS["API_KEY"]), connect_polls=1)
    app.state.sim = sim
    yield LiveSimulator(sim, url)
    app.state.sim = Simulator({}, api_key=None)
    httpx.delete(f"{url}/_sim/peers", timeout=30).raise_for_status()
