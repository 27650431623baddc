"""What one poll changes in the store: the windows to store or replace, those to remove.

Pure: the stored windows, the parsed document and ``now`` in, a ``Plan`` out. The rules
(documented in docs/accounting.md, R3):

- every listed maintenance that matches the component filter is kept as a window with
  the id ``statuspage:<page>:<id>``, replaced whenever what the page says changes;
- a window is ``emergency`` when it was announced less than ``notice`` before its start,
  else ``scheduled``; announced means ``created_at``, or when the importer first saw it
  if the page does not say (kept from the first poll on);
- a window stays when it drops off the list (the list holds only the latest 50);
- a window that has not started and is gone from a valid list, or no longer matches the
  filter, was cancelled: it is removed. One resolved before its start never took place:
  removed too. A window that has started is never removed.
- an item that could not be read is left as it was stored (a bad item is not a
  cancellation), and a bad document changes nothing (the poller never gets here).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from probe.model import Instant, MaintenanceKind, Seconds
from probe.statuspage.parse import Announced, Parsed
from probe.statuspage.urls import page_key
from probe.store.base import StoredWindow

SOURCE = "statuspage"
MAX_NAME = 200
"""Longest window name kept (as for windows declared through the API)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    put: tuple[StoredWindow, ...]
    """New windows, and changed ones (to replace the stored window of the same id)."""
    delete: tuple[str, ...]
    """Ids of windows to remove: cancelled before they started."""

    @property
    def changes(self) -> int:
        return len(self.put) + len(self.delete)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportRules:
    """One ``maintenance.import`` entry, as the plan needs it."""

    page: str
    components: Collection[str] = ()
    accounts: frozenset[str] | None = None
    notice: Seconds = 86400.0

    @property
    def prefix(self) -> str:
        return f"{SOURCE}:{page_key(self.page)}:"


def plan(stored: Sequence[StoredWindow], parsed: Parsed, rules: ImportRules, *,
         now: Instant) -> Plan:
    """The store changes that make it say what the page says (see the module docstring)."""
    mine = {w.id: w for w in stored if w.id.startswith(rules.prefix)}
    listed = {rules.prefix + item.id: item for item in parsed.items}
    unreadable = {rules.prefix + ident for ident in parsed.seen} - listed.keys()
    void = {wid for wid, item in listed.items() if item.void and wid in mine}
    current = {wid: item for wid, item in listed.items()
               if not item.void and item.matches(rules.components)}
    put = [
        window for wid, item in current.items()
        if mine.get(wid) != (window := _window(wid, item, mine.get(wid), rules, now))
    ]
    cancelled = {
        wid for wid, window in mine.items()
        if window.start > now and wid not in current and wid not in unreadable
    }
    return Plan(put=tuple(put), delete=tuple(sorted(void | cancelled)))


def _window(window_id: str, item: Announced, before: StoredWindow | None, rules: ImportRules,
            now: Instant) -> StoredWindow:
    """The stored form of ``item``; without ``created_at``, announced when first seen."""
    announced = item.announced_at
    if announced is None:
        announced = before.created_at if before is not None else now
    kind: MaintenanceKind = (
        "emergency" if item.start - announced < rules.notice else "scheduled")
    return StoredWindow(
        id=window_id, kind=kind, accounts=rules.accounts, start=item.start, end=item.end,
        name=item.name[:MAX_NAME], created_at=announced, source=SOURCE,
    )
