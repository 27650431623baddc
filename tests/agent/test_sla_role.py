"""``agent.role``: the sla agent's figures from a store, and which families each role exports.

No network and no clock: a real SQLite store holds three regions' probes (the same
store the sla agent reads over PostgreSQL in ``tests/multiregion``), ``now`` is fixed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from probe.agent.exporter import exposition_for
from probe.agent.exporter import exposition_for as render_exposition_pair
from probe.agent.metric_families import ACCOUNT_FAMILIES
from probe.agent.sla_role import SlaAgent, close_stale
from probe.cli import main
from probe.config import ConfigError, Settings, load_config
from probe.model import ProbeResult
from probe.sla import region_timeline
from probe.store import StoreError, open_store
from probe.store.base import Store
from tests.agent.conftest import build_snapshot

pytestmark = pytest.mark.anyio

T0 = 1_790_000_000.0
REGIONS = ("eu-west", "us-east", "ap-south")


def families(exposition: bytes) -> set[str]:
    return {line.split()[2] for line in exposition.decode().splitlines()
            if line.startswith("# TYPE")}


def sla_settings(tmp_path: Path, **sla: Any) -> Settings:
    return Settings.model_validate({
        "agent": {"role": "sla", "database": f"sqlite:///{tmp_path / 'shared.db'}",
                  "interval": "60s"},
        "accounts": [{"name": "acme", "regions": list(REGIONS)},
                     {"name": "globex", "regions": list(REGIONS)}],
        "sla": {"min_outage": "5m", **sla}})


def history(pattern: dict[str, str], account: str = "acme") -> list[ProbeResult]:
    """One character a minute per region: ``.`` ok, ``x`` failed, ``-`` nothing."""
    return [
        ProbeResult(
            ts=T0 + 60 * i,
            account=account,
            region=region,
            ok=char == ".",
            step=None if char == "." else "login",
            error=None if char == "." else "http_503",
        )
        for region, text in pattern.items()
        for i, char in enumerate(text)
        if char != "-"
    ]


def store_with(tmp_path: Path, results: list[ProbeResult]) -> Store:
    store = open_store(f"sqlite:///{tmp_path / 'shared.db'}", interval=60, max_gap=300)
    store.write(results)
    return store


@pytest.mark.parametrize(("quorum", "unavailable"),
                         [("any", 1200.0), ("majority", 600.0), ("all", 0.0)])
async def test_account_figures_follow_the_quorum_across_regions(
    tmp_path: Path, quorum: str, unavailable: float
) -> None:
    """eu-west down 20 min, us-east 10 of them, ap-south never; globex healthy."""
    store = store_with(tmp_path, history({
        "eu-west":  "..xxxxxxxxxxxxxxxxxxxx.....",
        "us-east":  "..........xxxxxxxxxx.......",
        "ap-south": "...........................",
    }) + history(dict.fromkeys(REGIONS, "." * 27), account="globex"))
    agent = SlaAgent(settings=sla_settings(tmp_path, quorum=quorum), store=store,
                     clock=lambda: T0 + 60 * 27)
    await agent.refresh()
    figures = {a.account: a.figures["30d"].unavailable_seconds for a in agent.snapshot.accounts}
    assert figures == {"acme": unavailable, "globex": 0.0}
    store.close()


async def test_the_sla_agent_exports_account_families_and_every_regions_coverage(
    tmp_path: Path
) -> None:
    store = store_with(tmp_path, history(dict.fromkeys(REGIONS, "..x..")))
    agent = SlaAgent(settings=sla_settings(tmp_path), store=store, clock=lambda: T0 + 300)
    agent.start()
    await agent.refresh()
    text = agent.snapshot.exposition.decode()
    assert families(agent.snapshot.exposition) == {
        "lifesize_sla_unavailable_seconds", "lifesize_sla_availability_ratio",
        "lifesize_sla_error_budget_remaining_seconds", "lifesize_sla_objective_ratio",
        "lifesize_sla_observed_down_seconds", "lifesize_maintenance_active",
        "lifesize_probe_coverage_ratio", "lifesize_probe_build_info",
        "lifesize_probe_store_errors_total"}
    for region in REGIONS:
        assert f'lifesize_probe_coverage_ratio{{account="acme",region="{region}",window="30d"}}' \
            in text
    assert agent.snapshot.ready(T0 + 300) == (True, "ok")
    assert agent.snapshot.ready(T0 + 300 + 121) == (False, "no probe finished within 2 intervals")
    store.close()


async def test_a_region_whose_agent_died_is_a_gap_not_down(tmp_path: Path) -> None:
    """ap-south's agent died while failing: its outage stops at its last failure, its
    coverage falls; with eu-west down later, one region down of three is no quorum."""
    store = store_with(tmp_path, history({
        "eu-west":  "...............xxxxxxxxxx.....",
        "us-east":  "..............................",
        "ap-south": "....xxx-----------------------",
    }))
    now = T0 + 60 * 30
    agent = SlaAgent(settings=sla_settings(tmp_path), store=store, clock=lambda: now)
    await agent.refresh()
    acme = next(a for a in agent.snapshot.accounts if a.account == "acme")
    assert acme.figures["30d"].unavailable_seconds == 0
    assert not acme.down
    regions = {r.region: r for r in agent.snapshot.regions}
    assert not regions["ap-south"].down
    assert regions["ap-south"].last is not None
    assert regions["ap-south"].last.ok is False
    coverage = {name: r.coverage["30d"] for name, r in regions.items()}
    assert coverage["ap-south"] < coverage["us-east"] / 4
    store.close()


def test_close_stale_closes_an_open_outage_only_after_max_gap() -> None:
    probes = history({"eu-west": "..xxx"})
    timeline = region_timeline("acme", "eu-west", probes, max_gap=300)
    assert timeline.down[-1].open
    last = T0 + 240
    assert close_stale(timeline, last + 300, 300) is timeline
    closed = close_stale(timeline, last + 301, 300)
    assert not closed.down[-1].open
    assert closed.down[-1].end == last


async def test_an_unreadable_store_keeps_the_last_figures_and_is_not_ready(
    tmp_path: Path
) -> None:
    store = store_with(tmp_path, history(dict.fromkeys(REGIONS, ".....")))
    agent = SlaAgent(settings=sla_settings(tmp_path), store=store, clock=lambda: T0 + 300)
    await agent.refresh()
    before = agent.snapshot.accounts
    store.close()
    await agent.refresh()
    assert agent.snapshot.accounts == before
    ready, reason = agent.snapshot.ready(T0 + 300)
    assert not ready
    assert reason.startswith("store not writable: ")
    assert "lifesize_probe_store_errors_total 1.0" in agent.snapshot.exposition.decode()
    with pytest.raises(StoreError):
        store.windows()


def test_region_agents_drop_the_account_families_standalone_keeps_all() -> None:
    snapshot = build_snapshot()
    whole, _ = render_exposition_pair(snapshot)
    assert exposition_for(snapshot, "standalone")[0] == whole
    region = exposition_for(snapshot, "region")[0]
    assert families(region) == families(whole) - ACCOUNT_FAMILIES
    assert "lifesize_probe_runs_total" in families(region)
    assert b"lifesize_sla_" not in region


@pytest.mark.parametrize(("agent", "message"), [
    ("role: leader", "agent.role (line 2): input should be 'standalone', 'region' or 'sla'"),
    ("role: sla\n  database: 'sqlite://:memory:'",
     "agent (line 1): role sla shares results through agent.database, which no other"),
])
def test_bad_roles_are_one_line_errors(tmp_path: Path, agent: str, message: str) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text(f"agent:\n  {agent}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in str(caught.value)


def test_the_database_url_stays_out_of_reprs() -> None:
    settings = Settings.model_validate(
        {"agent": {"database": "postgresql://probe:s3cret-PW@db/probe"}})
    assert "s3cret" not in repr(settings)
    assert "s3cret" not in repr(settings.agent)


def test_check_config_says_the_role(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sla.yaml"
    path.write_text("agent:\n  role: sla\n  database: postgresql://probe@db.example/probe\n")
    assert main(["check-config", str(path)]) == 0
    assert "agent: role sla, region local," in capsys.readouterr().out
