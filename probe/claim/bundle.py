"""``claim --bundle FILE.zip``: everything a claim sends, in one archive a reader can check.

Members, all at the top of the archive but the diagnostic files::

    ticket.txt          the ticket text, as ``claim`` prints it
    statement.html      the account's statement of the month (``report --format html``)
    evidence.json       every failed probe inside the periods, with its files' sha256
    diagnostics/<path>  the files those probes left, ``<path>`` relative to the
                        diagnostics directory, exactly as the evidence names them
    MISSING.txt         only when a file could not be included (see below)
    MANIFEST.sha256     ``sha256sum`` lines (``<hex>  <member>``, sorted by member) of
                        every other member: ``sha256sum -c MANIFEST.sha256`` checks an
                        unpacked bundle with no lifesize-probe at hand

A diagnostic file that is gone, unreadable, outside the diagnostics directory, or whose
sha256 is no longer the one stored with its probe is left out (a changed file is not
the evidence the probe wrote) but never silently: MISSING.txt names each with why, the
evidence still lists its stored sha256, and the caller warns. The manifest stays plain
``sha256sum`` format, with no header a checker would stumble over.

The archive is written to a temporary file beside the target and renamed: a reader
never sees half a bundle. Member times are the claim's ``now``, so one claim bundled
twice gives the same members.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from probe.atomic import written_whole
from probe.claim import Claim, ClaimError
from probe.claim.evidence import render_evidence
from probe.diagnostics import DiagnosticsDir
from probe.model import DiagnosticFile
from probe.reports import render_html

__all__ = ["MANIFEST", "MISSING", "Bundled", "Missing", "claim_files", "write_bundle"]

TICKET, STATEMENT, EVIDENCE = "ticket.txt", "statement.html", "evidence.json"
MISSING, MANIFEST = "MISSING.txt", "MANIFEST.sha256"
PREFIX = "diagnostics/"
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True, kw_only=True)
class Missing:
    """A diagnostic file the bundle could not include, and why."""

    file: DiagnosticFile
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Bundled:
    """What went into a bundle."""

    path: str
    members: tuple[str, ...]
    files: int
    """Diagnostic files included."""
    missing: tuple[Missing, ...] = ()


@dataclass
class _Archive:
    """An open zip being filled, with the sha256 of every member so far."""

    zip: zipfile.ZipFile
    stamp: tuple[int, int, int, int, int, int]
    sums: dict[str, str] = field(default_factory=dict)

    def put(self, name: str, data: bytes) -> None:
        self.zip.writestr(self._info(name), data)
        self.sums[name] = hashlib.sha256(data).hexdigest()

    def put_stream(self, name: str, source: IO[bytes], sha256: str) -> None:
        with self.zip.open(self._info(name), "w") as out:
            shutil.copyfileobj(source, out, _CHUNK)
        self.sums[name] = sha256

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info


def claim_files(claim: Claim) -> list[DiagnosticFile]:
    """The files of every failed probe inside the claimed periods, in the evidence's
    order, each path once."""
    seen: dict[str, DiagnosticFile] = {}
    for period in claim.periods:
        for failure in period.evidence:
            for file in claim.diagnostics.get((failure.region, failure.ts), ()):
                seen.setdefault(file.path, file)
    return list(seen.values())


def write_bundle(claim: Claim, path: str, *, ticket: str, diagnostics_dir: Path) -> Bundled:
    """The bundle of ``claim`` at ``path``; ``ClaimError`` when it cannot be written."""
    if claim.report is None:
        raise ClaimError(f"bundle {path}: the claim has no statement to include")
    target = Path(path)
    if not target.parent.is_dir():
        raise ClaimError(f"bundle {path}: directory {target.parent} does not exist")
    with _aside(target) as handle:
        archive = _Archive(zip=zipfile.ZipFile(handle, "w"), stamp=_stamp(claim.now))
        with archive.zip:
            archive.put(TICKET, ticket.encode())
            archive.put(STATEMENT, render_html(claim.report).encode())
            archive.put(EVIDENCE, render_evidence(claim, EVIDENCE).encode())
            missing = _add_files(archive, claim_files(claim), DiagnosticsDir(diagnostics_dir))
            if missing:
                archive.put(MISSING, _missing_text(missing, diagnostics_dir).encode())
            archive.put(MANIFEST, manifest(archive.sums).encode())
    members = tuple(sorted(archive.sums))
    files = sum(1 for name in members if name.startswith(PREFIX))
    return Bundled(path=path, members=members, files=files, missing=tuple(missing))


def manifest(sums: dict[str, str]) -> str:
    """``sha256sum`` lines of ``sums`` (member → hex), sorted by member."""
    return "".join(f"{sums[name]}  {name}\n" for name in sorted(sums))


def _add_files(archive: _Archive, files: list[DiagnosticFile], root: DiagnosticsDir
               ) -> list[Missing]:
    """Each file, verified against its stored sha256, under ``diagnostics/``; the ones
    that could not be included."""
    missing = []
    for file in files:
        with tempfile.SpooledTemporaryFile(max_size=8 * _CHUNK) as copy:
            reason = _copy_verified(root, file, copy)
            if reason is not None:
                missing.append(Missing(file=file, reason=reason))
                continue
            copy.seek(0)
            archive.put_stream(PREFIX + file.path, copy, file.sha256)
    return missing


def _copy_verified(root: DiagnosticsDir, file: DiagnosticFile, copy: IO[bytes]) -> str | None:
    """Copy ``file`` into ``copy`` while hashing it: ``None`` when it is the file the
    probe wrote, else why not. The copy is what goes in: no second read to race."""
    try:
        source = root.resolve(file)
    except ValueError:
        return f"outside the diagnostics directory {root.root}"
    digest = hashlib.sha256()
    try:
        with source.open("rb") as handle:
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                digest.update(chunk)
                copy.write(chunk)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if digest.hexdigest() != file.sha256:
        return f"changed: its sha256 is now {digest.hexdigest()}"
    return None


def _missing_text(missing: list[Missing], root: Path) -> str:
    lines = [f"{len(missing)} diagnostic file(s) named in {EVIDENCE} are not in this "
             f"bundle (diagnostics directory {root}); each is listed with the sha256 "
             "stored with its probe and why it is missing.", ""]
    lines += [f"{m.file.path}  sha256 {m.file.sha256}  {m.reason}" for m in missing]
    return "\n".join(lines) + "\n"


def _stamp(now: float) -> tuple[int, int, int, int, int, int]:
    """The claim's ``now`` as a zip member time (UTC; zip cannot say before 1980)."""
    t = time.gmtime(max(now, 315532800.0))
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)


@contextmanager
def _aside(target: Path) -> Iterator[IO[bytes]]:
    """``written_whole``, its failures as ``ClaimError`` (one line)."""
    try:
        with written_whole(target) as handle:
            yield handle
    except OSError as exc:
        raise ClaimError(f"bundle {target}: cannot write: {exc.strerror or exc}") from None
