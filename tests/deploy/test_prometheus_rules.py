"""The alert rules and scrape config: promtool's checks and unit tests, and that the unit
tests catch a broken rule; Alertmanager's config with amtool."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.conftest import DEPLOY, run, tool

PROMETHEUS = DEPLOY / "prometheus"
RULES = yaml.safe_load((PROMETHEUS / "rules.yml").read_text())
ALERTS = [rule for group in RULES["groups"] for rule in group["rules"]]
UNIT_TESTS = sorted((PROMETHEUS / "tests").glob("*.yml"))
REQUIRED = {"LifesizeAccountDown", "LifesizeSLABudgetLow", "LifesizeSLABreached",
            "LifesizeProbeStale", "LifesizeProbeAuthFailing", "LifesizeProbeCoverageLow"}


def test_the_rules_pass_promtool_check() -> None:
    checked = run(tool("promtool"), "check", "rules", str(PROMETHEUS / "rules.yml"))
    assert f"SUCCESS: {len(ALERTS)} rules found" in checked.stdout


def test_the_scrape_config_passes_promtool_check() -> None:
    run(tool("promtool"), "check", "config", str(PROMETHEUS / "prometheus.yml"))


def test_the_unit_tests_pass() -> None:
    run(tool("promtool"), "test", "rules", *map(str, UNIT_TESTS))


def test_every_alert_is_there_with_a_severity_and_words() -> None:
    assert {rule["alert"] for rule in ALERTS} == REQUIRED
    for rule in ALERTS:
        assert rule["labels"]["severity"] in {"page", "ticket"}
        assert rule["annotations"]["summary"]
        assert rule["annotations"]["description"]
    severity = {rule["alert"]: rule["labels"]["severity"] for rule in ALERTS}
    assert severity["LifesizeAccountDown"] == severity["LifesizeSLABreached"] == "page"
    assert severity["LifesizeSLABudgetLow"] == "ticket"


def alert_tests() -> list[dict[str, Any]]:
    return [case for path in UNIT_TESTS for test in yaml.safe_load(path.read_text())["tests"]
            for case in test.get("alert_rule_test", [])]


def test_every_alert_is_unit_tested_firing_and_not_firing() -> None:
    cases = alert_tests()
    for alert in REQUIRED:
        mine = [case for case in cases if case["alertname"] == alert]
        assert any(case["exp_alerts"] for case in mine), f"{alert} never fires in a test"
        assert any(not case["exp_alerts"] for case in mine), f"{alert} always fires"
    stale_causes = {alert["exp_labels"]["cause"] for case in cases for alert in case["exp_alerts"]
                    if case["alertname"] == "LifesizeProbeStale"}
    assert stale_causes == {rule["labels"]["cause"] for rule in ALERTS
                            if rule["alert"] == "LifesizeProbeStale"}


def test_maintenance_suppresses_account_down_in_a_unit_test() -> None:
    for path in UNIT_TESTS:
        for test in yaml.safe_load(path.read_text())["tests"]:
            series = " ".join(s["series"] for s in test["input_series"])
            cases = [c for c in test.get("alert_rule_test", [])
                     if c["alertname"] == "LifesizeAccountDown"]
            if "lifesize_maintenance_active" in series and any(
                    not c["exp_alerts"] for c in cases) and any(c["exp_alerts"] for c in cases):
                return
    pytest.fail("no unit test shows maintenance holding LifesizeAccountDown back")


@pytest.mark.parametrize(("original", "mutant"), [
    (">= 300)", ">= 240)"),                                       # four minutes would count
    ("unless on (account)", "or on (account)"),                   # maintenance ignored
    ("lifesize_maintenance_active[5m]", "lifesize_maintenance_active[1m]"),
    (") / 2\n", ") / 3\n"),                                        # not a majority any more
    ("last_over_time(lifesize_account_down[1h])", "lifesize_account_down"),  # dead agents
    ("<= on (job, instance) group_left ()\n", "> on (job, instance) group_left ()\n"),
    ("+ lifesize_sla_error_budget_remaining_seconds",
     "- lifesize_sla_error_budget_remaining_seconds"),
    ("3 * lifesize_probe_interval_seconds\n        labels",
     "2 * lifesize_probe_interval_seconds\n        labels"),
    ("for: 15m", "for: 5m"),                                      # one stray refusal would fire
    ("< 0.99", "< 0.98"),
])
def test_the_unit_tests_catch_a_broken_rule(tmp_path: Path, original: str, mutant: str) -> None:
    text = (PROMETHEUS / "rules.yml").read_text()
    assert text.count(original) == 1, original
    (tmp_path / "rules.yml").write_text(text.replace(original, mutant))
    shutil.copytree(PROMETHEUS / "tests", tmp_path / "tests")
    tests = sorted(str(p) for p in (tmp_path / "tests").glob("*.yml"))
    done = run(tool("promtool"), "test", "rules", *tests, check=False)
    assert done.returncode != 0, f"no unit test noticed {original!r} -> {mutant!r}"


def test_alertmanager_config_passes_amtool() -> None:
    run(tool("amtool"), "check-config", str(DEPLOY / "alertmanager" / "alertmanager.yml"))
