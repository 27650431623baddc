"""Judging an answer: status, expected values, poll condition, and extraction."""

from __future__ import annotations

from typing import Any

import orjson

from probe.config import RequestSection
from probe.flows._http import Answer
from probe.flows._template import lookup
from probe.flows.errors import AuthRejected, BadResponse, HttpStatus

__all__ = ["judge_answer"]


def judge_answer(spec: RequestSection, answer: Answer, where: str) -> dict[str, Any] | None:
    """The variables ``spec`` extracts from ``answer``, or None while a poll must go on.

    Raises ``AuthRejected``, ``HttpStatus`` or ``BadResponse`` when the answer fails.
    """
    if answer.status in spec.reject:
        raise AuthRejected(f"{where} answered {answer.status}: credentials refused")
    if answer.status not in spec.status:
        raise HttpStatus(answer.status, f"{where} answered {answer.status}")
    document = _document(answer, where) if _needs_json(spec) else None
    for path, expected in spec.expect.items():
        _require(lookup(document, path), expected, path, where)
    if spec.until and any(lookup(document, p) != v for p, v in spec.until.items()):
        return None
    return {name: _extract(source, answer, document) for name, source in spec.extract.items()}


def _needs_json(spec: RequestSection) -> bool:
    return bool(spec.expect or spec.until) or any(
        not source.startswith(("cookie:", "header:")) for source in spec.extract.values())


def _document(answer: Answer, where: str) -> Any:
    """The answer's JSON; an answer that says it is something else (a login portal's or a
    proxy's HTML page) is ``bad_response`` even when its text happens to parse."""
    kind = answer.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind and kind != "application/json" and not kind.endswith("+json"):
        raise BadResponse(f"{where}: answer is {kind[:60]}, not JSON")
    try:
        return orjson.loads(answer.body)
    except orjson.JSONDecodeError:
        raise BadResponse(f"{where}: answer is not JSON ({len(answer.body)} bytes)") from None


def _require(actual: Any, expected: Any, path: str, where: str) -> None:
    if actual != expected or isinstance(actual, bool) != isinstance(expected, bool):
        shown = repr(actual)[:60]
        raise BadResponse(f"{where}: {path} is {shown}, expected {expected!r}")


def _extract(source: str, answer: Answer, document: Any) -> Any:
    kind, _, name = source.partition(":")
    if kind == "cookie" and name:
        value = answer.cookies.get(name)
    elif kind == "header" and name:
        value = answer.headers.get(name)
    else:
        return lookup(document, name if kind == "json" and name else source)
    if value is None:
        raise BadResponse(f"answer has no {kind} {name}")
    return value
