"""Writing outputs so that a failure never leaves half a file behind."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def write_output(text: str, path: str | None) -> None:
    """``text`` to ``path`` atomically (temp file + rename), or to stdout when None."""
    if path is None or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_file(text.encode("utf-8"), path)


def write_file(data: bytes, path: str) -> None:
    """``data`` to ``path`` atomically: a temp file beside it, renamed onto it."""
    target = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or Path("."))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
