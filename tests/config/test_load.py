"""The config loader: typed settings from YAML, or every problem at once, each on one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from probe.config import ConfigError, load_config
from probe.model import CreditTier

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str, name: str = "probe.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [str(p) for p in caught.value.problems]


def test_empty_file_gives_the_rules_defaults(tmp_path: Path) -> None:
    policy = load_config(write(tmp_path, "")).policy()
    assert (policy.objective, policy.min_outage, policy.max_gap) == (0.999, 300.0, 300.0)
    assert (policy.timezone, policy.quorum, policy.credits) == ("UTC", "majority", None)
    assert policy.claim_within == 30 * 86400


def test_sla_and_maintenance_alone_are_a_report_config(tmp_path: Path) -> None:
    settings = load_config(write(tmp_path, """
sla:
  objective: 0.995
  min_outage: 90s
  quorum: 2
  credits: [{below: 0.995, percent: 10}]
maintenance:
  windows:
    - kind: emergency
      accounts: [acme]
      start: "2026-10-05T10:00:00Z"
      end: "2026-10-05T12:00:00+01:00"
"""))
    policy = settings.policy()
    assert (policy.objective, policy.min_outage, policy.quorum) == (0.995, 90.0, 2)
    assert policy.credits == (CreditTier(below=0.995, percent=10),)
    (window,) = settings.maintenance_windows()
    assert window.kind == "emergency"
    assert window.accounts == frozenset({"acme"})
    assert window.end is not None
    assert window.start is not None
    assert window.end - window.start == 3600  # 12:00+01:00 is 11:00Z


def test_the_issue_example_error_names_file_key_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "sla:\n  objective: 0.999\n  min_outage: five\n", name="acme.yaml")
    assert problems(path) == [
        f"{path}: sla.min_outage (line 3): expected a duration like '5m', got 'five'"
    ]


def test_every_problem_is_reported_at_once_in_line_order(tmp_path: Path) -> None:
    path = write(tmp_path, """\
sla:
  objective: 1.5
  quorum: most
  timezone: Mars/Olympus
maintenance:
  windows:
    - every: "61 * * * *"
      duration: 1h
    - kind: planned
      start: 2026-10-05T10:00:00
      end: 2026-10-05T11:00:00Z
""")
    found = problems(path)
    assert [line.split(": ")[1] for line in found] == [
        "sla.objective (line 2)",
        "sla.quorum (line 3)",
        "sla.timezone (line 4)",
        "maintenance.windows[0].every (line 7)",
        "maintenance.windows[1].kind (line 9)",
        "maintenance.windows[1].start (line 10)",
    ]
    assert "bad cron expression '61 * * * *'" in found[3]
    assert "has no UTC offset" in found[5]
    assert all("\n" not in line for line in found)


def test_a_plain_password_is_refused_with_the_way_to_do_it(tmp_path: Path) -> None:
    path = write(tmp_path, """\
accounts:
  - name: acme
    users:
      - username: probe@acme.example
        password: hunter2
""")
    (problem,) = problems(path)
    assert "accounts[0].users[0].password (line 5)" in problem
    assert "password_env" in problem
    assert "password_file" in problem
    assert "hunter2" not in problem


def test_a_user_needs_exactly_one_password_source(tmp_path: Path) -> None:
    path = write(tmp_path, """\
accounts:
  - name: acme
    users:
      - {username: a, password_env: A, password_file: /run/a}
      - {username: b}
""")
    found = problems(path)
    assert len(found) == 2
    assert all("exactly one of password_env or password_file" in p for p in found)


def test_unknown_keys_are_named(tmp_path: Path) -> None:
    (problem,) = problems(write(tmp_path, "sla:\n  min_outgae: 5m\n"))
    assert "sla.min_outgae (line 2): unknown key" in problem


def test_duplicate_account_names_are_refused(tmp_path: Path) -> None:
    (problem,) = problems(write(tmp_path, "accounts:\n  - name: acme\n  - name: acme\n"))
    assert "account names must be unique: acme given twice" in problem


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ("{start: '2026-10-05T10:00:00Z'}", "a one-off window needs both start and end"),
        ("{every: '0 2 * * SUN'}", "a recurring window needs every (cron) and a duration"),
        ("{start: '2026-10-05T10:00:00Z', end: '2026-10-05T09:00:00Z'}", "end must be after"),
        ("{every: '0 2 * * *', duration: 1h, start: '2026-10-05T10:00:00Z'}", "either start"),
        ("{}", "either start and end, or every and duration"),
    ],
)
def test_maintenance_window_shapes(tmp_path: Path, window: str, message: str) -> None:
    (problem,) = problems(write(tmp_path, f"maintenance:\n  windows:\n    - {window}\n"))
    assert message in problem


def test_not_yaml_is_one_line_with_the_line(tmp_path: Path) -> None:
    (problem,) = problems(write(tmp_path, "sla:\n  objective: [0.999\n"))
    assert problem.startswith(f"{tmp_path / 'probe.yaml'}: (top level) (line ")
    assert "not valid YAML" in problem


def test_a_list_at_the_top_is_not_a_config(tmp_path: Path) -> None:
    (problem,) = problems(write(tmp_path, "- sla\n"))
    assert "expected a mapping of sections" in problem


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path / "absent.yaml")
    assert "absent.yaml: (top level): cannot read: No such file or directory" in problem


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load_config(write(tmp_path, "sla: {objective: 0.99}"))
    with pytest.raises(ValueError, match="frozen"):
        settings.sla.objective = 0.5  # type: ignore[misc]


@pytest.mark.parametrize("name", ["example.yaml"])
def test_shipped_configs_load(name: str) -> None:
    settings = load_config(REPO / "config" / name)
    assert settings.accounts


def test_agent_listen_needs_host_and_port(tmp_path: Path) -> None:
    (problem,) = problems(write(tmp_path, "agent:\n  listen: nowhere\n"))
    assert "agent.listen (line 2): expected HOST:PORT such as 127.0.0.1:9464" in problem


def test_an_account_on_the_steps_flow_needs_steps_and_is_named_at_its_key(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, """
accounts:
  - name: acme
    users: [{username: probe@acme.test, password_env: ACME_PASSWORD}]
  - name: initech
    flow: steps
    users: [{username: probe@initech.test, password_env: INITECH_PASSWORD}]
""")
    assert problems(path) == [
        f"{path}: accounts[1].flow (line 6): flow: steps needs target.steps: a list with at "
        "least one login or call step"
    ]
