"""``target.browser``: the lifesize preset, one action per step, templates checked at load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from probe.config import BrowserSection, ConfigError, TargetSection, load_config
from probe.config._browser import LIFESIZE_PRESET
from probe.config._target import DEFAULT_HOSTS


def target(*steps: dict[str, Any], **fields: Any) -> TargetSection:
    browser = {"steps": list(steps), **fields} if steps else fields
    return TargetSection.model_validate({"flow": "browser", "vars": {"tenant": "t-9"},
                                         "browser": browser})


def problem(*steps: dict[str, Any], **fields: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        target(*steps, **fields)
    return str(caught.value)


def test_the_defaults_are_the_lifesize_preset_on_debian_chromium() -> None:
    section = TargetSection.model_validate({"flow": "browser"}).browser
    assert section == BrowserSection()
    assert section.executable == "/usr/bin/chromium"
    assert section.confirm is True
    assert section.min_frames == 5
    assert section.wrong_password == "#signin-error"
    assert [s.model_dump(exclude_none=True) for s in section.steps] == list(LIFESIZE_PRESET)
    assert [s.action for s in section.steps] == [
        "goto", "wait_for", "fill", "fill", "click", "wait_for", "click", "expect"]


def test_the_web_host_has_a_default_and_may_be_overridden() -> None:
    assert DEFAULT_HOSTS["web"] == "https://webapp.lifesizecloud.com"
    assert TargetSection().hosts["web"] == "https://webapp.lifesizecloud.com"
    local = TargetSection.model_validate({"hosts": {"web": "http://127.0.0.1:8088/"}})
    assert local.hosts["web"] == "http://127.0.0.1:8088"
    assert local.hosts["login"] == DEFAULT_HOSTS["login"]


def test_the_preset_may_be_named() -> None:
    assert target(steps="lifesize").browser.steps == BrowserSection().steps
    assert "unknown preset 'teams'" in problem(steps="teams")


def test_a_custom_script_of_every_action() -> None:
    section = target(
        {"step": "login", "goto": "${hosts.web}/signin?u=${vars.tenant}"},
        {"step": "login", "wait_for": {"url": "**/signin*"}},
        {"step": "login", "wait_for": {"text": "Sign in"}},
        {"step": "login", "fill": "#email", "value": "${user.username}"},
        {"step": "call", "click": "button.start"},
        {"step": "call", "expect": "#call-state", "text": "connected"},
        {"step": "call", "expect": "media"},
    ).browser
    assert [s.action for s in section.steps] == [
        "goto", "wait_for", "wait_for", "fill", "click", "expect", "expect"]
    assert section.steps[5].text == "connected"


@pytest.mark.parametrize(("step", "message"), [
    ({"step": "login"}, "exactly one of goto, fill, click, wait_for, expect; got none"),
    ({"step": "login", "goto": "http://x.test", "click": "#a"}, "got goto, click"),
    ({"step": "login", "fill": "#email"}, "fill needs value"),
    ({"step": "login", "click": "#a", "value": "x"}, "value belongs to fill"),
    ({"step": "call", "expect": "media", "text": "x"}, "text belongs to expect: SELECTOR"),
    ({"step": "call", "click": "#a", "text": "x"}, "text belongs to expect: SELECTOR"),
    ({"step": "login", "goto": "/app/"}, "goto: expected http://"),
    ({"step": "login", "wait_for": {}}, "wait_for needs exactly one of selector, url or text"),
    ({"step": "login", "wait_for": {"selector": "#a", "text": "b"}}, "got selector, text"),
    ({"step": "cleanup", "goto": "http://x.test"}, "'login' or 'call'"),
    ({"step": "login", "goto": "http://x.test", "wait": 3}, "Extra inputs"),
    ({"step": "login", "click": ""}, "at least 1 character"),
    ({"step": "login", "goto": "http://${not valid}/"}, "bad placeholder 'not valid'"),
])
def test_a_step_does_exactly_one_thing(step: dict[str, Any], message: str) -> None:
    assert message in problem(step)


def test_template_names_are_checked_at_load_time() -> None:
    assert "browser.steps[1] (fill) uses ${vars.nope}, which is not defined" in problem(
        {"step": "login", "goto": "${hosts.web}/"},
        {"step": "login", "fill": "#a", "value": "${vars.nope}"})
    assert "uses ${hosts.sso}" in problem({"step": "login", "goto": "${hosts.sso}/"})
    assert "(set api_key_env or api_key_file)" in problem(
        {"step": "login", "goto": "${hosts.web}/?k=${api_key}"})
    assert "uses ${token}" in problem({"step": "login", "click": "#${token}"})
    fine = TargetSection.model_validate({
        "flow": "browser", "vars": {"room": "r1"}, "api_key_env": "K",
        "browser": {"steps": [{"step": "call", "goto": "${hosts.web}/${vars.room}?k=${api_key}"},
                              {"step": "call", "expect": "#r-${region}-${probe.id}"}]}})
    assert fine.browser.steps[0].goto == "${hosts.web}/${vars.room}?k=${api_key}"


def test_the_browser_section_is_checked_even_for_another_flow() -> None:
    """An account may pick the browser flow (``Account.flow``) whatever ``target.flow``."""
    with pytest.raises(ValidationError, match=r"uses \$\{vars.x\}"):
        TargetSection.model_validate({"flow": "lifesize", "browser": {
            "steps": [{"step": "login", "goto": "${hosts.web}/${vars.x}"}]}})


@pytest.mark.parametrize(("fields", "message"), [
    ({"min_frames": 0}, "greater than or equal to 1"),
    ({"steps": []}, "at least 1 item"),
    ({"wrong_password": ""}, "at least 1 character"),
    ({"headless": False}, "Extra inputs"),
])
def test_section_limits(fields: dict[str, Any], message: str) -> None:
    assert message in problem(**fields)


def test_the_marker_may_be_switched_off() -> None:
    assert target(wrong_password=None).browser.wrong_password is None


def test_a_config_file_names_the_bad_key_and_its_line(tmp_path: Path) -> None:
    config = tmp_path / "probe.yaml"
    config.write_text(
        "target:\n"
        "  flow: browser\n"
        "  browser:\n"
        "    confirm: false\n"
        "    steps:\n"
        "      - {step: login, goto: '${hosts.web}/app/'}\n"
        "      - {step: login, click: '#a', fill: '#b', value: x}\n"
        "accounts:\n"
        "  - name: acme\n"
        "    regions: [eu]\n"
        "    flow: browser\n"
        "    users: [{username: a@acme.example, password_env: A_PW}]\n")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    text = str(caught.value)
    assert "target.browser.steps[1]" in text
    assert "line 7" in text
    assert "got fill, click" in text
    config.write_text(config.read_text().replace("click: '#a', ", ""))
    settings = load_config(config)
    assert settings.target.browser.confirm is False
    assert settings.accounts[0].flow == "browser"
