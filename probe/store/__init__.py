"""The agent's durable store: probe results as segments, and maintenance windows.

``open_store(url, interval=…, max_gap=…)`` gives a ``Store``; the agent and the CLI
depend only on that protocol (``base.py``). SQLite (``sqlite.py``) for one agent,
PostgreSQL (``postgres.py``) for agents of several regions sharing one database; both
on the numbered SQL files in ``migrations/``. ``transfer.py`` moves a history between them.
"""

from __future__ import annotations

from probe.store._open import open_store, sqlite_path, url_scheme
from probe.store.base import Segment, SeriesRows, Store, StoredWindow, StoreError, WindowStore
from probe.store.sqlite import SqliteStore

__all__ = [
    "Segment",
    "SeriesRows",
    "SqliteStore",
    "Store",
    "StoreError",
    "StoredWindow",
    "WindowStore",
    "open_store",
    "sqlite_path",
    "url_scheme",
]
