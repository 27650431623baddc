"""Files written whole or not at all: a temporary file beside the target, renamed onto
it when the writing succeeded, removed when it failed.

A reader (a claim portal's upload, ``sha256sum -c``, the next ``claim``) never sees half
a file, and a failure never leaves one behind. Every output of the project is written
this way: the command line's ``--output``, a claim's bundle, a probe's diagnostic files.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = ["written_whole"]


@contextmanager
def written_whole(target: Path) -> Iterator[IO[bytes]]:
    """A binary file to write ``target``'s content into; it becomes ``target`` when the
    block ends without an exception. ``OSError`` when the aside file cannot be made."""
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                dir=target.parent)
    try:
        with os.fdopen(fd, "w+b") as handle:
            yield handle
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
