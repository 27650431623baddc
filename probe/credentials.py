"""Passwords and API keys: read from a reference when needed, never shown.

The config names where a secret lives (``password_env: VAR`` or ``password_file: PATH``,
likewise ``api_key_env``/``api_key_file``), never the secret itself. ``Secrets`` turns a
reference into a ``Secret``, whose ``repr`` and ``str`` are masked, so that a secret that
ends up in a log line, an exception or a result by mistake shows as ``***``. Only
``Secret.reveal()`` gives the value, and only the code that builds a request calls it.

Secrets are read for every probe, not cached, so that a rotated password file is picked
up without a restart. A relative file path is taken relative to the config file's
directory (``base_dir``), so that a config and its secret files can move together.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Secret", "SecretError", "Secrets"]

MASK = "***"


class SecretError(Exception):
    """A secret reference that cannot be resolved; the message names the reference only."""


@dataclass(frozen=True, slots=True)
class Secret:
    """A secret value that does not show itself in ``repr``, ``str`` or f-strings."""

    _value: str = field(repr=False)

    def reveal(self) -> str:
        """The secret itself: only for putting it on the wire."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK


@dataclass(frozen=True, slots=True, kw_only=True)
class Secrets:
    """Resolves ``*_env`` / ``*_file`` references against an environment and a directory."""

    base_dir: Path = Path()
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ, repr=False)

    def resolve(self, *, env: str | None, file: str | None, what: str) -> Secret:
        """The secret behind exactly one of ``env`` and ``file``; ``what`` names it in errors."""
        if env is not None and file is None:
            return self._from_env(env, what)
        if file is not None and env is None:
            return self._from_file(file, what)
        raise SecretError(f"{what}: give exactly one of an environment variable or a file")

    def _from_env(self, name: str, what: str) -> Secret:
        value = self.environ.get(name)
        if not value:
            raise SecretError(f"{what}: environment variable {name} is not set or empty")
        return Secret(value)

    def _from_file(self, name: str, what: str) -> Secret:
        path = Path(name).expanduser()
        if not path.is_absolute():
            path = self.base_dir / path
        try:
            value = path.read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise SecretError(f"{what}: cannot read {path}: {reason}") from None
        if not value:
            raise SecretError(f"{what}: {path} is empty")
        return Secret(value)
