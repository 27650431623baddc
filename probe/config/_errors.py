"""Config errors that a person can act on: file, key path, line, and what was wrong."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One thing wrong with a config file, rendered as one line."""

    path: str
    key: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.key or "(top level)"
        line = f" (line {self.line})" if self.line is not None else ""
        return f"{self.path}: {where}{line}: {self.message}"


class ConfigError(Exception):
    """Everything wrong with a config file, all at once (one problem per line)."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
