"""The ``${name}`` syntax of config strings, shared by the HTTP and the browser flows.

Only the syntax lives here (what a placeholder looks like, which names are well formed);
which names are defined where is each flow section's business.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["FIXED_NAMES", "NAME", "PLACEHOLDER", "placeholders"]

PLACEHOLDER = re.compile(r"\$\$|\$\{([^{}]*)\}")
"""``${name}`` or the escape ``$$``; group 1 is the name (None for the escape)."""
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?")

FIXED_NAMES = frozenset({"account.name", "user.username", "user.password", "region", "probe.id"})
"""Names every template may use; plus ``api_key``, ``hosts.*``, ``vars.*`` and extracts."""


def placeholders(value: Any) -> Iterator[str]:
    """Every ``${name}`` inside a string or a JSON-like structure of strings."""
    if isinstance(value, str):
        yield from (m.group(1) for m in PLACEHOLDER.finditer(value) if m.group(1) is not None)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from placeholders(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from placeholders(item)
