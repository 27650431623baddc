"""What ``check-config`` prints: the config as the agent and the engine will use it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from probe.config import Settings
from probe.model import Instant, Span
from probe.sla.maintenance import occurrences

WEEK = 7 * 86400.0


def summarize(settings: Settings, path: str, *, now: Instant) -> str:
    """Accounts, regions, SLA settings and the maintenance of the next 7 days."""
    sla, zone = settings.sla, settings.sla.timezone
    lines = [
        f"{path}: valid",
        f"sla: objective {sla.objective}, min_outage {sla.min_outage:g}s, max_gap "
        f"{sla.max_gap:g}s, quorum {sla.quorum}, timezone {zone}, credits "
        + ("not configured" if sla.credits is None else
           ", ".join(f"<{t.below} → {t.percent:g} %" for t in sla.credits)),
        f"agent: role {settings.agent.role}, region {settings.agent.region}, listen "
        f"{settings.agent.listen}, interval {settings.agent.interval:g}s",
        f"accounts: {len(settings.accounts)}",
    ]
    for account in settings.accounts:
        regions = ", ".join(account.regions) or "(those with results)"
        lines.append(f"  {account.name}: regions {regions}; {len(account.users)} user(s)")
    lines += _maintenance(settings, now, zone)
    lines += [f"  imported from {i.statuspage} every {i.every:g}s, components "
              f"{', '.join(i.components) or 'all'}" for i in settings.maintenance.imports]
    return "\n".join(lines) + "\n"


def _maintenance(settings: Settings, now: Instant, zone: str) -> list[str]:
    windows = settings.maintenance_windows()
    found = sorted(
        (occurrence.start, occurrence.end, window.name or window.kind, window.kind, window.accounts)
        for window in windows
        for occurrence in occurrences(window, Span(now, now + WEEK))
    )
    lines = [f"maintenance: {len(windows)} window(s); in the next 7 days ({zone}): {len(found)}"]
    tz = ZoneInfo(zone)
    for start, end, name, kind, accounts in found:
        who = "all accounts" if accounts is None else ", ".join(sorted(accounts))
        begin = datetime.fromtimestamp(start, tz).strftime("%a %Y-%m-%d %H:%M")
        finish = datetime.fromtimestamp(end, tz).strftime("%H:%M")
        lines.append(f"  {begin}–{finish} {name} ({kind}; {who})")
    return lines
