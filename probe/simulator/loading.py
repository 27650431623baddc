"""A simulator for a config file's accounts, or for the demo's.

The demo config and its demo secrets are package data (``probe/simulator/demo/``), so
``demo`` and ``simulate`` work from an installed wheel in any directory. (``simulate``
itself is ``probe.cli.simulate``; ``probe.http_server.running`` serves the app on a
free loopback port for tests.)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from probe.config import load_config
from probe.credentials import Secrets
from probe.simulator.state import Simulator

__all__ = ["demo_config", "load_simulator"]


@contextlib.contextmanager
def demo_config() -> Iterator[Path]:
    """The demo config as a file on disk, with its ``demo-secrets/`` beside it.

    Served when no config is given: the demo accounts, with their demo passwords. An
    installed package is on disk already and yields its own path; ``as_file`` would copy
    the folder out of a zip for as long as it is needed (Python 3.12 and later).
    """
    with resources.as_file(resources.files("probe.simulator") / "demo") as folder:
        yield folder / "demo.yaml"


def load_simulator(config_path: Path | None, **options: Any) -> Simulator:
    """The simulator for a config file's accounts (the demo's when ``None``).

    Relative secret files are read relative to the config file's directory.
    """
    if config_path is None:
        with demo_config() as demo:
            return load_simulator(demo, **options)
    settings, secrets = load_config(config_path), Secrets(base_dir=config_path.parent)
    return Simulator.from_settings(settings, secrets, **options)
