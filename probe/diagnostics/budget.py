"""Keeping the diagnostics directory within its budget: ``diagnostics.max_bytes`` and
``diagnostics.max_age``.

Whole probe folders go, oldest probe first, never a single file: a claim's reader must
find a probe's screenshot, trace, log and statistics together or not at all. A folder
the caller protects (the probes of a counted outage whose claim deadline is still ahead:
``probe.claim.keep``) is never removed, even past the budget or the age: evidence a
customer may still send outranks disk space. So the budget is met unless everything
left is protected, and ``Pruned.left`` says how much that is.

One ``os.scandir`` pass over the layout (``<account>/<region>/<UTC time>-<attempt>/``)
reads names and sizes; the age of a folder is the probe time in its name, so no file
is opened. Anything that does not fit the layout is neither counted nor touched.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from calendar import timegm
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from probe.model import Instant, Seconds

__all__ = ["Folder", "Keep", "Pruned", "folders", "prune"]

_STAMP = re.compile(r"(\d{8}T\d{6})\.(\d{3})Z-(\d+)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Folder:
    """One probe attempt's folder, as its name and its files tell."""

    account: str
    """The account's directory name (``folders.safe_name`` of the account)."""
    region: str
    ts: Instant
    """The probe's start, from the folder's name (millisecond precision)."""
    attempt: int
    path: str
    """Relative to the diagnostics directory, ``/``-separated."""
    bytes: int


Keep = Callable[[Folder], bool] | Collection[str]
"""What may never be removed: a predicate, or the relative paths of the folders."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Pruned:
    """What ``prune`` removed, and what it left."""

    removed: tuple[str, ...]
    """Relative paths of the folders removed, oldest first."""
    bytes: int
    """Bytes freed."""
    left: int
    """Bytes of the probe folders still there: over ``max_bytes`` only when the folders
    left are protected (or could not be removed)."""

    @property
    def count(self) -> int:
        return len(self.removed)


def prune(root: str | Path, *, max_bytes: int, max_age: Seconds, now: Instant,
          keep: Keep = ()) -> Pruned:
    """Remove probe folders, oldest first, until the rest weigh at most ``max_bytes``
    and none is older than ``max_age``; never one that ``keep`` protects."""
    protected = _predicate(keep)
    found = sorted(folders(root), key=lambda f: (f.ts, f.path))
    total = sum(f.bytes for f in found)
    removed: list[str] = []
    freed = 0
    for folder in found:
        too_old, over = now - folder.ts > max_age, total > max_bytes
        if not (too_old or over):
            break  # the rest are younger, and the budget is met
        if protected(folder) or not _remove(Path(root), folder):
            continue
        removed.append(folder.path)
        freed += folder.bytes
        total -= folder.bytes
    return Pruned(removed=tuple(removed), bytes=freed, left=total)


def folders(root: str | Path) -> Iterator[Folder]:
    """Every probe folder under ``root`` with its size; nothing when ``root`` is absent."""
    for account in _dirs(Path(root)):
        for region in _dirs(Path(account.path)):
            for entry in _dirs(Path(region.path)):
                match = _STAMP.fullmatch(entry.name)
                if match is None:
                    continue
                yield Folder(account=account.name, region=region.name, ts=_instant(match),
                             attempt=int(match[3]), bytes=_size(entry.path),
                             path=f"{account.name}/{region.name}/{entry.name}")


def _dirs(path: Path) -> list[os.DirEntry[str]]:
    """The sub-directories of ``path`` (not followed through a link); none if unreadable."""
    try:
        with os.scandir(path) as entries:
            return [e for e in entries if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def _size(path: str) -> int:
    """Bytes of the files directly in a probe folder (the layout has no deeper level)."""
    total = 0
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
    except OSError:
        pass
    return total


def _instant(match: re.Match[str]) -> Instant:
    """``20261005T100000`` and ``123``: the UTC instant ``DiagnosticsDir`` wrote."""
    return timegm(time.strptime(match[1], "%Y%m%dT%H%M%S")) + int(match[2]) / 1000


def _predicate(keep: Keep) -> Callable[[Folder], bool]:
    if callable(keep):
        return keep
    paths = frozenset(keep)
    return lambda folder: folder.path in paths


def _remove(root: Path, folder: Folder) -> bool:
    """Remove one folder, then its region and account directories if they are empty."""
    path = root / folder.path
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        pass  # gone already (another pruner): its bytes are freed all the same
    except OSError:
        return False
    for parent in (path.parent, path.parent.parent):
        try:
            parent.rmdir()
        except OSError:
            break  # not empty (or not ours to remove): leave it
    return True
