"""Config errors that a person can act on: file, key path, line, and what was wrong."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigProblem:
    """One thing wrong with a config file, rendered as one line."""

    path: str
    key: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = _visible(self.key) or "(top level)"
        line = f" (line {self.line})" if self.line is not None else ""
        return f"{self.path}: {where}{line}: {_visible(self.message)}"


def _visible(text: str) -> str:
    """``text`` on one line: control and other invisible characters escaped (a key
    written as ``"\\r"`` would otherwise break the line or hide in it)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


class ConfigError(Exception):
    """Everything wrong with a config file, all at once (one problem per line)."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
