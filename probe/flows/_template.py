"""``${name}`` templates and dotted JSON paths: the small language of flow configs.

A string that is exactly one placeholder (``"${uuid}"``) inside a JSON body keeps the
variable's type, so an extracted number stays a number; anywhere else values are
written as text (JSON spelling for non-strings). Secrets are revealed here, and only
into the request that goes on the wire.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from probe.config import PLACEHOLDER
from probe.credentials import Secret
from probe.flows.errors import BadResponse

__all__ = ["MissingVariable", "lookup", "render_json", "render_text"]

Variables = Mapping[str, Any]
_TOKEN = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


class MissingVariable(KeyError):
    """A template names a variable that no step has set (yet)."""


def _value(name: str, variables: Variables) -> Any:
    try:
        value = variables[name]
    except KeyError:
        raise MissingVariable(name) from None
    return value.reveal() if isinstance(value, Secret) else value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def render_text(text: str, variables: Variables) -> str:
    """``text`` with every ``${name}`` replaced and ``$$`` unescaped."""
    if "$" not in text:
        return text
    return PLACEHOLDER.sub(
        lambda m: "$" if m.group(1) is None else _text(_value(m.group(1), variables)), text
    )


def render_json(value: Any, variables: Variables) -> Any:
    """A JSON body with templates rendered in every string, keys left as written."""
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole is not None and whole.group(1) is not None:
            return _value(whole.group(1), variables)
        return render_text(value, variables)
    if isinstance(value, Mapping):
        return {key: render_json(item, variables) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [render_json(item, variables) for item in value]
    return value


def lookup(document: Any, path: str) -> Any:
    """The value at ``a.b[0].c`` in ``document``; ``BadResponse`` when it is not there."""
    current = document
    for match in _TOKEN.finditer(path):
        key, index = match.groups()
        if key is not None and isinstance(current, Mapping) and key in current:
            current = current[key]
        elif index is not None and isinstance(current, list) and int(index) < len(current):
            current = current[int(index)]
        else:
            raise BadResponse(f"answer has no {path}")
    return current
