"""Which metric families each ``agent.role`` exports, so every series has one source.

With agents in several regions sharing one database, each series comes from exactly
one of them, and Prometheus never gets the same series from every region:

* ``region`` agents: their own region's probe series (``lifesize_probe_*`` but
  coverage, ``lifesize_account_down*``) and their own process series;
* the ``sla`` agent: the account-level figures (``lifesize_sla_*``, maintenance) and
  the coverage of every region, computed from the database, so a region whose
  agent died shows there as an evidence gap; plus build info and store errors;
* a ``standalone`` agent (one region, its own store): everything.

The families stay written in one place (``exposition``); a role is only a set of
names, and the families it does not export are never written.
"""

from __future__ import annotations

from probe.agent.exposition import Wanted, gzip_exposition, render, render_gzip
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


def wanted(role: str) -> Wanted:
    """The families ``role`` exports, by name (``None``: all of them)."""
    if role == "sla":
        return (ACCOUNT_FAMILIES | SLA_PROCESS_FAMILIES).__contains__
    if role == "region":
        return lambda name: name not in ACCOUNT_FAMILIES
    return None


def exposition_for(snapshot: Snapshot, role: str) -> tuple[bytes, bytes]:
    """The exposition of ``role`` and its gzip copy (``Snapshot.exposition*``)."""
    exposition = render(snapshot, wanted(role))
    return exposition, gzip_exposition(exposition)


def gzipped_exposition_for(snapshot: Snapshot, role: str) -> bytes:
    """Only the gzip copy (``Snapshot.exposition_gzip``), written without the plain text
    ever whole in memory: what a probing agent keeps at 10,000 series."""
    return render_gzip(snapshot, wanted(role))
