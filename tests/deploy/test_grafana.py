"""The Grafana dashboard: valid JSON, the panels the issue asks for, and queries that read
only metrics the agent really exports (``test_prometheus_live.py`` also runs them
against a real Prometheus scraping a real agent)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from probe.agent.exporter import render as render_exposition
from tests.agent.conftest import build_snapshot
from tests.deploy.conftest import DEPLOY
from tests.deploy.promql import metric_names

DASHBOARD: dict[str, Any] = json.loads((DEPLOY / "grafana" / "lifesize-sla.json").read_text())
PANELS: list[dict[str, Any]] = DASHBOARD["panels"]
QUERIES = [(panel["title"], target["expr"]) for panel in PANELS for target in panel["targets"]]


def exported_names() -> set[str]:
    """Every sample name of a real exposition (``_total``, ``_bucket``, … included)."""
    text = render_exposition(build_snapshot()).decode()
    return {sample.name for family in text_string_to_metric_families(text)
            for sample in family.samples}


def test_the_panels_the_issue_asks_for() -> None:
    titles = [panel["title"] for panel in PANELS]
    for wanted in ("Availability against the objective", "Error budget left this month",
                   "Outages now", "Probe latency by step", "Failures by reason",
                   "Probe coverage this month"):
        assert wanted in titles
    assert len(set(titles)) == len(titles)
    assert len({panel["id"] for panel in PANELS}) == len(PANELS)


@pytest.mark.parametrize(("title", "expression"), QUERIES)
def test_each_query_reads_only_exported_metrics(title: str, expression: str) -> None:
    names = metric_names(expression)
    assert names, title
    assert names <= exported_names(), (title, names - exported_names())


def test_the_account_variable_reads_an_exported_metric() -> None:
    variables = {v["name"]: v for v in DASHBOARD["templating"]["list"]}
    query = variables["account"]["query"]["query"]
    metric = query.removeprefix("label_values(").split(",")[0]
    assert metric in exported_names()


def test_every_panel_uses_the_chosen_data_source() -> None:
    source = {"type": "prometheus", "uid": "${datasource}"}
    for panel in PANELS:
        assert panel["datasource"] == source
        for target in panel["targets"]:
            assert target["datasource"] == source
        assert 'account=~"$account"' in " ".join(t["expr"] for t in panel["targets"]) or \
            panel["title"] == "Seconds since the last probe"


def test_no_two_panels_overlap() -> None:
    cells: set[tuple[int, int]] = set()
    for panel in PANELS:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24
        mine = {(x, y) for x in range(grid["x"], grid["x"] + grid["w"])
                for y in range(grid["y"], grid["y"] + grid["h"])}
        assert not cells & mine, panel["title"]
        cells |= mine


def test_the_name_checker_notices_a_metric_that_does_not_exist() -> None:
    names = metric_names('sum by (reason) (rate(lifesize_probe_failure_total{a="b"}[5m]))')
    assert names == {"lifesize_probe_failure_total"}
    assert not names <= exported_names()
