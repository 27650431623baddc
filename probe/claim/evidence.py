"""The evidence file of a claim: every failed probe inside the periods claimed.

One record per failed probe: which period it belongs to, its time (UTC and the account's
clock), region, failing step, error class, the seconds each step took and the diagnostic
files it left (each path, relative to the diagnostics directory, with its sha256, so a
reader can check the file is the one the probe wrote). JSON keeps the periods as a
tree; CSV is one row per probe for a spreadsheet, its files in one ``diagnostics`` cell
(``path sha256:<hex>``, ``; ``-separated). Where the source holds no timings for a
probe, its ``note`` says so instead of leaving a silent blank.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import orjson

from probe.claim import Claim
from probe.claim.ticket import TITLE
from probe.diagnostics.records import files_json_ready
from probe.instants import local, utc
from probe.model import Failure
from probe.reports.formatting import seconds
from probe.sla.report import OutageInWindow

FORMATS = (".csv", ".json")
STEP_ORDER = ("login", "call", "total")
NO_TIMINGS = "no timings in the source for this probe"


def evidence_format(path: str) -> str:
    """``csv`` or ``json`` from the file name; ``ValueError`` naming the choices."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"evidence file {path!r}: name a .csv or .json file")
    return suffix[1:]


def default_evidence_path(claim: Claim) -> str:
    """``acme-2026-10-evidence.csv``; characters unsafe in a file name become ``_``."""
    safe = "".join(c if c.isalnum() or c in "-." else "_" for c in claim.account)
    return f"{safe.strip('.') or 'account'}-{claim.figures.window.label}-evidence.csv"


def render_evidence(claim: Claim, path: str) -> str:
    """The evidence in the format ``path`` names."""
    if evidence_format(path) == "json":
        return orjson.dumps(evidence_document(claim), option=orjson.OPT_INDENT_2).decode() + "\n"
    return _csv(claim)


def evidence_document(claim: Claim) -> dict[str, Any]:
    """The whole claim as plain data: periods, each with its failed probes."""
    f = claim.figures
    return {
        "title": TITLE,
        "account": f.account,
        "month": f.window.label,
        "timezone": f.timezone,
        "written_at": utc(claim.now),
        "source": claim.source,
        "probes_without_timings": claim.missing_timings(),
        "periods": [_period(claim, n, p) for n, p in enumerate(claim.periods, start=1)],
    }


def _period(claim: Claim, number: int, part: OutageInWindow) -> dict[str, Any]:
    zone = claim.figures.timezone
    deadline = part.claim_deadline
    return {
        "period": number,
        "start": utc(part.start), "end": utc(part.end),
        "start_local": local(part.start, zone), "end_local": local(part.end, zone),
        "seconds": seconds(part.seconds),
        "open": part.outage.open and part.end == part.outage.end,
        "regions": list(part.outage.regions),
        "failed_steps": dict(part.failed_steps),
        "errors": dict(part.errors),
        "claim_deadline": None if deadline is None else utc(deadline),
        "past_deadline": claim.past_deadline(part),
        "failures": [_failure(claim, f) for f in part.evidence],
    }


def _failure(claim: Claim, failure: Failure) -> dict[str, Any]:
    timings = claim.timings.get((failure.region, failure.ts))
    record: dict[str, Any] = {
        "ts": utc(failure.ts),
        "ts_local": local(failure.ts, claim.figures.timezone),
        "region": failure.region,
        "step": failure.step,
        "error": failure.error,
        "durations": None if timings is None else {k: seconds(v) for k, v in timings.items()},
        "diagnostics": files_json_ready(claim.diagnostics.get((failure.region, failure.ts), ())),
    }
    if timings is None:
        record["note"] = NO_TIMINGS
    return record


def _csv(claim: Claim) -> str:
    document = evidence_document(claim)
    steps = _steps(claim)
    fields = ["account", "period", "period_start", "period_end", "claim_deadline",
              "past_deadline", "ts", "ts_local", "region", "step", "error",
              *(f"{step}_seconds" for step in steps), "diagnostics", "note"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for p in document["periods"]:
        common = {"account": claim.account, "period": p["period"], "period_start": p["start"],
                  "period_end": p["end"], "claim_deadline": p["claim_deadline"] or "",
                  "past_deadline": str(p["past_deadline"]).lower()}
        for failure in p["failures"]:
            durations = failure["durations"] or {}
            writer.writerow({
                **common, **{k: failure[k] or "" for k in ("ts", "ts_local", "region", "step",
                                                           "error")},
                **{f"{step}_seconds": durations.get(step, "") for step in steps},
                "diagnostics": "; ".join(f"{d['path']} sha256:{d['sha256']}"
                                         for d in failure["diagnostics"]),
                "note": failure.get("note", ""),
            })
    return out.getvalue()


def _steps(claim: Claim) -> list[str]:
    """Duration columns: login, call, total first, then any other step seen."""
    seen = {step for timings in claim.timings.values() for step in timings}
    return [*STEP_ORDER, *sorted(seen - set(STEP_ORDER))]
