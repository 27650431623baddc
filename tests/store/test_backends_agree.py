"""SQLite and PostgreSQL give the same SLA figures for the same probe history (hypothesis).

The same random multi-region histories (``test_properties.scenarios``: batches in time
order, shuffled inside, replayed at random) and the same maintenance window go into a
SQLite and a PostgreSQL store; the month report built from each store (R1–R6, with the
quorum, ``min_outage`` and maintenance drawn too) must be the same JSON, and the same as
the report built straight from the probes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probe.model import SlaPolicy
from probe.reports import render_json
from probe.sla import build_report, calendar_month, histories, histories_from_results
from probe.store import Store, StoredWindow
from tests.postgres import Postgres
from tests.store.conftest import Backend
from tests.store.helpers import BASE, MINUTE
from tests.store.test_properties import scenarios

MONTH = calendar_month(2026, 9, "UTC")
_examples = itertools.count()


@pytest.fixture
def both(tmp_path: Path, postgres: Postgres) -> Iterator[tuple[Backend, Backend]]:
    pair = Backend("sqlite", tmp_path), Backend("postgres", tmp_path, postgres)
    yield pair
    for backend in pair:
        backend.close_all()


def report_from(store: Store, accounts: set[str], policy: SlaPolicy) -> str:
    timelines = store.timelines(max_gap=policy.max_gap, accounts=accounts)
    windows = [w.to_window() for w in store.windows() if w.accounts and w.accounts <= accounts]
    return render_json(build_report(histories(timelines, policy, maintenance=windows),
                                    MONTH, policy))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_same_history_gives_the_same_report_from_either_store(
    both: tuple[Backend, Backend], data: st.DataObject
) -> None:
    prefix = f"a{next(_examples)}-"
    results, batches, max_gap = data.draw(scenarios(prefix))
    accounts = {r.account for r in results} | {prefix + "acme"}
    policy = SlaPolicy(min_outage=data.draw(st.sampled_from([60.0, 120.0, 300.0])),
                       quorum=data.draw(st.sampled_from(["any", "majority", "all", 2])),
                       max_gap=max_gap)
    start = BASE + data.draw(st.integers(0, 60)) * MINUTE
    window = StoredWindow.declare(kind="emergency", accounts=frozenset({prefix + "acme"}),
                                  start=start,
                                  end=start + data.draw(st.integers(1, 30)) * MINUTE,
                                  created_at=BASE)
    reports = []
    for backend in both:
        store = backend.kept(f"gap-{max_gap:g}", interval=60.0, max_gap=max_gap)
        for batch in batches:
            store.write(batch)
        store.add_window(window)
        reports.append(report_from(store, accounts, policy))
    direct = histories_from_results(results, policy, maintenance=[window.to_window()])
    assert reports[0] == reports[1]
    assert reports[0] == render_json(build_report(direct, MONTH, policy))
