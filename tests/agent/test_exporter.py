"""The exporter: names, types, labels and values of a hand-built snapshot; promtool."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace

import pytest
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from probe.agent.exporter import SnapshotCollector, render_exposition
from probe.agent.snapshot import Snapshot
from tests.agent.conftest import EVIL, NOW, TOKEN, build_snapshot, region

FAMILIES = {
    "lifesize_probe_success": ("gauge", {"account", "region"}),
    "lifesize_probe_duration_seconds": ("histogram", {"account", "region", "step"}),
    "lifesize_probe_runs": ("counter", {"account", "region"}),
    "lifesize_probe_failures": ("counter", {"account", "region", "step", "reason"}),
    "lifesize_probe_last_run_timestamp_seconds": ("gauge", {"account", "region"}),
    "lifesize_probe_skipped_runs": ("counter", {"account", "region"}),
    "lifesize_account_down": ("gauge", {"account", "region"}),
    "lifesize_account_down_since_timestamp_seconds": ("gauge", {"account", "region"}),
    "lifesize_maintenance_active": ("gauge", {"account"}),
    "lifesize_sla_unavailable_seconds": ("gauge", {"account", "window"}),
    "lifesize_sla_availability_ratio": ("gauge", {"account", "window"}),
    "lifesize_sla_error_budget_remaining_seconds": ("gauge", {"account", "window"}),
    "lifesize_sla_objective_ratio": ("gauge", {"account"}),
    "lifesize_sla_observed_down_seconds": ("gauge", {"account", "window"}),
    "lifesize_probe_coverage_ratio": ("gauge", {"account", "region", "window"}),
    "lifesize_probe_build_info": ("gauge", {"version"}),
    "lifesize_probe_scheduler_lateness_seconds": ("histogram", set()),
    "lifesize_probe_store_errors": ("counter", set()),
}


def parse(snapshot: Snapshot) -> dict[str, Metric]:
    text = render_exposition(snapshot).decode()
    return {family.name: family for family in text_string_to_metric_families(text)}


def value(family: Metric, name: str | None = None, **labels: str) -> float:
    """The one sample of ``family`` (or of its ``name`` sample) with exactly ``labels``."""
    found = [s.value for s in family.samples
             if s.labels == labels and s.name == (name or family.name)]
    assert len(found) == 1, (name or family.name, labels, family.samples)
    return found[0]


def promtool(exposition: bytes) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("promtool")
    if tool is None:
        pytest.skip("promtool not installed (Debian package prometheus); CI installs it")
    return subprocess.run([tool, "check", "metrics"], input=exposition.decode(),
                          capture_output=True, text=True, timeout=60, check=False)


def test_every_family_has_its_name_type_labels_and_help() -> None:
    families = parse(build_snapshot())
    assert set(families) == set(FAMILIES)
    for name, (kind, labels) in FAMILIES.items():
        family = families[name]
        assert family.type == kind, name
        assert family.documentation, name
        for sample in family.samples:
            assert set(sample.labels) - {"le"} == labels, (name, sample)


def test_counters_are_exposed_with_total_and_no_other_name_ends_so() -> None:
    text = render_exposition(build_snapshot()).decode()
    types = dict(line.split()[2:4] for line in text.splitlines() if line.startswith("# TYPE"))
    assert {n for n, t in types.items() if t == "counter"} == {
        "lifesize_probe_runs_total", "lifesize_probe_failures_total",
        "lifesize_probe_skipped_runs_total", "lifesize_probe_store_errors_total"}
    assert not [n for n, t in types.items() if t != "counter" and n.endswith("_total")]


def test_probe_values_come_from_the_snapshot() -> None:
    families = parse(build_snapshot())
    acme_eu = {"account": "acme", "region": "eu-west"}
    acme_us = {"account": "acme", "region": "us-east"}
    assert value(families["lifesize_probe_success"], **acme_eu) == 0.0
    assert value(families["lifesize_probe_success"], **acme_us) == 1.0
    assert value(families["lifesize_probe_runs"], "lifesize_probe_runs_total", **acme_eu) == 28000
    assert value(families["lifesize_probe_failures"], "lifesize_probe_failures_total",
                 step="login", reason="http_503", **acme_eu) == 135
    assert value(families["lifesize_probe_skipped_runs"], "lifesize_probe_skipped_runs_total",
                 **acme_eu) == 2
    assert value(families["lifesize_probe_last_run_timestamp_seconds"], **acme_eu) == NOW - 20
    assert value(families["lifesize_probe_store_errors"], "lifesize_probe_store_errors_total") == 1
    assert value(families["lifesize_probe_build_info"], version="0.1.0") == 1.0


def test_down_since_exists_only_while_down() -> None:
    families = parse(build_snapshot())
    down = families["lifesize_account_down"]
    assert value(down, account="acme", region="eu-west") == 1.0
    assert value(down, account="acme", region="us-east") == 0.0
    since = families["lifesize_account_down_since_timestamp_seconds"]
    assert [(s.labels, s.value) for s in since.samples] == [
        ({"account": "acme", "region": "eu-west"}, NOW - 140)]


def test_sla_figures_per_window_and_maintenance() -> None:
    families = parse(build_snapshot())
    month = {"account": "acme", "window": "month"}
    assert value(families["lifesize_sla_unavailable_seconds"], **month) == 2700.0
    assert value(families["lifesize_sla_availability_ratio"], **month) == pytest.approx(
        1 - 2700 / (31 * 86400))
    assert value(families["lifesize_sla_error_budget_remaining_seconds"],
                 **month) == pytest.approx(-21.6)
    assert value(families["lifesize_sla_observed_down_seconds"], **month) == 2940.0
    assert value(families["lifesize_sla_unavailable_seconds"], account="globex",
                 window="30d") == 180.0
    assert value(families["lifesize_sla_objective_ratio"], account="acme") == 0.999
    assert value(families["lifesize_maintenance_active"], account="globex") == 1.0
    assert value(families["lifesize_maintenance_active"], account="acme") == 0.0
    assert value(families["lifesize_probe_coverage_ratio"], account="acme", region="eu-west",
                 window="month") == 0.9987


def test_histograms_are_cumulative_with_inf_sum_and_count() -> None:
    families = parse(build_snapshot())
    labels = {"account": "acme", "region": "eu-west", "step": "login"}
    samples = families["lifesize_probe_duration_seconds"].samples
    buckets = [(s.labels["le"], s.value) for s in samples
               if s.name.endswith("_bucket") and {**s.labels, "le": ""} == {**labels, "le": ""}]
    assert buckets[-1] == ("+Inf", 4.0)
    counts = [v for _, v in buckets]
    assert counts == sorted(counts)
    assert dict(buckets)["0.5"] == 2.0
    duration = families["lifesize_probe_duration_seconds"]
    assert value(duration, "lifesize_probe_duration_seconds_count", **labels) == 4.0
    assert value(duration, "lifesize_probe_duration_seconds_sum", **labels) == pytest.approx(4.6)
    lateness = families["lifesize_probe_scheduler_lateness_seconds"]
    assert value(lateness, "lifesize_probe_scheduler_lateness_seconds_bucket", le="+Inf") == 3.0


def test_missing_step_histograms_are_exposed_empty() -> None:
    state = replace(region("acme", "eu-west"), durations={})
    families = parse(build_snapshot(regions=(state,), accounts=()))
    steps = {s.labels["step"] for s in families["lifesize_probe_duration_seconds"].samples}
    assert steps == {"login", "call", "total"}


def test_help_texts_explain_the_contract() -> None:
    families = parse(build_snapshot())
    unavailable = families["lifesize_sla_unavailable_seconds"].documentation
    assert "five-minute rule" in unavailable
    assert "maintenance" in unavailable
    assert "month to date" in unavailable


def test_help_texts_are_complete_sentences() -> None:
    for family in SnapshotCollector(build_snapshot()).collect():
        assert family.documentation.endswith("."), family.name


def test_promtool_finds_nothing_to_complain_about() -> None:
    checked = promtool(render_exposition(build_snapshot(evil=True)))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == ""
    assert checked.stderr.strip() == ""


def test_promtool_accepts_an_empty_snapshot() -> None:
    checked = promtool(render_exposition(Snapshot(generated_at=NOW, version="0.1.0",
                                                  objective=0.999)))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_awkward_names_round_trip_as_label_values() -> None:
    awkward = 'a "quoted"\\name\nwith newline'
    families = parse(build_snapshot(regions=(region(awkward, "eu-west"),), accounts=()))
    accounts = {s.labels["account"] for s in families["lifesize_probe_success"].samples}
    assert accounts == {awkward}
    assert EVIL in {s.labels["account"] for s in parse(build_snapshot(evil=True))
                    ["lifesize_probe_success"].samples}


def test_no_secret_and_no_unexpected_label_ever() -> None:
    text = render_exposition(build_snapshot(evil=True)).decode()
    assert TOKEN not in text
    allowed = {"account", "region", "step", "reason", "window", "version", "le"}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            assert set(sample.labels) <= allowed, sample


def test_each_collect_yields_fresh_families() -> None:
    collector = SnapshotCollector(build_snapshot())
    first, second = list(collector.collect()), list(collector.collect())
    assert [f.name for f in first] == [f.name for f in second]
    assert all(a is not b and a == b for a, b in zip(first, second, strict=True))
