"""The hashed locks in requirements/ agree with pyproject.toml's ranges, and with each other.

``scripts/lock`` writes them; a range changed in pyproject.toml without a refresh, a lock
edited by hand, or a pin without its hashes fails here, before any install trusts it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^\s;\\]+)")


@dataclass(frozen=True, kw_only=True)
class Pin:
    version: str
    hashes: int


def pins(lock: str) -> dict[str, Pin]:
    """``name: Pin`` of a lock file, with how many ``--hash`` lines each pin carries."""
    found: dict[str, Pin] = {}
    name = ""
    for number, line in enumerate((ROOT / "requirements" / lock).read_text().splitlines(), 1):
        if match := PIN.match(line):
            name = canonicalize_name(match["name"])
            found[name] = Pin(version=match["version"], hashes=0)
        elif line.strip().startswith("--hash=sha256:"):
            found[name] = Pin(version=found[name].version, hashes=found[name].hashes + 1)
        else:
            assert not line or line.lstrip().startswith("#"), f"{lock}, line {number}: {line}"
    return found


def requirements(*groups: str) -> list[Requirement]:
    """pyproject's requirements: ``run`` (dependencies), ``test`` (the extra), ``build``."""
    texts = {"run": PYPROJECT["project"]["dependencies"],
             "test": PYPROJECT["project"]["optional-dependencies"]["test"],
             "build": PYPROJECT["build-system"]["requires"]}
    return [Requirement(text) for group in groups for text in texts[group]]


@pytest.mark.parametrize(("lock", "groups"), [
    ("test.txt", ("run", "test", "build")), ("run.txt", ("run",)), ("build.txt", ("build",)),
])
def test_every_range_in_pyproject_is_met_by_a_pin(lock: str, groups: tuple[str, ...]) -> None:
    locked = pins(lock)
    for requirement in requirements(*groups):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{lock} has no pin for {requirement}: run scripts/lock"
        assert requirement.specifier.contains(locked[name].version, prereleases=True), (
            f"{lock}: {name}=={locked[name].version} is outside {requirement}: "
            f"run scripts/lock")
        for extra in requirement.extras:  # psycopg[binary,pool]: psycopg-binary, -pool
            assert canonicalize_name(f"{name}-{extra}") in locked, (lock, requirement, extra)


@pytest.mark.parametrize("lock", ["test.txt", "run.txt", "build.txt", "audit.txt", "uv.txt"])
def test_every_pin_carries_its_hashes(lock: str) -> None:
    locked = pins(lock)
    assert locked
    assert [name for name, pin in locked.items() if pin.hashes == 0] == []


@pytest.mark.parametrize("lock", ["run.txt", "build.txt", "audit.txt", "uv.txt"])
def test_no_package_is_pinned_at_another_version_than_the_suite_tested(lock: str) -> None:
    tested = pins("test.txt")
    shipped = pins(lock)
    assert {n: p.version for n, p in shipped.items() if n in tested} == {
        n: tested[n].version for n in shipped if n in tested}
    if lock in {"run.txt", "build.txt"}:  # what the image and the demo run: tested in full
        assert set(shipped) <= set(tested)


INSTALLERS = ("scripts/_venv.sh", "scripts/test", "scripts/demo", "scripts/lock",
              "deploy/docker/install.sh")


def test_every_install_is_hashed_or_the_project_itself() -> None:
    """Each ``pip install`` / ``uv pip install`` requires hashes, or installs the project
    alone (``--no-deps``, from the checkout or its wheel); a lock is installed somewhere."""
    hashed = 0
    for script in INSTALLERS:
        commands = (ROOT / script).read_text().replace("\\\n", " ").splitlines()
        for command in (c for c in commands if re.search(r"pip\"? install ", c)):
            if "--require-hashes" in command:
                hashed += 1
            else:
                assert "--no-deps" in command, f"{script}: {command.strip()}"
                assert re.search(r" (-e \.|\S*lifesize_probe-\*\.whl)$", command), (
                    f"{script}: {command.strip()}")
    assert hashed >= 2  # at least uv and the locks, in _venv.sh
