"""The months behind the account page: figures and statements read from the store.

The snapshot holds now (the month to date, 30 days, 90 days); a customer also asks
"how were the last twelve months, and may I have October's statement?". Those come
from the store on request, through ``probe.statement``, so a month on the account page
is exactly the month ``report --database`` prints, and its HTML statement is the one
``report --format html`` writes. Each request reads one account's history (in a worker
thread: the store blocks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from probe.config import Settings
from probe.reports import render_html
from probe.sla import calendar_month
from probe.sla.report import AccountFigures
from probe.sla.rules import recent_months
from probe.statement import History, read_store, statement, statements
from probe.store import Store

MONTHS = 12
"""Calendar months on the account page, the current one (to date) included."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Archive:
    """Reads one account's months from ``store`` as ``settings`` counts them."""

    store: Store
    settings: Settings
    clock: Callable[[], float]

    def months(self, account: str) -> tuple[AccountFigures, ...]:
        """The last ``MONTHS`` calendar months of ``account`` that hold any evidence,
        newest first (a month before the first probe would read as 100 %)."""
        now, zone = self.clock(), self.settings.sla.timezone
        periods = [calendar_month(year, month, zone, as_of=now)
                   for year, month in recent_months(now, zone, MONTHS)]
        found = statements(self._history(account), self.settings, periods, [account])
        return tuple(f for report in found for f in report.accounts
                     if f.coverage > 0 or f.observed_down_seconds > 0)

    def statement_html(self, account: str, year: int, month: int) -> str:
        """The month's HTML statement of ``account``, as ``report --format html``."""
        period = calendar_month(year, month, self.settings.sla.timezone, as_of=self.clock())
        return render_html(statement(self._history(account), self.settings, period, [account]))

    def _history(self, account: str) -> History:
        return read_store(self.store, self.settings.policy(), [account])
