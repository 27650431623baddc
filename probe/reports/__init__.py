"""Renderers of one ``Report`` object: every format shows the same figures."""

from __future__ import annotations

from collections.abc import Callable

from probe.reports.as_csv import render_csv
from probe.reports.as_html import render_html
from probe.reports.as_json import render_json
from probe.reports.as_markdown import render_markdown
from probe.reports.as_table import render_table
from probe.sla.report import Report

RENDERERS: dict[str, Callable[[Report], str]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
    "html": render_html,
}

__all__ = [
    "RENDERERS", "render_csv", "render_html", "render_json", "render_markdown", "render_table",
]
