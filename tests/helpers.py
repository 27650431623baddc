"""Small builders shared by tests: results files and probe sequences, written tersely."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path


def at(text: str) -> float:
    """Epoch seconds of a UTC wall-clock time like ``2026-10-05T10:00``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def record(
    ts: float, account: str, region: str, failure: tuple[str, str] | None
) -> dict[str, object]:
    stamp = datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    step, error = failure if failure else (None, None)
    return {"ts": stamp, "account": account, "region": region, "ok": failure is None,
            "step": step, "error": error}


def minutes(start: str, pattern: str, account: str = "acme", region: str = "eu-west",
            failure: tuple[str, str] = ("login", "http_503")) -> list[dict[str, object]]:
    """One probe a minute from ``start``: ``.`` succeeds, ``x`` fails, `` `` is no probe."""
    begin = at(start)
    return [
        record(begin + 60 * i, account, region, None if c == "." else failure)
        for i, c in enumerate(pattern)
        if c != " "
    ]


def write_jsonl(path: Path, records: Iterable[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path
