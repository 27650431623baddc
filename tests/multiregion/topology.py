"""Three regional agents, one sla agent, one simulator, one PostgreSQL: the configs.

The simulator knows nothing of regions; a fault names accounts. So each region's
agent signs in as its own user, whom the simulator's config files under an account
named ``<account>.<region>``: a fault for ``acme.eu-west`` hits acme's probes from
eu-west only. The agents' configs name the real accounts (``acme``, ``globex``).

Time scales as in ``tests/agent/agent_config.py``: 1 s probes, ``max_gap`` and
``min_outage`` 10 s, faults of 20 s.
"""

from __future__ import annotations

from pathlib import Path

from tests.agent.agent_config import target_section

REGIONS = ("eu-west", "us-east", "ap-south")
ACCOUNTS = ("acme", "globex")
API_KEY = "key-5e0a"

_SLA = """\
sla:
  min_outage: 10s
  max_gap: 10s
  quorum: {quorum}
"""


def user(account: str, region: str) -> str:
    return f"probe.{region}@{account}.example"


def write_simulator_config(folder: Path) -> Path:
    """Accounts ``<account>.<region>``, one user each, and their password files."""
    (folder / "api-key").write_text(API_KEY)
    lines = ["accounts:"]
    for account in ACCOUNTS:
        for region in REGIONS:
            secret = f"{account}-{region}.pw"
            (folder / secret).write_text(f"pw-{account}-{region}-7d")
            lines += [f"  - name: {account}.{region}",
                      f"    users: [{{username: {user(account, region)}, "
                      f"password_file: {secret}}}]"]
    path = folder / "simulator.yaml"
    path.write_text(target_section("http://127.0.0.1:1") + "\n".join(lines) + "\n")
    return path


def write_agent_config(folder: Path, *, role: str, region: str, database: str,
                       simulator: str, quorum: str = "majority") -> Path:
    """A regional agent's config (its region's users), or the sla agent's (no users)."""
    lines = ["accounts:"]
    for account in ACCOUNTS:
        lines.append(f"  - name: {account}")
        lines.append(f"    regions: [{', '.join(REGIONS)}]")
        if role == "region":
            lines.append(f"    users: [{{username: {user(account, region)}, "
                         f"password_file: {account}-{region}.pw}}]")
    path = folder / f"{role}-{region}-{quorum}.yaml"
    path.write_text(f"""\
agent:
  role: {role}
  region: {region}
  listen: 127.0.0.1:0
  database: "{database}"
  interval: 1s
  jitter: 50ms
""" + target_section(simulator) + "\n".join(lines) + "\n" + _SLA.format(quorum=quorum))
    return path
