"""R1: one region's timeline, from probe results to down intervals and coverage.

The rule is a left fold over probes in time order (``TimelineBuilder``), so a results
file can be streamed through it keeping only transitions: memory grows with failures,
never with successes. ``region_timeline`` is the order-free entry point: it sorts and
merges duplicates first, then folds.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from types import MappingProxyType

from probe.model import (
    NON_EVIDENCE_ERRORS,
    DownInterval,
    Failure,
    Instant,
    ProbeResult,
    RegionTimeline,
    Seconds,
    Span,
)


class OutOfOrder(ValueError):
    """A probe arrived earlier than one already folded into the timeline."""


class TimelineBuilder:
    """R1 as an incremental fold over one ``(account, region)``'s probes.

    Probes must arrive in non-decreasing ``ts``. Probes at the same ``ts`` are one
    probe, failed if any of them failed, so the latest probe is held back until a later
    one shows that no more duplicates can come.
    """

    __slots__ = (
        "_account",
        "_cover_start",
        "_covered",
        "_down",
        "_failures",
        "_ignored",
        "_last_ts",
        "_max_gap",
        "_open_start",
        "_pending_failure",
        "_pending_ok",
        "_pending_ts",
        "_probes",
        "_region",
    )

    def __init__(self, account: str, region: str, *, max_gap: Seconds) -> None:
        self._account, self._region, self._max_gap = account, region, max_gap
        self._pending_ts: Instant | None = None
        self._pending_ok = True
        self._pending_failure: Failure | None = None
        self._last_ts: Instant | None = None
        self._cover_start: Instant = 0.0
        self._covered: list[Span] = []
        self._open_start: Instant | None = None
        self._failures: list[Failure] = []
        self._down: list[DownInterval] = []
        self._ignored: dict[str, array[float]] = {}
        self._probes = 0

    @property
    def last_ts(self) -> Instant | None:
        """The latest probe seen, folded or pending."""
        return self._pending_ts

    def add(self, ts: Instant, ok: bool, step: str | None = None, error: str | None = None) -> None:
        """Take the next probe; raises ``OutOfOrder`` if it is older than the last one."""
        if not ok and error in NON_EVIDENCE_ERRORS:
            self._ignored.setdefault(error or "", array("d")).append(ts)
            return
        pending = self._pending_ts
        if pending is not None and ts <= pending:
            if ts < pending:
                raise OutOfOrder(f"probe at {ts} after one at {pending}")
            self._merge_duplicate(ok, step, error)
            return
        if pending is not None:
            self._fold(pending, self._pending_ok, self._pending_failure)
        self._pending_ts, self._pending_ok = ts, ok
        self._pending_failure = (
            None if ok else Failure(ts=ts, region=self._region, step=step, error=error)
        )

    def add_run(self, first: Instant, last: Instant, probes: int) -> None:
        """``probes`` successes from ``first`` to ``last``, none more than max_gap apart.

        R1 learns from such a run only what its first success says (it closes a down
        interval, or starts coverage after a gap) and where the run ends: the successes
        inside move nothing but the probe count. So a run costs two steps of the fold
        however long it is, which is how a store folds a month of probes in moments.
        Raises ``OutOfOrder`` unless ``first`` is later than every probe added before.
        """
        if self._pending_ts is not None and first <= self._pending_ts:
            raise OutOfOrder(f"run from {first} after a probe at {self._pending_ts}")
        self.add(first, True)
        if probes == 1:
            return
        self._fold(first, True, None)
        self._probes += probes - 2
        # The success before `last` was within max_gap of it, and only the gap test of
        # `last` and the end of coverage read `_last_ts`: `last` can stand in for it.
        # `last` stays pending, so a failure re-sent at the same instant still merges.
        self._last_ts = last
        self._pending_ts, self._pending_ok, self._pending_failure = last, True, None

    def _merge_duplicate(self, ok: bool, step: str | None, error: str | None) -> None:
        """Results with the same ts are one probe, failed if any failed (SLA_RULES, Input).

        Of several failures the evidence keeps the smallest ``(step, error)``, so the
        outcome does not depend on arrival order.
        """
        if ok:
            return
        assert self._pending_ts is not None
        candidate = Failure(ts=self._pending_ts, region=self._region, step=step, error=error)
        kept = self._pending_failure
        if kept is None or (failure_rank(candidate.step, candidate.error)
                            < failure_rank(kept.step, kept.error)):
            self._pending_failure = candidate
        self._pending_ok = False

    def _fold(self, ts: Instant, ok: bool, failure: Failure | None) -> None:
        """R1 proper: gaps cut coverage and close intervals; failures open them."""
        last = self._last_ts
        self._probes += 1
        if last is None:
            self._cover_start = ts
        elif ts - last > self._max_gap:
            self._end_coverage(last)
            self._close(last, is_open=False)  # ends at its last failed probe
            self._cover_start = ts
        if ok:
            self._close(ts, is_open=False)
        else:
            assert failure is not None
            if self._open_start is None:
                self._open_start = ts
            self._failures.append(failure)
        self._last_ts = ts

    def _close(self, end: Instant, *, is_open: bool) -> None:
        if self._open_start is None:
            return
        interval = DownInterval(
            region=self._region,
            start=self._open_start,
            end=end,
            open=is_open,
            failures=tuple(self._failures),
        )
        self._down.append(interval)
        self._open_start, self._failures = None, []

    def _end_coverage(self, last: Instant) -> None:
        if last > self._cover_start:
            self._covered.append(Span(self._cover_start, last))

    def finish(self) -> RegionTimeline:
        """The timeline so far; an interval still failing is returned ``open``.

        The builder itself is left as it was: a live agent keeps adding probes and asks
        again, so the pending probe is folded into a copy.
        """
        done = self._copy()
        if done._pending_ts is not None:
            done._fold(done._pending_ts, done._pending_ok, done._pending_failure)
        if done._last_ts is not None:
            done._end_coverage(done._last_ts)
            done._close(done._last_ts, is_open=True)
        return RegionTimeline(
            account=self._account,
            region=self._region,
            down=tuple(done._down),
            covered=tuple(done._covered),
            probes=done._probes,
            ignored=MappingProxyType(
                {error: array("d", sorted(set(ts))) for error, ts in self._ignored.items()}
            ),
        )

    def _copy(self) -> TimelineBuilder:
        twin = TimelineBuilder(self._account, self._region, max_gap=self._max_gap)
        for name in self.__slots__:
            setattr(twin, name, getattr(self, name))
        twin._covered, twin._down = list(self._covered), list(self._down)
        twin._failures = list(self._failures)
        return twin


def failure_rank(step: str | None, error: str | None) -> tuple[str, str]:
    """R1's tie-break: of several failures at one instant (regions written twice, a
    replayed file), the one kept is the smallest ``(step, error)``.

    Any fixed choice would do; this one makes the engine, both stores and every replay
    keep the same failure, so their reports are byte for byte the same.
    """
    return (step or "", error or "")


def region_timeline(
    account: str, region: str, probes: Iterable[ProbeResult], *, max_gap: Seconds
) -> RegionTimeline:
    """R1 for any order of input: sort by time, merge duplicates, fold."""
    builder = TimelineBuilder(account, region, max_gap=max_gap)
    for probe in sorted(probes, key=lambda p: p.ts):
        builder.add(probe.ts, probe.ok, probe.step, probe.error)
    return builder.finish()
