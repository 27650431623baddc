"""Merge config files into the one that ``lifesize-probe run`` reads (Kubernetes init step).

Each region's agent shares most of its config with the others (target, accounts, sla,
maintenance) and differs in ``agent.region`` and ``agent.database``. The base ConfigMap
holds the shared file and each overlay adds its ``region.yaml``; this writes their merge.
Sections merge key by key, a later file's key replacing an earlier one's (lists are
replaced whole). The result is checked with the agent's own config loader before it
is written (atomically), so a bad file stops the pod at its init container with the
loader's one-line errors and exit status 2, and nothing half-written is left behind.

    python merge_config.py --output /run/lifesize-probe/config.yaml BASE.yaml REGION.yaml
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from probe.config import ConfigError, load_config


def merge(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """Later documents win, key by key inside each section."""
    merged: dict[str, Any] = {}
    for document in documents:
        for section, value in document.items():
            earlier = merged.get(section)
            if isinstance(earlier, dict) and isinstance(value, dict):
                merged[section] = {**earlier, **value}
            else:
                merged[section] = value
    return merged


def read(path: Path) -> dict[str, Any]:
    """One file's sections; a ``ValueError`` naming the file when it is not a mapping."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        raise ValueError(f"{path}: cannot read: {reason}") from exc
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ValueError(f"{path}: expected a mapping of sections at the top")
    return document


def write_checked(merged: dict[str, Any], output: Path, sources: list[Path]) -> None:
    """Write ``merged`` beside ``output``, load it as the agent would, then rename.

    Problems name ``output`` (with the merged file's lines and key paths), not the
    temporary file they were found in.
    """
    header = "# Merged by merge_config.py from: " + ", ".join(map(str, sources)) + "\n"
    text = header + yaml.safe_dump(merged, sort_keys=False, allow_unicode=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=output.parent, prefix=".config-", suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        try:
            load_config(name)
        except ConfigError as exc:
            raise ConfigError([replace(p, path=f"{output} (merged)") for p in exc.problems]
                              ) from None
        os.replace(name, output)
    except BaseException:
        os.unlink(name)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, type=Path, help="the merged config")
    parser.add_argument("files", nargs="+", type=Path, help="config files, later ones win")
    args = parser.parse_args(argv)
    try:
        write_checked(merge([read(path) for path in args.files]), args.output, args.files)
    except ValueError as exc:
        print(f"merge_config: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
