"""Writing one probe attempt's folder of diagnostic files, each file whole or not at all."""

from __future__ import annotations

import hashlib
import re
import shutil
import time
from pathlib import Path

from probe.atomic import written_whole
from probe.model import DiagnosticFile, Instant

__all__ = ["DiagnosticsDir", "ProbeFolder", "default_dir"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]")


def default_dir(database: str, configured: str | None = None) -> Path:
    """``diagnostics.dir`` when set (``configured``); else beside a SQLite store
    (``probe.db`` → ``probe-diagnostics``); else the working directory's
    ``lifesize-probe-diagnostics``. The agent writes there and ``claim`` reads there."""
    if configured:
        return Path(configured)
    prefix = "sqlite:///"
    if database.startswith(prefix) and ":memory:" not in database:
        store = Path(database[len(prefix):])
        return store.with_name(f"{store.stem}-diagnostics")
    return Path("lifesize-probe-diagnostics")


def safe_name(name: str) -> str:
    """``name`` as one path component: unsafe characters become ``_``, never ``..``."""
    cleaned = _UNSAFE.sub("_", name).strip(".")
    return cleaned or "_"


class DiagnosticsDir:
    """The root of the diagnostics directory, created on first use."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def new_probe(self, *, account: str, region: str, ts: Instant, attempt: int) -> ProbeFolder:
        """An empty folder for one attempt of the probe that started at ``ts``."""
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(ts)) + f".{int(ts * 1000) % 1000:03d}Z"
        relative = Path(safe_name(account), safe_name(region), f"{stamp}-{attempt}")
        path = self.root / relative
        path.mkdir(parents=True, exist_ok=True)
        return ProbeFolder(root=self.root, relative=relative)

    def resolve(self, file: DiagnosticFile) -> Path:
        """Where ``file`` lies; ``ValueError`` for a path that leaves the directory."""
        path = (self.root / file.path).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"diagnostic file {file.path!r} lies outside {self.root}")
        return path


class ProbeFolder:
    """One attempt's folder: files are added whole (written aside, then renamed)."""

    def __init__(self, *, root: Path, relative: Path) -> None:
        self.root = root
        self.relative = relative

    @property
    def path(self) -> Path:
        return self.root / self.relative

    def add(self, *, kind: str, name: str, data: bytes) -> DiagnosticFile:
        """Write ``data`` as ``name`` in this folder."""
        target = self.path / safe_name(name)
        with written_whole(target) as handle:
            handle.write(data)
        return self._entry(kind, target, hashlib.sha256(data).hexdigest(), len(data))

    def add_file(self, *, kind: str, name: str, source: Path) -> DiagnosticFile:
        """Move ``source`` (written elsewhere, such as a trace) in as ``name``."""
        target = self.path / safe_name(name)
        digest = hashlib.sha256()
        with source.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        shutil.move(source, target)
        return self._entry(kind, target, digest.hexdigest(), target.stat().st_size)

    def discard(self) -> None:
        """Remove the folder and what is in it (the attempt succeeded)."""
        shutil.rmtree(self.path, ignore_errors=True)

    def _entry(self, kind: str, target: Path, sha256: str, size: int) -> DiagnosticFile:
        return DiagnosticFile(kind=kind, path=target.relative_to(self.root).as_posix(),
                              sha256=sha256, size=size)
