"""The Dockerfile's steps without a Docker engine: its instructions, run under a folder.

``FakeRoot`` plays a build in a plain folder that stands for ``/``: ``COPY`` copies from
the build context (as ``.dockerignore`` filters it) or from the folder, ``WORKDIR`` and
``ENV`` are remembered, and ``RUN`` runs its commands with every absolute path moved
under the folder. Commands that change the machine's users (``groupadd``, ``useradd``,
``chown``) are skipped and listed. Enough for this project's Dockerfile, on purpose no
more: anything else it meets is an error, so the test notices a Dockerfile it no
longer understands.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

SKIPPED = frozenset({"groupadd", "useradd", "chown"})
"""Commands about the image's user: not run here (they would change this machine)."""


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str
    args: str
    line: int


def instructions(text: str) -> list[Instruction]:
    """Every instruction, continuation lines joined, comments and blank lines dropped."""
    found: list[Instruction] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        start = start or number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        found.append(Instruction(keyword.upper(), args.strip(), start))
        pending, start = "", 0
    return found


def stages(text: str) -> list[list[Instruction]]:
    """Instructions grouped by ``FROM`` (each stage starts with its ``FROM``)."""
    grouped: list[list[Instruction]] = []
    for instruction in instructions(text):
        if instruction.keyword == "FROM":
            grouped.append([])
        if grouped:
            grouped[-1].append(instruction)
    return grouped


def exec_form(args: str) -> list[str]:
    """A JSON-array (exec form) argument list; the shell form is refused."""
    value = json.loads(args)
    assert isinstance(value, list), args
    assert all(isinstance(v, str) for v in value), args
    return value


def healthcheck_command(args: str) -> list[str]:
    """The command of ``HEALTHCHECK [OPTIONS] CMD [...]``."""
    _, found, command = args.partition("CMD ")
    assert found, f"HEALTHCHECK without CMD: {args}"
    return exec_form(command.strip())


def copy_sources(instruction: Instruction) -> tuple[str | None, list[str], str]:
    """``(from_stage, sources, destination)`` of a ``COPY``."""
    words = shlex.split(instruction.args)
    options = [w for w in words if w.startswith("--")]
    paths = [w for w in words if not w.startswith("--")]
    origin = next((o.split("=", 1)[1] for o in options if o.startswith("--from=")), None)
    return origin, paths[:-1], paths[-1]


class DockerIgnore:
    """``.dockerignore`` as Docker applies it: the last matching pattern wins, and a
    pattern that matches a folder matches everything inside it."""

    def __init__(self, text: str) -> None:
        self.rules: list[tuple[bool, re.Pattern[str]]] = []
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            keep = line.startswith("!")
            pattern = line.lstrip("!").strip("/")
            self.rules.append((keep, re.compile(_glob(pattern))))

    def excluded(self, path: str) -> bool:
        parts = path.strip("/").split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        verdict = False
        for keep, pattern in self.rules:
            if any(pattern.fullmatch(prefix) for prefix in prefixes):
                verdict = not keep
        return verdict


def _glob(pattern: str) -> str:
    out = ""
    for piece in re.split(r"(\*\*/?|\*|\?)", pattern):
        if piece.startswith("**"):
            out += "(?:.*/)?" if piece.endswith("/") else ".*"
        elif piece == "*":
            out += "[^/]*"
        elif piece == "?":
            out += "[^/]"
        else:
            out += re.escape(piece)
    return out


@dataclass
class FakeRoot:
    """A Docker build played under ``root``, with ``context`` as the build context."""

    root: Path
    context: Path
    ignore: DockerIgnore
    env: dict[str, str] = field(default_factory=dict)
    workdir: str = "/"
    skipped: list[str] = field(default_factory=list)

    def path(self, inside: str) -> Path:
        """Where an absolute path of the image lives here."""
        absolute = inside if inside.startswith("/") else f"{self.workdir}/{inside}"
        return self.root / os.path.normpath(absolute).lstrip("/")

    def host_env(self) -> dict[str, str]:
        """This process's environment with the image's ``ENV``, paths moved under root."""
        outer = set(os.environ.get("PATH", "").split(":"))
        moved = {key: ":".join(p if p in outer else self.move(p) for p in value.split(":"))
                 for key, value in self.env.items()}
        return {**os.environ, **moved}

    def run_stage(self, stage: list[Instruction]) -> None:
        self.workdir = "/"
        for instruction in stage:
            handler = getattr(self, f"_do_{instruction.keyword.lower()}", None)
            if handler is None:
                raise AssertionError(f"line {instruction.line}: no stand-in for "
                                     f"{instruction.keyword}")
            handler(instruction)

    def _do_from(self, instruction: Instruction) -> None:
        self.env = {"PATH": os.environ["PATH"]}

    def _do_arg(self, instruction: Instruction) -> None:
        """Build arguments only choose the base image here."""

    def _do_workdir(self, instruction: Instruction) -> None:
        self.workdir = instruction.args
        self.path(self.workdir).mkdir(parents=True, exist_ok=True)

    def _do_env(self, instruction: Instruction) -> None:
        for pair in shlex.split(instruction.args):
            key, _, value = pair.partition("=")
            self.env[key] = re.sub(r"\$\{?(\w+)\}?", lambda m: self.env.get(m.group(1), ""),
                                   value)

    def _do_copy(self, instruction: Instruction) -> None:
        origin, sources, destination = copy_sources(instruction)
        for source in sources:
            if origin is None:
                assert not self.ignore.excluded(source), f".dockerignore drops {source}"
                self._copy(self.context / source, destination, relative_to=self.context)
            else:
                self._copy(self.path(source), destination, relative_to=None)

    def _copy(self, source: Path, destination: str, *, relative_to: Path | None) -> None:
        target = self.path(destination)
        if source.is_dir():
            for item in sorted(source.rglob("*")):
                inside = item.relative_to(relative_to).as_posix() if relative_to else ""
                if item.is_file() and not (relative_to and self.ignore.excluded(inside)):
                    self._put(item, target / item.relative_to(source))
            return
        self._put(source, target / source.name if destination.endswith("/") else target)

    @staticmethod
    def _put(source: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)

    def _do_run(self, instruction: Instruction) -> None:
        for command in _commands(instruction.args):
            if command[0] in SKIPPED:
                self.skipped.append(shlex.join(command))
                continue
            moved = [self.move(word) for word in command]
            subprocess.run(moved, check=True, env=self.host_env(), cwd=self.path(self.workdir))

    def move(self, word: str) -> str:
        """An absolute path of the image moved under root; any other word as it is."""
        return str(self.path(word)) if word.startswith("/") else word

    def _do_user(self, instruction: Instruction) -> None:
        self.skipped.append(f"USER {instruction.args}")

    def _do_volume(self, instruction: Instruction) -> None:
        for volume in exec_form(instruction.args):
            self.path(volume).mkdir(parents=True, exist_ok=True)

    def _ignore(self, instruction: Instruction) -> None:
        """Metadata for the container (checked by the tests, not run here)."""

    _do_expose = _do_healthcheck = _do_entrypoint = _do_cmd = _do_label = _ignore


def _commands(args: str) -> Iterator[list[str]]:
    """The commands of a shell-form ``RUN`` joined by ``&&`` (nothing fancier)."""
    words = shlex.split(args)
    assert not {";", "|", "||"} & set(words), f"RUN is more than a && chain: {args}"
    command: list[str] = []
    for word in [*words, "&&"]:
        if word == "&&":
            if command:
                yield command
            command = []
        else:
            command.append(word)


def metadata(stage: list[Instruction]) -> Mapping[str, list[Instruction]]:
    """The stage's instructions by keyword."""
    found: dict[str, list[Instruction]] = {}
    for instruction in stage:
        found.setdefault(instruction.keyword, []).append(instruction)
    return found
