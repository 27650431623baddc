"""``scripts/audit``: a known vulnerability fails; a dependency nobody checked is named.

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


def test_the_unchecked_warn_by_default_and_fail_when_strict(audit: ModuleType) -> None:
    pages = {"httpx": page("0.29.0"), "pyyaml": page("6.0.3")}
    found = audit.judge(LOCKED, SKIPPED, pages, set())
    warned = found.lines()
    assert "WARNING not audited httpx==0.28.1: pip-audit could not reach" in "\n".join(warned)
    assert "are warnings, not failures" in warned[-1]
    strict = found.lines(strict=True)
    assert any(line.startswith("NOT AUDITED httpx==0.28.1") for line in strict)
    assert not any("warnings" in line for line in strict)


@pytest.mark.parametrize("strict", [False, True])
def test_the_exit_status_follows_strict_for_the_unchecked(
        audit: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], strict: bool) -> None:
    lock = tmp_path / "lock.txt"
    lock.write_text("httpx==0.28.1 \\\n    --hash=sha256:00\n")
    monkeypatch.setattr(audit, "ROOT", tmp_path)
    monkeypatch.setattr(audit, "run_pip_audit", lambda *_: [SKIPPED[0]])
    monkeypatch.setattr(audit, "project_page", lambda _: page("0.29.0"))
    monkeypatch.setattr(sys, "argv", ["audit", "--requirements", str(lock),
                                      *(["--strict"] if strict else [])])
    assert audit.main() == (1 if strict else 0)
    assert "httpx==0.28.1" in capsys.readouterr().out


def test_a_vulnerability_fails_even_without_strict(
        audit: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    lock = tmp_path / "lock.txt"
    lock.write_text("httpx==0.28.1 \\\n    --hash=sha256:00\n")
    monkeypatch.setattr(audit, "ROOT", tmp_path)
    monkeypatch.setattr(audit, "run_pip_audit", lambda *_: [
        {"name": "httpx", "version": "0.28.1", "vulns": [{"id": "PYSEC-1"}]}])
    monkeypatch.setattr(sys, "argv", ["audit", "--requirements", str(lock)])
    assert audit.main() == 1


def test_the_pins_are_read_from_the_hashed_lock(audit: ModuleType, tmp_path: Path) -> None:
    lock = tmp_path / "lock.txt"
    lock.write_text("# header\nPyYAML==6.0.3 \\\n    --hash=sha256:00 \\\n    --hash=sha256:11\n"
                    "    # via x\ntomli==2.0 ; python_version < '3.11' \\\n    --hash=sha256:22\n")
    assert audit.locked_set(lock) == {"pyyaml": "6.0.3", "tomli": "2.0"}
    lock.write_text("httpx>=0.28\n")
    with pytest.raises(SystemExit, match=r"lock.txt, line 1: not a pin: httpx>=0.28"):
        audit.locked_set(lock)
