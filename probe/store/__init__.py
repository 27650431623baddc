"""The agent's durable store: probe results as segments, and maintenance windows.

``open_store(url, interval=…, max_gap=…)`` gives a ``Store``; the agent and the CLI
depend only on that protocol (``base.py``). SQLite today (``sqlite.py``), PostgreSQL
with issue 6, both on the numbered SQL files in ``migrations/``.
"""

from __future__ import annotations

from probe.store._open import open_store, sqlite_path
from probe.store.base import Segment, Store, StoredWindow, StoreError
from probe.store.sqlite import SqliteStore

__all__ = [
    "Segment",
    "SqliteStore",
    "Store",
    "StoreError",
    "StoredWindow",
    "open_store",
    "sqlite_path",
]
