"""A fake Lifesize Cloud with fault injection, for demos and end-to-end tests."""

from __future__ import annotations

from probe.serving import running
from probe.simulator.app import Simulator, SimUser, create_app
from probe.simulator.faults import FaultBook, FaultSpec
from probe.simulator.serve import DEMO_CONFIG, load_simulator, serve

__all__ = [
    "DEMO_CONFIG",
    "FaultBook",
    "FaultSpec",
    "SimUser",
    "Simulator",
    "create_app",
    "load_simulator",
    "running",
    "serve",
]
