"""Running the simulator: ``serve`` for the command line, ``running`` for tests.

``serve`` blocks until SIGINT (Ctrl-C) or SIGTERM, finishes the requests in flight
(at most two seconds), and returns an exit code instead of re-raising the signal.
(``probe.serving.running`` serves any app on a free loopback port for tests.)

The demo config and its demo secrets are package data (``probe/simulator/demo/``), so
``demo`` and ``simulate`` work from an installed wheel in any directory.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import uvicorn

from probe.config import ConfigError, load_config
from probe.secrets import SecretError, Secrets
from probe.serving import listen_socket, parse_listen
from probe.simulator.app import Simulator, create_app

__all__ = ["demo_config", "load_simulator", "serve"]


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


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Stop gracefully on SIGINT or SIGTERM and return, without re-raising them."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        wanted = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in wanted}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def serve(*, listen: str, config_path: Path | None) -> int:
    """Serve the simulator until a signal; 0 after a clean stop, 2 for bad input."""
    try:
        host, port = parse_listen(listen)
    except ValueError as exc:
        print(f"lifesize-probe simulate: --listen: {exc}", file=sys.stderr)
        return 2
    try:
        app = create_app(load_simulator(config_path))
    except (ConfigError, SecretError, ValueError) as exc:
        print(f"lifesize-probe simulate: {exc}", file=sys.stderr)
        return 2
    try:
        sock = listen_socket(host, port)
    except OSError as exc:
        print(f"lifesize-probe simulate: cannot listen on {listen}: {exc.strerror}",
              file=sys.stderr)
        return 1
    config = uvicorn.Config(app, lifespan="off", timeout_graceful_shutdown=2)
    server = _Server(config)
    print(f"simulator on http://{listen} (faults: POST /_sim/faults)", file=sys.stderr)
    with sock:
        server.run(sockets=[sock])
    return 0 if server.started else 1
