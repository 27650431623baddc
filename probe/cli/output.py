"""Writing outputs so that a failure never leaves half a file behind."""

from __future__ import annotations

import sys
from pathlib import Path

from probe.atomic import written_whole


def write_output(text: str, path: str | None) -> None:
    """``text`` to ``path`` atomically (temp file + rename), or to stdout when None."""
    if path is None or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_file(text.encode("utf-8"), path)


def write_file(data: bytes, path: str) -> None:
    """``data`` to ``path`` atomically: a temp file beside it, renamed onto it."""
    with written_whole(Path(path)) as handle:
        handle.write(data)
