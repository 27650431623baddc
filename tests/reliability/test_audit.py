"""``scripts/audit``: a known vulnerability fails, and so does a dependency nobody checked.

The verdict is a pure function of pip-audit's JSON report and the PyPI project pages of
what it skipped; these cases are the ones that matter, with the data as they give it.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit"
LOCKED = {"httpx": "0.28.1", "pyyaml": "6.0.3"}
SKIPPED = [{"name": "httpx", "skip_reason": "Dependency not found on PyPI"},
           {"name": "PyYAML", "skip_reason": "Dependency not found on PyPI"}]


@pytest.fixture(scope="module")
def audit() -> Iterator[ModuleType]:
    loader = SourceFileLoader("audit_script", str(SCRIPT))
    spec = importlib.util.spec_from_loader("audit_script", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_script"] = module  # dataclasses look their module up there
    try:
        loader.exec_module(module)
        yield module
    finally:
        del sys.modules["audit_script"]


def page(version: str, *vulns: dict[str, Any]) -> dict[str, Any]:
    return {"info": {"version": version}, "vulnerabilities": list(vulns)}


def test_pip_audit_finding_a_vulnerability_fails(audit: ModuleType) -> None:
    reported = [{"name": "httpx", "version": "0.28.1", "vulns": [{"id": "PYSEC-1"}]},
                {"name": "PyYAML", "version": "6.0.3", "vulns": []}]
    found = audit.judge(LOCKED, reported, {}, set())
    assert found.vulnerable == {"httpx": ["PYSEC-1"]}
    assert "VULNERABLE httpx==0.28.1: PYSEC-1" in found.lines()


def test_skipped_dependencies_are_checked_on_their_project_page(audit: ModuleType) -> None:
    pages = {"httpx": page("0.28.1"), "pyyaml": page("6.0.3", {"id": "GHSA-x", "aliases": []})}
    found = audit.judge(LOCKED, SKIPPED, pages, set())
    assert found.by_project_page == {"httpx", "pyyaml"}
    assert found.vulnerable == {"pyyaml": ["GHSA-x"]}
    assert found.lines()[0].startswith("dependency audit: 2 of 2 locked dependencies audited")


def test_withdrawn_and_accepted_vulnerabilities_do_not_fail(audit: ModuleType) -> None:
    pages = {"httpx": page("0.28.1", {"id": "GHSA-w", "withdrawn": "2026-01-01"}),
             "pyyaml": page("6.0.3", {"id": "GHSA-y", "aliases": ["CVE-1"]})}
    found = audit.judge(LOCKED, SKIPPED, pages, {"CVE-1"})
    assert found.vulnerable == {}
    assert found.lines()[-1] == "no known vulnerabilities in any locked dependency"


def test_what_nobody_could_check_is_named_never_passed_over(audit: ModuleType) -> None:
    pages = {"httpx": page("0.29.0"), "pyyaml": None}
    found = audit.judge(LOCKED, SKIPPED, pages, set())
    assert set(found.unaudited) == {"httpx", "pyyaml"}
    assert "covers only the latest (0.29.0)" in found.unaudited["httpx"]
    assert found.lines()[0].startswith("dependency audit: 0 of 2")
    assert not any(line.startswith("no known") for line in found.lines())
