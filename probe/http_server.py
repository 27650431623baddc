"""Serving ASGI apps with uvicorn: listening sockets, the one server class, test servers.

Every server of the program is a ``Server``. The agent and the demo run theirs as one
task of a larger event loop that owns the signals, so by default a ``Server`` leaves
signal handling alone; the simulator's command line is the server and nothing else, so
it asks for ``signals=True`` and stops gracefully on SIGINT or SIGTERM. ``running`` serves
an app on a free loopback port in a thread, for tests and benchmarks.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

__all__ = ["Server", "listen_socket", "running"]


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


class Server(uvicorn.Server):
    """A uvicorn server whose signal handling is chosen, not inherited.

    uvicorn's own re-raises the signal once it has stopped, which would kill a program
    that embeds the server. ``signals=False`` installs no handler at all; ``signals=True``
    stops gracefully on SIGINT or SIGTERM and lets ``run`` return (in the main thread
    only, where Python allows handlers), then puts the previous handlers back.
    """

    def __init__(self, config: uvicorn.Config, *, signals: bool = False) -> None:
        super().__init__(config)
        self._signals = signals

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if not self._signals or threading.current_thread() is not threading.main_thread():
            yield
            return
        wanted = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in wanted}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


@contextlib.contextmanager
def running(app: Any, host: str = "127.0.0.1", **options: Any) -> Iterator[str]:
    """Serve ``app`` on a free port of ``host`` in a thread; yields its base URL.

    ``options`` go to ``uvicorn.Config`` (``ssl_certfile``/``ssl_keyfile`` serve HTTPS).
    An app's lifespan runs (the simulator closes its WebRTC peers in it).
    """
    sock = listen_socket(host, 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="auto", log_config=None, access_log=False,
                            timeout_graceful_shutdown=1, **options)
    scheme = "https" if options.get("ssl_certfile") else "http"
    server = Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name=f"server:{port}", daemon=True)
    thread.start()
    try:
        _wait_started(server, thread)
        yield f"{scheme}://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + 60  # generous: CI machines can be heavily loaded
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.005)
