"""The exporter: names, types, labels and values of a hand-built snapshot; promtool.

The direct renderer is held byte for byte to prometheus-client (``reference_exposition``)
on hand-built, empty and generated snapshots.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
from dataclasses import replace
from types import MappingProxyType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from probe.agent.exporter import CHUNK_LINES, chunks, render, render_gzip
from probe.agent.exporter import exposition_for as render_exposition_pair
from probe.agent.exporter import render as render_exposition
from probe.agent.metric_families import FAMILIES as HELP
from probe.agent.snapshot import (
    DURATION_BUCKETS,
    AccountState,
    Histogram,
    LastProbe,
    RegionState,
    Snapshot,
)
from probe.sla.report import AccountFigures
from tests.agent.conftest import EVIL, MONTH, NOW, TOKEN, build_snapshot, region
from tests.agent.reference_exposition import SnapshotCollector, reference_exposition

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
    "lifesize_probe_interval_seconds": ("gauge", set()),
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
                          capture_output=True, text=True, timeout=300, check=False)


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
    assert value(families["lifesize_probe_interval_seconds"]) == 60.0


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


AWKWARD = 'a "quoted"\\name\nwith newline'


@pytest.mark.parametrize("snapshot", [
    build_snapshot(),
    build_snapshot(evil=True),
    build_snapshot(regions=(region(AWKWARD, 'eu "west"\\\n'),), version='0.1.0 "dev"\\\n'),
    Snapshot(generated_at=NOW, version="0.1.0", objective=0.999),
], ids=["hand-built", "evil", "awkward", "empty"])
def test_direct_rendering_is_byte_identical_to_prometheus_client(snapshot: Snapshot) -> None:
    assert render_exposition(snapshot) == reference_exposition(snapshot)


def test_the_pair_is_the_exposition_and_its_gzip() -> None:
    plain, packed = render_exposition_pair(build_snapshot(evil=True))
    assert plain == reference_exposition(build_snapshot(evil=True))
    assert packed[:2] == b"\x1f\x8b"
    assert gzip.decompress(packed) == plain


NAMES = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ['"', "\\", "\n", '\\"', "\\n", EVIL, "ümlaut €", "le", ""])
COUNTS = st.integers(min_value=0, max_value=2**62)
VALUES = COUNTS | st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 0.5, 1e-9, 1234567.0, 1e22, 0.9987, -21.6])
BOUNDS = st.just(DURATION_BUCKETS) | st.lists(
    st.floats(allow_nan=False, allow_infinity=False), max_size=4).map(
    lambda bounds: tuple(sorted(bounds)))


@st.composite
def histograms(draw: st.DrawFn) -> Histogram:
    buckets = draw(BOUNDS)
    counts = tuple(draw(st.lists(COUNTS, min_size=len(buckets), max_size=len(buckets))))
    return Histogram(buckets=buckets, counts=counts, count=draw(COUNTS), sum=draw(VALUES))


@st.composite
def region_states(draw: st.DrawFn) -> RegionState:
    last = draw(st.none() | st.builds(
        LastProbe, ts=VALUES, ok=st.booleans(), step=st.none(), error=st.none(),
        durations=st.just({})))
    down_since = draw(st.none() | VALUES)
    return RegionState(
        account=draw(NAMES), region=draw(NAMES), last=last, runs_total=draw(COUNTS),
        skipped_runs_total=draw(COUNTS),
        failures_total=MappingProxyType(draw(st.dictionaries(
            st.tuples(NAMES, NAMES), COUNTS, max_size=3))),
        durations=draw(st.dictionaries(NAMES | st.sampled_from(["login", "call", "total"]),
                                       histograms(), max_size=4)),
        down=draw(st.booleans()), down_since=down_since,
        coverage=draw(st.dictionaries(NAMES, VALUES, max_size=2)))


@st.composite
def account_states(draw: st.DrawFn) -> AccountState:
    name = draw(NAMES)
    figures = draw(st.dictionaries(NAMES, st.builds(
        AccountFigures, account=st.just(name), regions=st.just(()), window=st.just(MONTH),
        unavailable_seconds=VALUES, availability=VALUES, sla_met=st.booleans(),
        error_budget_seconds=VALUES, error_budget_remaining_seconds=VALUES,
        observed_down_seconds=VALUES, excluded_seconds=VALUES, short_outage_seconds=VALUES,
        coverage=VALUES, credit_percent=st.none(), outages=st.just(()),
        ignored_failures=st.just({})), max_size=2))
    return AccountState(account=name, figures=figures, maintenance_active=draw(st.booleans()))


SNAPSHOTS = st.builds(
    Snapshot, generated_at=st.just(NOW), version=NAMES, objective=VALUES,
    regions=st.lists(region_states(), max_size=4).map(tuple),
    accounts=st.lists(account_states(), max_size=3).map(tuple),
    lateness=histograms(), store_errors_total=COUNTS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SNAPSHOTS)
def test_direct_rendering_of_any_snapshot_is_byte_identical(snapshot: Snapshot) -> None:
    assert render_exposition(snapshot) == reference_exposition(snapshot)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SNAPSHOTS, st.sets(st.sampled_from(sorted(HELP))))
def test_gzip_written_in_chunks_unpacks_to_the_exposition_of_the_wanted_families(
        snapshot: Snapshot, dropped: set[str]) -> None:
    wanted = lambda name: name not in dropped  # noqa: E731
    packed = render_gzip(snapshot, wanted)
    assert gzip.decompress(packed) == render(snapshot, wanted)
    assert families_in(render(snapshot, wanted)) == families_in(render(snapshot)) - dropped


def test_chunks_hold_at_most_chunk_lines_lines() -> None:
    many = build_snapshot(regions=tuple(region(f"a{i}", "eu-west") for i in range(400)))
    pieces = list(chunks(many))
    assert len(pieces) > 1
    # a family's HELP and TYPE are one item: at most two lines per item
    assert all(piece.count(b"\n") <= 2 * CHUNK_LINES for piece in pieces)
    assert b"".join(pieces) == reference_exposition(many)


def families_in(exposition: bytes) -> set[str]:
    """Names (without ``_total``) of the families in ``exposition``."""
    return {line.split(b" ")[2].decode().removesuffix("_total")
            for line in exposition.splitlines() if line.startswith(b"# HELP ")}
