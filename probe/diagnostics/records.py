"""Diagnostic files as plain records: what results files and the store hold.

One shape everywhere, ``{"kind", "path", "sha256", "size"}``, checked on the way in:
a claim later opens ``path`` and copies it into a bundle, so a path that could leave
the diagnostics directory (absolute, ``..``, a backslash) is refused here, at the
border, and not trusted downstream.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from probe.model import DiagnosticFile

__all__ = ["file_record", "files_from", "files_json_ready"]

_SHA256 = re.compile(r"[0-9a-f]{64}")
_SHOWN = 60
"""Characters of a bad value shown in an error: enough to recognise it, one line."""


def file_record(file: DiagnosticFile) -> dict[str, Any]:
    """The record of one file, keys in the order a reader expects them."""
    return {"kind": file.kind, "path": file.path, "sha256": file.sha256, "size": file.size}


def files_json_ready(files: Sequence[DiagnosticFile]) -> list[dict[str, Any]]:
    """The records of ``files``, ready for a JSON encoder."""
    return [file_record(f) for f in files]


def files_from(value: object, key: str = "diagnostics") -> tuple[DiagnosticFile, ...]:
    """The files a record lists (``None``: none); ``ValueError`` naming the bad field,
    such as ``'diagnostics[1].sha256' must be 64 lowercase hex digits, got 'abc'``."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValueError(f"'{key}' must be a list of files or null, got {_shown(value)}")
    return tuple(_file(item, f"{key}[{n}]") for n, item in enumerate(value))


def _file(item: object, key: str) -> DiagnosticFile:
    if not isinstance(item, dict):
        raise ValueError(f"'{key}' must be an object with kind, path, sha256 and size, "
                         f"got {_shown(item)}")
    for name in ("kind", "path", "sha256", "size"):
        if name not in item:
            raise ValueError(f"'{key}.{name}' is missing")
    kind, path, sha256, size = item["kind"], item["path"], item["sha256"], item["size"]
    if not isinstance(kind, str) or not kind:
        raise ValueError(f"'{key}.kind' must be a non-empty string, got {_shown(kind)}")
    if not isinstance(path, str) or not _relative(path):
        raise ValueError(f"'{key}.path' must be a relative path inside the diagnostics "
                         f"directory ('/'-separated, no '..'), got {_shown(path)}")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise ValueError(f"'{key}.sha256' must be 64 lowercase hex digits, got {_shown(sha256)}")
    if type(size) is not int or size < 0:
        raise ValueError(f"'{key}.size' must be a whole number of bytes, got {_shown(size)}")
    return DiagnosticFile(kind=kind, path=path, sha256=sha256, size=size)


def _relative(path: str) -> bool:
    """``a/b/c.png``: no empty, ``.`` or ``..`` part, not absolute, no backslash and no
    control character (a newline would forge a line of a bundle's manifest)."""
    if not path or "\\" in path or path.startswith("/") or not path.isprintable():
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
