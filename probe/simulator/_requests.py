"""What every endpoint of the simulator reads from a request: its state and its body."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from probe.simulator.peer import Peers
from probe.simulator.state import Simulator

__all__ = ["body", "peers", "simulator"]


def simulator(request: Request) -> Simulator:
    """The simulator the app serves now (tests swap it between tests)."""
    sim: Simulator = request.app.state.sim
    return sim


def peers(request: Request) -> Peers:
    """The app's WebRTC peers: they outlive a swap of the simulator, to be closed."""
    open_peers: Peers = request.app.state.peers
    return open_peers


async def body(request: Request) -> Any:
    """The JSON or form body as a dict or list; None when it is neither.

    Forms are parsed here: Starlette's form parser needs python-multipart, which this
    project does not depend on.
    """
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    try:
        return await request.json()
    except ValueError:
        return None
