"""The image's HEALTHCHECK: exit 0 when the agent answers ``GET /healthz`` with 200.

Slim images have no curl, so this is Python's standard library only. The port comes
from ``agent.listen`` in the config the container runs (``LIFESIZE_PROBE_CONFIG``,
``/etc/lifesize-probe/config.yaml`` by default), so a changed port needs no change
here; a wildcard host (``0.0.0.0``, ``::``) is asked on loopback.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

import yaml

CONFIG = "/etc/lifesize-probe/config.yaml"
DEFAULT_LISTEN = "127.0.0.1:9464"
WILDCARDS = {"", "0.0.0.0", "::", "[::]"}


def health_url(config_path: str) -> str:
    """``http://host:port/healthz`` of the agent that ``config_path`` configures."""
    with open(config_path, encoding="utf-8") as file:
        config = yaml.safe_load(file) or {}
    listen = str((config.get("agent") or {}).get("listen", DEFAULT_LISTEN))
    host, _, port = listen.rpartition(":")
    if host in WILDCARDS:
        host = "127.0.0.1"
    return f"http://{host}:{port}/healthz"


def main() -> int:
    url = health_url(os.environ.get("LIFESIZE_PROBE_CONFIG", CONFIG))
    try:
        with urllib.request.urlopen(url, timeout=4) as answer:
            healthy = answer.status == 200
    except (OSError, urllib.error.URLError) as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1
    if not healthy:
        print(f"unhealthy: {url}: HTTP {answer.status}", file=sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
