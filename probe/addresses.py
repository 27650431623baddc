"""The two kinds of network address a config or a command line names, checked once.

- ``HOST:PORT`` (``[::1]:8088`` for IPv6): where the agent, the demo or the simulator
  listens, and where the demo finds its simulator;
- an http(s) URL with a host: the Atlassian Statuspage whose maintenance is imported.

Both are pure checks that raise ``ValueError`` saying what is wrong, so the config
reports them on their key and line and the command line on its option.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["check_http_url", "parse_listen"]


def parse_listen(listen: str, *, example: str = "127.0.0.1:8088") -> tuple[str, int]:
    """``HOST:PORT`` as a host and a port number; ``example`` shows the form in errors."""
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"expected HOST:PORT such as {example}, got {listen!r}")
    return host.strip("[]"), int(port)


def check_http_url(url: str, *, what: str = "the status page's URL") -> None:
    """``ValueError`` unless ``url`` is an http(s) URL with a host."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected {what}, such as https://status.example.com, got {url!r}")
