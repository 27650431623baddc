"""A fake Lifesize Cloud with fault injection, for demos and end-to-end tests."""

from __future__ import annotations

from probe.http_server import running
from probe.simulator.app import create_app
from probe.simulator.faults import FaultBook, FaultSpec
from probe.simulator.loading import demo_config, load_simulator
from probe.simulator.state import Simulator, SimUser

__all__ = [
    "FaultBook",
    "FaultSpec",
    "SimUser",
    "Simulator",
    "create_app",
    "demo_config",
    "load_simulator",
    "running",
]
