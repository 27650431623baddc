"""A real PostgreSQL for the tests: one fresh database per session, a schema per use.

The server is ``LIFESIZE_TEST_POSTGRES`` (``scripts/test`` exports it once PostgreSQL
is up), else ``postgresql://postgres@127.0.0.1:5432/test``, the CI machines' server.
Where no server can be had the tests that need one are skipped, saying why; under
``CI=true`` they fail instead, because CI must run them. The session's database is
dropped at the end, connections still open to it included.
"""

from __future__ import annotations

import itertools
import os
import re
import uuid
from collections.abc import Iterator
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import pytest

ENV = "LIFESIZE_TEST_POSTGRES"
DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


class Postgres:
    """The session's database; ``schema(name)`` gives a URL to a new, empty schema."""

    def __init__(self, server: str, database: str) -> None:
        self.server, self.database = server, database
        self._names = itertools.count(1)

    def url(self, schema: str | None = None) -> str:
        """The session database's URL, with ``search_path`` set to ``schema`` if given."""
        parts = urlsplit(self.server)
        query = parts.query
        if schema is not None:
            option = "options=" + quote(f"-csearch_path={schema}")
            query = f"{query}&{option}" if query else option
        return urlunsplit(parts._replace(path=f"/{self.database}", query=query))

    def schema(self, hint: str = "s") -> str:
        """Create a schema no other test uses; its URL."""
        name = f"{re.sub(r'[^a-z0-9_]', '_', hint.lower())[:40]}_{next(self._names)}"
        self.execute(f'CREATE SCHEMA "{name}"')
        return self.url(name)

    def execute(self, sql: str, url: str | None = None) -> list[tuple[object, ...]]:
        """Run one statement (autocommit) in ``url`` or the session database; its rows."""
        with psycopg.connect(url or self.url(), autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []


def _server() -> str:
    return os.environ.get(ENV) or DEFAULT


def _unavailable(reason: str) -> None:
    """Fail under CI (the server must be there), skip elsewhere; both say why."""
    message = f"PostgreSQL for the tests: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: these tests must run, not skip)", pytrace=False)
    pytest.skip(message + f"; set {ENV} to a server where databases can be created")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A fresh database on the test server for this session, dropped afterwards."""
    server = _server()
    shown = re.sub(r"//[^@/]*:[^@/]*@", "//***@", server)
    database = f"lifesize_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
    except psycopg.Error as exc:
        _unavailable(f"{shown}: {' '.join(str(exc).split())}")
    try:
        yield Postgres(server, database)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
