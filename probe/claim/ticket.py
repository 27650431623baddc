"""The text of the "SLA Claim" support ticket, ready to paste.

What Lifesize's terms ask for: the title "SLA Claim", the account, the dates and times of
each period of unavailable time, and documentation (the evidence file). Times are given
in UTC and again on the account's own clock. A period whose claim deadline has passed
is marked, so nobody sends it believing it still counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from probe import __version__
from probe.claim import Claim
from probe.instants import wall
from probe.reports.formatting import counts, duration, percent, period
from probe.sla.report import OutageInWindow

TITLE = "SLA Claim"


def ticket_text(claim: Claim, evidence: Sequence[str]) -> str:
    """The ticket for ``claim``, naming the ``evidence`` files to attach."""
    f, policy = claim.figures, claim.policy
    lines = [
        TITLE, "",
        f"Account: {_plain(f.account)}",
        f"Month: {f.window.label} (calendar month, {policy.timezone})",
        f"Written: {wall(claim.now, 'UTC')}", "",
        *_late_note(claim),
        *_met_note(claim),
        f"Registered users of {_plain(f.account)} could not sign in to Lifesize Cloud and "
        "start video calls during the periods below. Each is a continuous period of "
        f"{duration(policy.min_outage)} or more; times are UTC, with {f.timezone} beneath.",
        "",
    ]
    for number, part in enumerate(claim.periods, start=1):
        lines += _period(claim, number, part)
    lines += ["", *_figures(claim), "", *_evidence(claim, evidence), "",
              f"Measured by lifesize-probe {__version__}: synthetic probes that sign in as "
              f"registered test users and set up a video call, from "
              f"{_plain(', '.join(f.regions))}."]
    return "\n".join(lines) + "\n"


def nothing_to_claim(claim: Claim) -> str:
    """Why there is no ticket: one line, with what was seen instead."""
    f = claim.figures
    short = len(f.outages)
    seen = (f"; {short} shorter interruption(s) ({duration(f.short_outage_seconds)}) do not "
            f"count" if short else "")
    excluded = (f"; {duration(f.excluded_seconds)} of down time fell in maintenance"
                if f.excluded_seconds else "")
    return (f"{_plain(f.account)}: no unavailable time to claim in {f.window.label} "
            f"(no continuous outage of {duration(claim.policy.min_outage)} or more{seen}"
            f"{excluded})")


def _late_note(claim: Claim) -> list[str]:
    late = sum(1 for p in claim.periods if claim.past_deadline(p))
    if not late:
        return []
    within = period(claim.policy.claim_within)
    return [f"Note: {late} of {len(claim.periods)} period(s) are past their claim deadline "
            f"({within} after the end) and are marked PAST DEADLINE below.", ""]


def _met_note(claim: Claim) -> list[str]:
    if not claim.figures.sla_met:
        return []
    return ["Note: the month met the objective; the terms grant a credit only for a month "
            "that misses it. The periods are listed for the record.", ""]


def _period(claim: Claim, number: int, part: OutageInWindow) -> list[str]:
    zone, whole = claim.figures.timezone, part.outage
    lines = [
        f"{number}. {wall(part.start, 'UTC')} to {wall(part.end, 'UTC')} "
        f"({duration(part.seconds)})",
        f"   {wall(part.start, zone)} to {wall(part.end, zone)}",
        f"   Failed from {_plain(', '.join(whole.regions))}; failing step "
        f"{_plain(counts(dict(part.failed_steps)))}; errors {_plain(counts(dict(part.errors)))}.",
    ]
    if whole.start < part.start or whole.end > part.end:
        lines.append(f"   Part of an outage from {wall(whole.start, 'UTC')} to "
                     f"{wall(whole.end, 'UTC')}; the rest falls in another month.")
    if whole.open and part.end == whole.end:
        lines.append("   Still failing at the end of the data: the period may be longer.")
    if part.claim_deadline is not None:
        mark = " PAST DEADLINE" if claim.past_deadline(part) else ""
        lines.append(f"   Claim by {wall(part.claim_deadline, 'UTC')}.{mark}")
    return lines


def _figures(claim: Claim) -> list[str]:
    f, policy = claim.figures, claim.policy
    verdict = "met" if f.sla_met else "missed"
    credit = ("not configured (the contract's credit tiers are not in the config)"
              if f.credit_percent is None else f"{f.credit_percent:g} % under the contract's tiers")
    return [
        f"Figures for {f.window.label}:",
        f"  Availability: {percent(f.availability)} against the objective of "
        f"{policy.objective * 100:g} %: {verdict}",
        f"  Unavailable time: {duration(f.unavailable_seconds)} "
        f"(the objective allows {duration(f.error_budget_seconds)})",
        f"  Maintenance excluded: {duration(f.excluded_seconds)}",
        f"  Interruptions under {duration(policy.min_outage)}, not counted: "
        f"{duration(f.short_outage_seconds)}",
        f"  Probe coverage: {percent(f.coverage, 2)}",
        f"  Service credit: {credit}",
    ]


def _evidence(claim: Claim, evidence: Sequence[str]) -> list[str]:
    probes = sum(len(p.evidence) for p in claim.periods)
    lines = [
        f"Evidence attached: {', '.join(_plain(name) for name in evidence)}",
        f"  {probes} failed probe(s) inside these periods, each with its time, region, "
        f"failing step, error class and step timings ({claim.source}).",
    ]
    kept = sum(1 for p in claim.periods for f in p.evidence
               if claim.diagnostics.get((f.region, f.ts)))
    if kept:
        lines.append(f"  {kept} of them left diagnostic files (screenshot, browser trace, "
                     "console log, WebRTC statistics), each named with its sha256.")
    missing = claim.missing_timings()
    if missing:
        lines.append(f"  Timings are missing for {missing} of them: the source does not "
                     "hold them (the evidence file says so on each).")
    return lines


def _plain(text: str) -> str:
    """Text with control characters shown as ``?``: one name cannot forge ticket lines."""
    return "".join(c if c.isprintable() else "?" for c in text)
