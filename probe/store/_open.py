"""``open_store``: a database URL from the config (``agent.database``) to a ``Store``.

Error messages name the URL's scheme or the SQLite path, never the whole URL: a
PostgreSQL URL may carry a password.
"""

from __future__ import annotations

import re

from probe.model import Seconds
from probe.store.base import Store, StoreError
from probe.store.sqlite import SqliteStore

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_FORMS = "sqlite:///relative/path, sqlite:////absolute/path or sqlite://:memory:"


def sqlite_path(url: str) -> str:
    """The file path of a ``sqlite://`` URL; ``StoreError`` for anything else.

    ``sqlite:///data/probe.db`` → ``data/probe.db`` (relative to the working
    directory); ``sqlite:////var/lib/probe.db`` → ``/var/lib/probe.db``;
    ``sqlite://:memory:`` and ``sqlite:///:memory:`` → ``:memory:``.
    """
    match = _SCHEME.match(url)
    if match is None:
        raise StoreError(f"database URL must look like {_FORMS}")
    scheme = match[1].lower()
    if scheme.startswith("postgres"):
        raise StoreError(f"database URL scheme {scheme}:// is not supported yet; use {_FORMS}")
    if scheme != "sqlite":
        raise StoreError(f"database URL scheme {scheme}:// is not supported; use {_FORMS}")
    rest = url[match.end() :]
    if rest in (":memory:", "/:memory:"):
        return ":memory:"
    if not rest.startswith("/"):
        raise StoreError(f"a sqlite URL names no host; use {_FORMS}")
    path = rest[1:]
    if not path or path.endswith("/"):
        raise StoreError(f"sqlite URL has no file name; use {_FORMS}")
    if "?" in path or "#" in path:
        raise StoreError(f"sqlite URL {url!r} has query parameters, which are not supported")
    return path


def open_store(
    url: str, *, interval: Seconds, max_gap: Seconds, create: bool = True
) -> Store:
    """Open the store at ``url`` with its schema up to date.

    ``interval`` (the agent's probe interval) and ``max_gap`` (``sla.max_gap``) set
    where segments break. ``create=False`` is for readers (``report``,
    ``export-results``): a missing file is an error there, not an empty store.
    """
    store = SqliteStore(sqlite_path(url), interval=interval, max_gap=max_gap, create=create)
    try:
        store.migrate()
    except BaseException:
        store.close()
        raise
    return store
