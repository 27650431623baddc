"""The metric names a PromQL expression reads, and Grafana's variables filled in.

Enough PromQL for the dashboard and the alert rules: strings, label matchers, range
and offset durations, and the label lists of ``by``/``without``/``on``/``ignoring``/
``group_left``/``group_right`` are removed first; of what is left, a name followed by
``(`` is a function, an aggregation or a keyword is not a metric, and every other name
is one.
"""

from __future__ import annotations

import re

KEYWORDS = frozenset({
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "bool", "offset", "atan2", "inf", "nan",
    # aggregations, which may stand before their `by (...)` instead of their `(`
    "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile",
    "count_values", "group",
})
GRAFANA = {"$__rate_interval": "1m", "$__interval": "30s", "$__range": "1h",
           "$account": ".*"}
"""Grafana's variables as the tests fill them in (all accounts)."""

_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\[\]]*\]")
_LABEL_LISTS = re.compile(
    r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_NAMES = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*(?:\s*\()?")
_NUMBER_SUFFIX = re.compile(r"\b\d+(?:\.\d+)?(?:e[+-]?\d+)?[smhdwy]?\b")


def fill(expression: str) -> str:
    """``expression`` with Grafana's variables replaced (longest names first)."""
    for name in sorted(GRAFANA, key=len, reverse=True):
        expression = expression.replace(name, GRAFANA[name])
    return expression


def metric_names(expression: str) -> set[str]:
    """The metric names ``expression`` selects."""
    text = _STRINGS.sub(" ", fill(expression))
    text = _MATCHERS.sub(" ", text)
    text = _RANGES.sub(" ", text)
    text = _LABEL_LISTS.sub(r"\1", text)
    text = _NUMBER_SUFFIX.sub(" ", text)
    names = set()
    for match in _NAMES.finditer(text):
        word = match.group(0)
        if word.endswith("(") or word in KEYWORDS:
            continue
        names.add(word)
    return names
