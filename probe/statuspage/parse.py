"""The scheduled-maintenances JSON of a Statuspage, read item by item (pure).

The document is ``{"scheduled_maintenances": [...]}``; each item has ``id``, ``name``,
``status``, ``scheduled_for``, ``scheduled_until``, ``resolved_at`` (null until done),
``components`` (``[{"id", "name"}]``) and usually ``created_at``. A document of another
shape is a ``FeedError``; one bad item is a one-line problem and the others still count.

R3 as we apply it (docs/accounting.md): a window runs from ``scheduled_for`` to
``scheduled_until``, or to ``resolved_at`` when the work finished earlier. Overrunning
``scheduled_until`` is not covered: customers were told when it would end.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from probe.instants import parse_instant
from probe.model import Instant

MAX_QUOTED = 200
"""Characters of a bad value quoted in a problem."""


class FeedError(ValueError):
    """The answer as a whole is unusable (not JSON, wrong shape, HTTP error); one line."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Component:
    id: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Announced:
    """One scheduled maintenance as announced, with the end R3 applies."""

    id: str
    name: str
    status: str
    start: Instant
    end: Instant
    """``scheduled_until``, or ``resolved_at`` when that is earlier."""
    announced_at: Instant | None
    """``created_at``, when the page gives it."""
    components: tuple[Component, ...]

    @property
    def void(self) -> bool:
        """Resolved before it was due to start: no maintenance took place."""
        return self.end <= self.start

    def matches(self, wanted: Collection[str]) -> bool:
        """True when ``wanted`` is empty or names (or ids) one of its components.

        Names compare without regard to case; a maintenance that names no component
        does not match a filter (it was not announced for those components).
        """
        if not wanted:
            return True
        names = {w.strip().casefold() for w in wanted}
        return any(c.id in wanted or c.name.strip().casefold() in names
                   for c in self.components)


@dataclass(frozen=True, slots=True, kw_only=True)
class Parsed:
    """What a document said: the valid items, every id seen, and what was wrong."""

    items: tuple[Announced, ...]
    seen: frozenset[str]
    """Ids of every item read, valid or not: a bad item is not a cancelled one."""
    problems: tuple[str, ...]


def parse_feed(document: Any) -> Parsed:
    """Every item of ``document``; ``FeedError`` when it is not a list of maintenances."""
    if not isinstance(document, Mapping):
        raise FeedError("expected a JSON object with scheduled_maintenances")
    listed = document.get("scheduled_maintenances")
    if not isinstance(listed, list):
        raise FeedError("scheduled_maintenances is missing or not a list")
    items: dict[str, Announced] = {}
    seen: set[str] = set()
    problems = []
    for index, raw in enumerate(listed):
        ident = raw.get("id") if isinstance(raw, Mapping) else None
        where = f"scheduled_maintenances[{index}]" + (
            f" (id {_quote(ident)})" if isinstance(ident, str) else "")
        try:
            item = _item(raw)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            if isinstance(ident, str) and ident:
                seen.add(ident)
            continue
        if item.id in items:
            problems.append(f"{where}: id listed twice; the first is kept")
            continue
        items[item.id] = item
        seen.add(item.id)
    return Parsed(items=tuple(items.values()), seen=frozenset(seen), problems=tuple(problems))


def _item(raw: Any) -> Announced:
    if not isinstance(raw, Mapping):
        raise ValueError("expected an object")
    ident = _text(raw, "id")
    if not ident:
        raise ValueError("id: must be a non-empty string")
    start, until = _time(raw, "scheduled_for"), _time(raw, "scheduled_until")
    if until <= start:
        raise ValueError("scheduled_until must be after scheduled_for")
    resolved = _optional_time(raw, "resolved_at")
    return Announced(
        id=ident,
        name=_text(raw, "name"),
        status=_text(raw, "status"),
        start=start,
        end=until if resolved is None else min(until, resolved),
        announced_at=_optional_time(raw, "created_at"),
        components=_components(raw.get("components", [])),
    )


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{key}: expected a string, got {_quote(value)}")
    return value


def _optional_time(raw: Mapping[str, Any], key: str) -> Instant | None:
    return None if raw.get(key) is None else _time(raw, key)


def _time(raw: Mapping[str, Any], key: str) -> Instant:
    try:
        return parse_instant(raw.get(key))
    except ValueError as exc:
        raise ValueError(f"{key}: {exc}") from None


def _components(value: Any) -> tuple[Component, ...]:
    if not isinstance(value, list):
        raise ValueError(f"components: expected a list, got {_quote(value)}")
    found = []
    for index, raw in enumerate(value):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str) or not isinstance(
                raw.get("name"), str):
            raise ValueError(f"components[{index}]: expected {{id, name}} strings, "
                             f"got {_quote(raw)}")
        found.append(Component(id=raw["id"], name=raw["name"]))
    return tuple(found)


def _quote(value: Any) -> str:
    """A bad value for a one-line message: repr, shortened."""
    text = repr(value)
    return text if len(text) <= MAX_QUOTED else text[:MAX_QUOTED] + "…"
