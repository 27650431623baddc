"""A small agent config for loopback tests: two accounts, one region, 1 s probes.

The time scales are loose on purpose (``max_gap`` and ``min_outage`` 10 s, faults of
20 s or 3 s): CI machines can be starved for CPU, and a probe started a few seconds late
must not turn into an evidence gap or make a short fault look long.
"""

from __future__ import annotations

from pathlib import Path

TOKEN = "e2e-token-4b1d"
PASSWORDS = {"acme-ann": "ann-Pa55!", "globex-gus": "gus-Pa55!", "api-key": "key-9c1e",
             "api-token": TOKEN}


def target_section(simulator: str) -> str:
    """The ``target:`` section for the simulator at ``simulator`` (quick loopback probes)."""
    return f"""\
target:
  timeout: 3s
  step_timeout: 2s
  hosts: {{login: "{simulator}", meeting: "{simulator}", call: "{simulator}"}}
  api_key_file: api-key
  lifesize:
    poll: {{every: 100ms}}
"""


def write_config(folder: Path, *, simulator: str, database: str | None = None,
                 interval: str = "1s", max_gap: str = "10s", min_outage: str = "10s",
                 listen: str = "127.0.0.1:0") -> Path:
    """Write the config (and its secret files) into ``folder``; returns its path."""
    for name, value in PASSWORDS.items():
        (folder / name).write_text(value)
    db = database or f"sqlite:///{folder / 'agent.db'}"
    path = folder / "agent.yaml"
    path.write_text(f"""\
agent:
  region: lab
  listen: {listen}
  database: {db}
  interval: {interval}
  jitter: 50ms
  api_token_file: api-token
{target_section(simulator)}accounts:
  - name: acme
    regions: [lab]
    users: [{{username: ann@acme.example, password_file: acme-ann}}]
  - name: globex
    regions: [lab]
    users: [{{username: gus@globex.example, password_file: globex-gus}}]
sla:
  min_outage: {min_outage}
  max_gap: {max_gap}
""")
    return path
