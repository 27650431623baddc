"""``lifesize-probe simulate``: the Lifesize Cloud simulator as a server of its own.

It blocks until SIGINT (Ctrl-C) or SIGTERM, finishes the requests in flight (at most
two seconds), and returns an exit code instead of re-raising the signal.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from probe.addresses import parse_listen
from probe.cli import exits
from probe.config import ConfigError
from probe.credentials import SecretError
from probe.http_server import Server, listen_socket
from probe.simulator import create_app, load_simulator

__all__ = ["serve"]


def serve(*, listen: str, config_path: Path | None) -> int:
    """Serve the simulator until a signal; 0 after a clean stop, 2 for bad input."""
    try:
        host, port = parse_listen(listen)
    except ValueError as exc:
        print(f"lifesize-probe simulate: --listen: {exc}", file=sys.stderr)
        return exits.BAD_INPUT
    try:
        app = create_app(load_simulator(config_path))
    except (ConfigError, SecretError, ValueError) as exc:
        print(f"lifesize-probe simulate: {exc}", file=sys.stderr)
        return exits.BAD_INPUT
    try:
        sock = listen_socket(host, port)
    except OSError as exc:
        print(f"lifesize-probe simulate: cannot listen on {listen}: {exc.strerror}",
              file=sys.stderr)
        return exits.FAILED
    config = uvicorn.Config(app, lifespan="on", timeout_graceful_shutdown=2)
    server = Server(config, signals=True)
    print(f"simulator on http://{listen} (faults: POST /_sim/faults)", file=sys.stderr)
    with sock:
        server.run(sockets=[sock])
    return exits.OK if server.started else exits.FAILED
