"""Every metric family the agent exports: its type and HELP text, and which role exports it.

The table is the one place a family is declared; ``exporter`` writes the lines of each,
and a test checks that every family the writer produces is declared here and the other
way round. Names are without ``_total``: prometheus-client adds it to counters in HELP,
TYPE and samples, and so does the writer.

Which families each ``agent.role`` exports, so every series has one source: with agents
in several regions sharing one database, each series comes from exactly one of them,
and Prometheus never gets the same series from every region:

* ``region`` agents: their own region's probe series (``lifesize_probe_*`` but
  coverage, ``lifesize_account_down*``) and their own process series;
* the ``sla`` agent: the account-level figures (``lifesize_sla_*``, maintenance) and
  the coverage of every region, computed from the database, so a region whose
  agent died shows there as an evidence gap; plus build info and store errors;
* a ``standalone`` agent (one region, its own store): everything.

Labels are only ever ``account``, ``region``, ``step``, ``reason``, ``window`` and
``version``: names from the config and error classes, never a user name or a secret.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, NamedTuple

Kind = Literal["gauge", "counter", "histogram"]


class Family(NamedTuple):
    """A family's Prometheus type and its HELP text."""

    kind: Kind
    help: str


STEPS: tuple[str, ...] = ("login", "call", "total")
"""Steps whose duration histograms always exist, so ``rate()`` sees them from the start."""

_WINDOW_HELP = (
    " window=month is the calendar month to date in sla.timezone, window=30d the"
    " trailing 30 days."
)
_COUNTED = (
    " Counted per SLA_RULES: account-level down time (quorum of regions), maintenance"
    " cut out first, then only pieces of at least sla.min_outage (5 minutes by default,"
    " the five-minute rule) count, in full."
)

FAMILIES: Mapping[str, Family] = {
    "lifesize_probe_success": Family(
        "gauge", "1 if the last probe of this account from this region logged"
        " in and set up a call, 0 if it failed (any reason, auth_rejected and internal included)."),
    "lifesize_probe_duration_seconds": Family(
        "histogram", "Time spent in each step of a probe: login, call"
        " (set-up until connected) and total."),
    "lifesize_probe_runs": Family(
        "counter", "Probes finished for this account from this region."),
    "lifesize_probe_failures": Family(
        "counter", "Failed probes by failing step and reason (error class);"
        " reason auth_rejected or internal is a problem of the probe, never downtime."),
    "lifesize_probe_last_run_timestamp_seconds": Family(
        "gauge", "Start of the last finished probe, Unix time."),
    "lifesize_probe_skipped_runs": Family(
        "counter", "Probes not started because the previous one of this"
        " account and region was still running."),
    "lifesize_account_down": Family(
        "gauge", "1 while this region of the account is inside a down interval"
        " (R1: failed probes, until a probe succeeds), else 0. Before quorum and maintenance."),
    "lifesize_account_down_since_timestamp_seconds": Family(
        "gauge", "Start of the current down interval of"
        " this region, Unix time; the series exists only while the region is down."),
    "lifesize_maintenance_active": Family(
        "gauge", "1 while a maintenance window (config or API) covers the"
        " account: down time now is excluded from unavailable time (R3)."),
    "lifesize_sla_unavailable_seconds": Family(
        "gauge", "Unavailable time in the window under the SLA."
        + _COUNTED + _WINDOW_HELP),
    "lifesize_sla_availability_ratio": Family(
        "gauge", "1 - unavailable / window length (the whole month"
        " for window=month; maintenance does not shorten it)." + _WINDOW_HELP),
    "lifesize_sla_error_budget_remaining_seconds": Family(
        "gauge", "(1 - objective) x window length minus"
        " unavailable time; negative when the objective is missed." + _WINDOW_HELP),
    "lifesize_sla_objective_ratio": Family(
        "gauge", "The availability the SLA promises per calendar month"
        " (sla.objective, 0.999 by default)."),
    "lifesize_sla_observed_down_seconds": Family(
        "gauge", "Account-level down time seen in the window before"
        " maintenance and the five-minute rule: unavailable + excluded + short." + _WINDOW_HELP),
    "lifesize_probe_coverage_ratio": Family(
        "gauge", "Share of the elapsed window covered by probes of this"
        " region at most sla.max_gap apart (R1)." + _WINDOW_HELP),
    "lifesize_probe_build_info": Family(
        "gauge", "Always 1; the version label is the running lifesize-probe."),
    "lifesize_probe_interval_seconds": Family(
        "gauge", "agent.interval: seconds between two probes of the"
        " same account and region (LifesizeProbeStale fires after 3 without one)."),
    "lifesize_probe_scheduler_lateness_seconds": Family(
        "histogram", "How late the scheduler started probes"
        " compared with their planned time."),
    "lifesize_probe_store_errors": Family(
        "counter", "Store operations that failed (cannot read or write the"
        " database, disk full included)."),
}
"""Every family, by name (without ``_total``), in the order the exporter writes them."""

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

Wanted = Callable[[str], bool] | None
"""Which families to write, by name without ``_total``; ``None`` for all."""


def wanted(role: str) -> Wanted:
    """The families ``role`` exports, by name (``None``: all of them)."""
    if role == "sla":
        return (ACCOUNT_FAMILIES | SLA_PROCESS_FAMILIES).__contains__
    if role == "region":
        return lambda name: name not in ACCOUNT_FAMILIES
    return None
