"""``target:``: defaults, key-by-key overrides, and errors that name the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from probe.config import ConfigError, load_config
from probe.config._target import DEFAULT_HOSTS, TargetSection
from probe.simulator import demo_config

REPO = Path(__file__).resolve().parents[2]


def test_defaults_are_the_documented_lifesize_endpoints() -> None:
    target = TargetSection()
    assert target.hosts == DEFAULT_HOSTS
    life = target.lifesize
    assert (life.login.method, life.login.url) == ("POST", "${hosts.login}/api/login")
    assert life.create is not None
    assert life.create.url == "${hosts.meeting}/meeting/create"
    assert life.create.expect == {"statusCode": 202}
    assert life.poll.url == "${hosts.meeting}/meeting/get?uuid=${uuid}"
    assert life.hangup is not None
    assert (life.hangup.method, life.hangup.json_body) == ("DELETE", {"uuid": "${uuid}"})
    assert "key" not in life.create.headers, "no API key configured: no key header"


def test_an_api_key_adds_the_key_header() -> None:
    target = TargetSection.model_validate({"api_key_env": "K"})
    assert target.lifesize.poll.headers["key"] == "${api_key}"


def test_overrides_are_laid_over_the_defaults_key_by_key() -> None:
    target = TargetSection.model_validate({
        "hosts": {"login": "http://127.0.0.1:8088/"},
        "lifesize": {"login": {"url": "${hosts.login}/signin", "status": [200, 204]},
                     "hangup": None}})
    assert target.hosts["login"] == "http://127.0.0.1:8088"
    assert target.hosts["meeting"] == DEFAULT_HOSTS["meeting"]
    login = target.lifesize.login
    assert (login.url, login.status, login.method) == ("${hosts.login}/signin", (200, 204), "POST")
    assert login.extract == {"token": "token"}
    assert target.lifesize.hangup is None


def test_the_section_is_frozen() -> None:
    with pytest.raises(ValidationError):
        TargetSection().timeout = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(("data", "message"), [
    ({"lifesize": {"create": {"headers": {"key": "${api_key}"}}}},
     "lifesize.create uses ${api_key}, which is not defined before it (set api_key_env"),
    ({"lifesize": {"login": {"extract": {}}}},
     "lifesize.create uses ${token}, which is not defined before it"),
    ({"lifesize": {"login": {"url": "${hosts.sso}/x"}}}, "lifesize.login uses ${hosts.sso}"),
    ({"lifesize": {"login": {"url": "/api/login"}}}, "expected http://"),
    ({"lifesize": {"login": {"json": {"a": 1}, "form": {"a": "1"}}}}, "json or form, not both"),
    ({"lifesize": {"login": {"json": {"a": "${bad name}"}}}}, "bad placeholder 'bad name'"),
    ({"lifesize": {"login": {"method": "FETCH"}}}, "'GET', 'POST'"),
    ({"lifesize": {"login": {"status": [200, 999]}}}, "HTTP statuses are 100 to 599"),
    ({"lifesize": {"login": {"extract": {"t": "cookie:"}}}}, "t: expected a JSON path"),
    ({"lifesize": {"login": {"extract": {"t-1": "a"}}}}, "variable names are letters"),
    ({"lifesize": {"poll": {"until": {"a..b": 1}}}}, "expected a JSON path like"),
    ({"lifesize": {"poll": {"every": "0s"}}}, "every must be above 0"),
    ({"lifesize": {"login": {"passwd": "x"}}}, "Extra inputs are not permitted"),
    ({"hosts": {"login": "login.lifesizecloud.com"}}, "login: expected a base URL"),
    ({"api_key_env": "A", "api_key_file": "b"}, "at most one of api_key_env or api_key_file"),
    ({"flow": "steps"}, "flow: steps needs steps"),
    ({"flow": "steps", "steps": [{"name": "a", "step": "login", "url": "https://x"},
                                 {"name": "a", "step": "call", "url": "https://x"}]},
     "step names must be unique: a given twice"),
    ({"flow": "steps", "steps": [{"name": "a", "step": "call", "url": "https://x/${later}"},
                                 {"name": "b", "step": "call", "url": "https://x",
                                  "extract": {"later": "v"}}]},
     "steps.a uses ${later}, which is not defined before it"),
    ({"max_body_bytes": 10}, "greater than or equal to 1024"),
    ({"timeout": "soon"}, "expected a duration"),
])
def test_bad_targets_are_refused_with_the_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as error:
        TargetSection.model_validate(data)
    assert message in str(error.value)


def test_cleanup_steps_may_use_any_extract() -> None:
    target = TargetSection.model_validate({"flow": "steps", "steps": [
        {"name": "bye", "step": "cleanup", "url": "https://x/${call}"},
        {"name": "dial", "step": "call", "url": "https://x", "extract": {"call": "id"}}]})
    assert [s.name for s in target.steps] == ["bye", "dial"]


def test_a_config_file_error_names_file_key_and_line(tmp_path: Path) -> None:
    path = tmp_path / "probe.yaml"
    path.write_text("target:\n  flow: lifesize\n  step_timeout: later\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert f"{path}: target.step_timeout (line 3): expected a duration" in str(error.value)


def test_the_packaged_demo_config_loads() -> None:
    with demo_config() as path:
        settings = load_config(path)
    assert [(a.name, a.flow, len(a.users)) for a in settings.accounts] == [
        ("acme", None, 2), ("globex", None, 2), ("initech", "browser", 1)]
    assert all(a.regions == ("local",) for a in settings.accounts)
    assert settings.target.flow == "lifesize"
    assert settings.target.hosts["web"] == "http://127.0.0.1:8088"
    assert settings.agent.interval == 10.0
    assert settings.target.hosts["login"] == "http://127.0.0.1:8088"
    assert settings.target.hosts["meeting"] == "http://127.0.0.1:8088"
