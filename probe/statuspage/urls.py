"""Statuspage URLs: the page a config names, the JSON feed polled, the key windows get.

``statuspage: https://status.example.com`` polls
``https://status.example.com/api/v2/scheduled-maintenances.json``; a URL that already
ends in ``.json`` is polled as it is. Stored windows are keyed by the page's host and
path (never its scheme, credentials or query), so moving from http to https, or adding
a query string, does not import every window a second time.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

FEED = "/api/v2/scheduled-maintenances.json"


def feed_url(page: str) -> str:
    """The scheduled-maintenances JSON of ``page``."""
    parts = urlsplit(page.strip())
    if parts.path.endswith(".json"):
        return urlunsplit(parts)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + FEED))


def page_key(page: str) -> str:
    """``status.example.com`` (plus a path, if the page has one): names its windows."""
    parts = urlsplit(page.strip())
    path = parts.path.removesuffix(FEED).rstrip("/") if parts.path.endswith(".json") else (
        parts.path.rstrip("/"))
    port = f":{parts.port}" if parts.port else ""
    return f"{(parts.hostname or '').lower()}{port}{path}"


def shown(page: str) -> str:
    """The URL for logs: scheme, host and path only (no credentials, no query)."""
    parts = urlsplit(feed_url(page))
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path}"
