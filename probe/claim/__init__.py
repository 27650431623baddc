"""``lifesize-probe claim``: the text of an "SLA Claim" ticket and the evidence to attach.

Lifesize's terms ask for a support ticket titled "SLA Claim", opened within the claim
period after the unavailable time, that gives the dates and times of each period of
unavailable time and documents the outage. A claim is built from the same ``Report``
as the monthly statement (``probe.statement``), so the two never disagree:

- ``Claim``: one account's counted outages of one month, the figures, ``now`` (to mark
  periods whose deadline has passed), the timings and diagnostic files of the failed
  probes, and the statement they come from;
- ``ticket.ticket_text``: the ticket, plain text;
- ``evidence.render_evidence``: every failed probe inside the periods, JSON or CSV;
- ``bundle.write_bundle``: all of it in one zip, with the diagnostic files and a manifest.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from probe.claim.timings import Details, Diagnostics, Timings, read_timings
from probe.config import Settings
from probe.model import Instant, Period, SlaPolicy
from probe.results_file import ResultsFileError
from probe.sla.report import AccountFigures, OutageInWindow, Report
from probe.statement import Source, read_history, statement

__all__ = ["Claim", "ClaimError", "Diagnostics", "Timings", "prepare_claim"]


class ClaimError(ValueError):
    """A claim that cannot be made as asked (unknown account); one line."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """One account's claim for one month, as of ``now``."""

    figures: AccountFigures
    policy: SlaPolicy
    now: Instant
    timings: Timings
    source: str
    """Where the evidence comes from, for the reader: ``results file X`` or ``the store``."""
    diagnostics: Diagnostics = field(default_factory=dict)
    """The files failed browser probes left, by ``(region, ts)`` (none for API probes)."""
    report: Report | None = None
    """The account's statement of the month (``report --format html`` of it goes into a
    bundle); ``None`` only for a claim put together by hand."""

    @property
    def account(self) -> str:
        return self.figures.account

    @property
    def periods(self) -> tuple[OutageInWindow, ...]:
        """The unavailable time: the counted outages (their parts in this month)."""
        return tuple(o for o in self.figures.outages if o.outage.counted)

    def past_deadline(self, period: OutageInWindow) -> bool:
        """True once ``now`` is after the period's claim deadline."""
        return period.claim_deadline is not None and self.now > period.claim_deadline

    def missing_timings(self) -> int:
        """Failed probes in the periods for which no timings are known."""
        return sum(1 for p in self.periods for f in p.evidence
                   if (f.region, f.ts) not in self.timings)


def prepare_claim(
    source: Source,
    settings: Settings,
    account: str,
    period: Period,
    *,
    now: Instant,
    progress: Callable[[int], None] | None = None,
) -> Claim:
    """The claim of ``account`` for ``period``; ``ClaimError`` when nothing is known of it.

    The source is read twice (figures, then timings), so a results file on stdin is
    first spooled to a temporary file.
    """
    with _rereadable(source) as readable:
        history = read_history(readable, settings, [account], progress)
        report = statement(history, settings, period, [account])
        found = [f for f in report.accounts if f.account == account]
        periods = [o for f in found for o in f.outages if o.outage.counted]
        details = read_timings(readable, account, periods) if periods else Details()
    if not found:
        known = sorted({a.name for a in settings.accounts})
        hint = f"; the config knows {', '.join(known)}" if known else ""
        raise ClaimError(f"no results and no configured regions for account {account!r}{hint}")
    where = "the store" if source.results is None else (
        "results read from stdin" if source.results == "-" else f"results file {source.results}")
    return Claim(figures=found[0], policy=report.policy, now=now, timings=details.timings,
                 diagnostics=details.diagnostics, source=where, report=report)


@contextmanager
def _rereadable(source: Source) -> Iterator[Source]:
    if source.results != "-":
        yield source
        return
    with tempfile.NamedTemporaryFile("wb", prefix="lifesize-probe-claim-", suffix=".jsonl") as tmp:
        shutil.copyfileobj(sys.stdin.buffer, tmp)
        tmp.flush()
        try:
            yield replace(source, results=tmp.name)
        except ResultsFileError as exc:  # name stdin, not the spool file
            raise ResultsFileError("-", exc.line, exc.message) from None
