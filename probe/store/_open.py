"""``open_store``: a database URL from the config (``agent.database``) to a ``Store``.

``sqlite:///path`` opens ``SqliteStore`` (one agent, one file); ``postgresql://…``
(or ``postgres://…``) opens ``PostgresStore``, the store agents of several regions
share. Error messages name the URL's scheme, the SQLite path or the PostgreSQL URL
without its password, never the whole URL.
"""

from __future__ import annotations

import re

from probe.model import Seconds
from probe.store.base import Store, StoreError
from probe.store.sqlite import SqliteStore

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_FORMS = "sqlite:///relative/path, sqlite:////absolute/path or sqlite://:memory:"
_ALL_FORMS = f"{_FORMS}, or postgresql://user@host:5432/database"


def sqlite_path(url: str) -> str:
    """The file path of a ``sqlite://`` URL; ``StoreError`` for anything else.

    ``sqlite:///data/probe.db`` → ``data/probe.db`` (relative to the working
    directory); ``sqlite:////var/lib/probe.db`` → ``/var/lib/probe.db``;
    ``sqlite://:memory:`` and ``sqlite:///:memory:`` → ``:memory:``.
    """
    scheme = url_scheme(url)
    if scheme != "sqlite":
        raise StoreError(f"database URL scheme {scheme}:// is not a sqlite URL; use {_FORMS}")
    rest = url.split("://", 1)[1]
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


def url_scheme(url: str) -> str:
    """``sqlite`` or ``postgresql`` (for ``postgres`` too); ``StoreError`` for the rest."""
    match = _SCHEME.match(url)
    if match is None:
        raise StoreError(f"database URL must look like {_ALL_FORMS}")
    scheme = match[1].lower()
    if scheme in ("postgresql", "postgres"):
        return "postgresql"
    if scheme != "sqlite":
        raise StoreError(f"database URL scheme {scheme}:// is not supported; use {_ALL_FORMS}")
    return scheme


def open_store(
    url: str, *, interval: Seconds, max_gap: Seconds, create: bool = True, migrate: bool = True
) -> Store:
    """Open the store at ``url`` with its schema up to date.

    ``interval`` (the agent's probe interval) and ``max_gap`` (``sla.max_gap``) set
    where segments break. ``create=False`` is for readers (``report``,
    ``export-results``): a missing file (or a database without the store's tables) is
    an error there, not an empty store. ``migrate=False`` leaves the schema as it is
    (``lifesize-probe migrate`` runs ``Store.migrate`` itself, to say what it did).
    """
    store: Store
    if url_scheme(url) == "postgresql":
        from probe.store.postgres import PostgresStore  # noqa: PLC0415 (psycopg only when used)

        store = PostgresStore(url, interval=interval, max_gap=max_gap, create=create)
    else:
        store = SqliteStore(sqlite_path(url), interval=interval, max_gap=max_gap, create=create)
    try:
        if migrate:
            store.migrate()
    except BaseException:
        store.close()
        raise
    return store
