"""Running the simulator: ``serve`` for the command line, ``running`` for tests.

``serve`` blocks until SIGINT (Ctrl-C) or SIGTERM, finishes the requests in flight
(at most two seconds), and returns an exit code instead of re-raising the signal.
``running`` starts the app on a free loopback port in a thread and stops it on exit,
so that sync and async tests, and benchmarks, can use a real server.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn

from probe.config import ConfigError, load_config
from probe.secrets import SecretError, Secrets
from probe.simulator.app import Simulator, create_app

__all__ = ["DEMO_CONFIG", "listen_socket", "load_simulator", "parse_listen", "running", "serve"]

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "config" / "demo.yaml"
"""Served when no config is given: the demo accounts, with their demo passwords."""


def parse_listen(listen: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8088`` for IPv6) as a host and a port number."""
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"--listen: expected HOST:PORT such as 127.0.0.1:8088, got {listen!r}")
    return host.strip("[]"), int(port)


def load_simulator(config_path: Path | None, **options: Any) -> Simulator:
    """The simulator for a config file's accounts (the demo's when ``None``).

    Relative secret files are read relative to the config file's directory.
    """
    path = config_path or DEMO_CONFIG
    return Simulator.from_settings(load_config(path), Secrets(base_dir=path.parent), **options)


def listen_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket whose accepted connections get ``TCP_NODELAY``.

    asyncio sets ``TCP_NODELAY`` only on sockets whose ``proto`` is ``IPPROTO_TCP``;
    ``socket.create_server`` leaves it 0, and then every answer on a kept-alive
    connection waits about 40 ms for a delayed ACK.
    """
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP,
        flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


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


@contextlib.contextmanager
def running(app: Any, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``app`` on a free port of ``host`` in a thread; yields its base URL."""
    sock = listen_socket(host, 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_config=None, access_log=False,
                            timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name=f"simulator:{port}", daemon=True)
    thread.start()
    try:
        _wait_started(server, thread)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the simulator did not start")
        time.sleep(0.005)
