"""Which metric families each ``agent.role`` exports, so every series has one source.

With agents in several regions sharing one database, each series comes from exactly
one of them, and Prometheus never gets the same series from every region:

* ``region`` agents: their own region's probe series (``lifesize_probe_*`` but
  coverage, ``lifesize_account_down*``) and their own process series;
* the ``sla`` agent: the account-level figures (``lifesize_sla_*``, maintenance) and
  the coverage of every region, computed from the database, so a region whose
  agent died shows there as an evidence gap; plus build info and store errors;
* a ``standalone`` agent (one region, its own store): everything.

The exposition is rendered whole (``exporter``) and filtered here by family: the
families stay written in one place, and a role is only a set of names.
"""

from __future__ import annotations

from probe.agent.exporter import render_exposition_pair
from probe.agent.exposition import gzip_exposition
from probe.agent.snapshot import Snapshot

ACCOUNT_FAMILIES = frozenset({
    "lifesize_sla_unavailable_seconds",
    "lifesize_sla_availability_ratio",
    "lifesize_sla_error_budget_remaining_seconds",
    "lifesize_sla_objective_ratio",
    "lifesize_sla_observed_down_seconds",
    "lifesize_maintenance_active",
    "lifesize_probe_coverage_ratio",
})
"""Computed across regions: exported by the ``sla`` agent only, when there is one."""
SLA_PROCESS_FAMILIES = frozenset({"lifesize_probe_build_info", "lifesize_probe_store_errors"})
"""What the ``sla`` agent says about itself (it has no scheduler and no probe interval)."""


def exposition_for(snapshot: Snapshot, role: str) -> tuple[bytes, bytes]:
    """The exposition of ``role`` and its gzip copy (``Snapshot.exposition*``)."""
    exposition, compressed = render_exposition_pair(snapshot)
    if role == "standalone":
        return exposition, compressed
    if role == "sla":
        kept = only(exposition, keep=ACCOUNT_FAMILIES | SLA_PROCESS_FAMILIES)
    else:
        kept = only(exposition, drop=ACCOUNT_FAMILIES)
    return kept, gzip_exposition(kept)


def only(exposition: bytes, *, keep: frozenset[str] | None = None,
         drop: frozenset[str] = frozenset()) -> bytes:
    """The families of ``exposition`` named in ``keep`` (all if ``None``) and not in
    ``drop``; a counter's ``_total`` is not part of its name here."""
    kept, wanted = [], False
    for line in exposition.splitlines(keepends=True):
        if line.startswith(b"# HELP "):
            name = line.split(b" ", 3)[2].decode().removesuffix("_total")
            wanted = (keep is None or name in keep) and name not in drop
        if wanted:
            kept.append(line)
    return b"".join(kept)
