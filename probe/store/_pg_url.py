"""PostgreSQL URLs as the store shows them: never with the password.

A ``postgresql://user:password@host:port/db?…`` URL goes to psycopg as it is and
nowhere else. Everything the store prints, raises or logs names the database by
``shown`` (``postgresql://user@host:port/db``: no password, no query, where
``password=`` may sit too) and passes driver messages through ``redact``, which
also flattens them to one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True, slots=True, kw_only=True)
class PgUrl:
    """A PostgreSQL URL, split into what may be shown and what may not."""

    conninfo: str = field(repr=False)
    """The URL as given: for psycopg only."""
    shown: str
    """The URL without password and query: for messages."""
    secrets: tuple[str, ...] = field(default=(), repr=False)
    """The password as written and decoded (also a query's ``password=``)."""

    def redact(self, text: str) -> str:
        """``text`` on one line with every secret replaced by ``***``."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return " ".join(text.split())

    def __str__(self) -> str:
        return self.shown


def parse_pg_url(url: str) -> PgUrl:
    """Split a ``postgresql://`` or ``postgres://`` URL; ``ValueError`` never echoes it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError("a postgresql URL that cannot be read (check host and port)") from None
    if parts.scheme.lower() not in SCHEMES:
        raise ValueError("not a postgresql:// URL")
    user = f"{unquote(parts.username)}@" if parts.username else ""
    host = parts.hostname or ""
    where = f"{host}:{port}" if port is not None else host
    shown = f"{parts.scheme.lower()}://{user}{where}{parts.path or '/'}"
    secrets = [parts.password, unquote(parts.password)] if parts.password else []
    secrets += _query_passwords(parts.query)
    return PgUrl(conninfo=url, shown=shown, secrets=tuple(s for s in secrets if s))


def _query_passwords(query: str) -> list[str]:
    """Values of ``password=`` in a query string, as written and decoded."""
    found = []
    for item in re.split(r"[&;]", query):
        key, _, value = item.partition("=")
        if unquote(key).strip().lower() == "password":
            found += [value, unquote(value)]
    return found
