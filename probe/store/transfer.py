"""``copy-store`` and ``migrate``: what an operator does to stores, with no CLI in it.

``copy_store`` moves a history from one store to another, typically an agent's SQLite
file into the PostgreSQL database that agents of several regions will share.

* Into an empty store the rows go as they are: segments, every failure with its
  timings and diagnostic files, the ignored failures and the maintenance windows.
  Exact (the same R1, the same report) and fast: no probe is placed again. ``batch``
  series per transaction.
* Into a store that holds data already only when asked (``merge=True``): then every
  probe goes through ``write``, which places it by the store's rules and keeps a
  probe already there once, so copying twice, or onto a store agents already write
  to, counts nothing twice. Slower: runs of successes are replayed probe by probe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from probe.model import Seconds
from probe.store._migrations import migrations
from probe.store._open import open_store
from probe.store._rebuild import expand
from probe.store.base import SeriesRows, Store, StoreError

Progress = Callable[[int, int], None]
"""Called with (series copied, series in all) after each batch."""
BATCH = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class Copied:
    """What a copy moved."""

    series: int
    failures: int
    windows: int
    merged: bool


def copy_store(
    source: Store, target: Store, *, merge: bool = False, progress: Progress | None = None,
    batch: int = BATCH,
) -> Copied:
    """Copy everything in ``source`` into ``target``; ``StoreError`` on a non-empty
    target unless ``merge``, before anything is written."""
    if not merge and (target.series() or target.windows()):
        raise StoreError(
            "the target store holds data already; copy into an empty one, or pass "
            "--merge to add to it (probes already there are kept once)"
        )
    total, copied, failures = len(source.series()), 0, 0
    for chunk in _chunks(source.dump(), batch):
        if merge:
            target.write([probe for s in chunk for probe in expand(
                s.account, s.region, s.segments, s.failures, s.ignored)])
        else:
            target.load(chunk)
        copied += len(chunk)
        failures += sum(len(s.failures) for s in chunk)
        if progress is not None:
            progress(copied, total)
    known = {w.id for w in target.windows()}
    windows = [w for w in source.windows() if w.id not in known]
    for window in windows:
        target.add_window(window)
    return Copied(series=copied, failures=failures, windows=len(windows), merged=merge)


def _chunks(found: Iterable[SeriesRows], size: int) -> Iterator[list[SeriesRows]]:
    it = iter(found)
    while chunk := list(islice(it, size)):
        yield chunk


def copy_urls(
    source: str, target: str, *, interval: Seconds, max_gap: Seconds, merge: bool = False,
    progress: Progress | None = None,
) -> Copied:
    """``copy_store`` between two database URLs; the source must exist, the target is
    created (and migrated) if it does not."""
    reader = open_store(source, interval=interval, max_gap=max_gap, create=False)
    try:
        writer = open_store(target, interval=interval, max_gap=max_gap)
        try:
            return copy_store(reader, writer, merge=merge, progress=progress)
        finally:
            writer.close()
    finally:
        reader.close()


def migrate_url(url: str) -> tuple[list[int], int]:
    """Bring the store at ``url`` to the current schema, creating it if need be.

    Returns the versions applied now and the schema version after.
    """
    store = open_store(url, interval=60.0, max_gap=300.0, migrate=False)
    try:
        applied = store.migrate()
    finally:
        store.close()
    return applied, len(migrations())
