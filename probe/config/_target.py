"""``target:``: what the probes talk to and how (the flow).

Lifesize Cloud has no documented sign-in API, so every URL, header, body and expected
answer of a probe is configuration. The ``lifesize`` flow's defaults are the public facts
(meeting API ``/meeting/create``, ``/meeting/get``, ``/meeting/delete`` with a ``key``
header) plus a sign-in request that is an assumption to adjust; each of its requests may
be overridden key by key. The ``steps`` flow is a whole script written in YAML; the
``browser`` flow drives Chromium through the web app (``target.browser``, in ``_browser``).

Strings may use ``${name}`` (``$${`` is a literal ``${``). The names are checked here,
at load time, so that a typo fails the config check instead of every probe.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, Self

from pydantic import Field, JsonValue, field_validator, model_validator

from probe.config._base import Section
from probe.config._browser import BrowserSection
from probe.config._templates import FIXED_NAMES, NAME, placeholders
from probe.config._types import Duration

VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
JSON_PATH = re.compile(r"(?:[^.\[\]]+|\[\d+\])(?:\.[^.\[\]]+|\[\d+\])*")
"""``a.b[0].c``: keys separated by dots, list indexes in brackets."""
BASE_URL = re.compile(r"https?://[^/\s]+(/\S*)?")
SOURCE_PREFIXES = ("cookie:", "header:", "json:")

DEFAULT_HOSTS: Mapping[str, str] = {
    "login": "https://login.lifesizecloud.com",
    "meeting": "https://meetingapi.lifesizecloud.com",
    "call": "https://call.lifesizecloud.com",
    "web": "https://webapp.lifesizecloud.com",
}

Scalar = str | int | float | bool | None
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]


class RequestSection(Section):
    """One HTTP request of a probe and what its answer must look like."""

    method: Method = "GET"
    url: str = Field(min_length=1)
    headers: Mapping[str, str] = {}
    json_body: JsonValue = Field(default=None, alias="json")
    form: Mapping[str, str] | None = None
    status: tuple[int, ...] = (200,)
    """Statuses that count as success; any other is ``http_<status>``."""
    reject: tuple[int, ...] = (401, 403)
    """Statuses that mean our credentials were refused: ``auth_rejected``."""
    expect: Mapping[str, Scalar] = {}
    """JSON path → value the answer must have, else ``bad_response``."""
    extract: Mapping[str, str] = {}
    """Variable → ``json path``, ``cookie:NAME`` or ``header:NAME``."""
    until: Mapping[str, Scalar] | None = None
    """Poll: repeat every ``every`` until these JSON paths have these values."""
    every: Duration = 1.0
    follow_redirects: bool = False

    @field_validator("method", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith(("http://", "https://", "${")):
            raise ValueError(f"expected http://…, https://… or ${{hosts.NAME}}/…, got {value!r}")
        return value

    @field_validator("status", "reject")
    @classmethod
    def _statuses(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        wrong = [code for code in value if not 100 <= code <= 599]
        if wrong:
            raise ValueError(f"HTTP statuses are 100 to 599, got {wrong}")
        return value

    @field_validator("expect", "until")
    @classmethod
    def _paths(cls, value: Mapping[str, Scalar] | None) -> Mapping[str, Scalar] | None:
        for path in value or {}:
            if not JSON_PATH.fullmatch(path):
                raise ValueError(f"expected a JSON path like 'a.b[0].c', got {path!r}")
        return value

    @field_validator("extract")
    @classmethod
    def _sources(cls, value: Mapping[str, str]) -> Mapping[str, str]:
        for name, source in value.items():
            if not VARIABLE.fullmatch(name):
                raise ValueError(f"variable names are letters, digits and _, got {name!r}")
            rest = source.split(":", 1)[1] if source.startswith(SOURCE_PREFIXES) else source
            if not rest or (not source.startswith(("cookie:", "header:")) and
                            not JSON_PATH.fullmatch(rest)):
                raise ValueError(f"{name}: expected a JSON path, cookie:NAME or header:NAME, "
                                 f"got {source!r}")
        return value

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.json_body is not None and self.form is not None:
            raise ValueError("give json or form, not both")
        if self.every <= 0:
            raise ValueError("every must be above 0")
        bad = sorted({name for name in self.names() if not NAME.fullmatch(name)})
        if bad:
            raise ValueError(f"bad placeholder {bad[0]!r}: write ${{name}} or ${{group.name}}")
        return self

    def names(self) -> Iterator[str]:
        """The ``${name}`` placeholders this request uses."""
        yield from placeholders(self.url)
        yield from placeholders(self.headers)
        yield from placeholders(self.json_body)
        yield from placeholders(self.form)


class StepSection(RequestSection):
    """A request of the ``steps`` flow, tagged with the step it belongs to.

    ``cleanup`` requests run after the verdict, best-effort, and never change it.
    """

    name: str = Field(min_length=1)
    step: Literal["login", "call", "cleanup"]


class LifesizeSection(Section):
    """The ``lifesize`` flow: sign in, create a meeting, poll it, delete it.

    ``create: null`` dials an existing meeting instead (set its variables in
    ``target.vars``); ``hangup: null`` skips the cleanup.
    """

    login: RequestSection
    create: RequestSection | None
    poll: RequestSection
    hangup: RequestSection | None


def lifesize_defaults(with_api_key: bool) -> dict[str, dict[str, Any]]:
    """The documented defaults, before the config's overrides are laid over them."""
    meeting = {"Authorization": "Bearer ${token}"}
    if with_api_key:
        meeting = {"key": "${api_key}", **meeting}
    return {
        "login": {"method": "POST", "url": "${hosts.login}/api/login",
                  "json": {"username": "${user.username}", "password": "${user.password}"},
                  "extract": {"token": "token"}},
        "create": {"method": "POST", "url": "${hosts.meeting}/meeting/create",
                   "headers": meeting,
                   "json": {"displayName": "lifesize-probe ${account.name} ${probe.id}",
                            "tempMeeting": True, "pin": ""},
                   "status": [200, 202], "expect": {"statusCode": 202},
                   "extract": {"uuid": "uuid", "extension": "extension"}},
        "poll": {"method": "GET", "url": "${hosts.meeting}/meeting/get?uuid=${uuid}",
                 "headers": meeting, "until": {"state": "connected"}, "every": "1s"},
        "hangup": {"method": "DELETE", "url": "${hosts.meeting}/meeting/delete",
                   "headers": meeting, "json": {"uuid": "${uuid}"},
                   "status": [200, 202, 204]},
    }


class TargetSection(Section):
    """Which flow probes run, where it sends its requests and the limits it runs under."""

    flow: Literal["lifesize", "steps", "browser"] = "lifesize"
    timeout: Duration = 30.0
    """Total time one probe may take, all steps together."""
    step_timeout: Duration = 15.0
    """Time the login step, and the call step, may each take."""
    cleanup_timeout: Duration = 5.0
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    """Answers longer than this are ``bad_response``; bodies are never read in full first."""
    hosts: Mapping[str, str] = DEFAULT_HOSTS
    """Base URL per host, ``${hosts.NAME}`` in templates (loopback for the simulator)."""
    vars: Mapping[str, str] = {}
    """Constants for templates, ``${vars.NAME}``."""
    api_key_env: str | None = None
    api_key_file: str | None = None
    user_agent: str = "lifesize-probe/0.1"
    tls_verify: bool = True
    """Verify the target's TLS certificates; ``false`` (a lab with a self-signed
    certificate) must be written out, and the agent warns about it at start."""
    lifesize: LifesizeSection = LifesizeSection.model_validate(lifesize_defaults(False))
    steps: tuple[StepSection, ...] = ()
    browser: BrowserSection = BrowserSection()

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        """Lay the config's hosts and lifesize requests over the defaults, key by key."""
        if not isinstance(data, Mapping):
            return data
        merged = dict(data)
        if isinstance(hosts := data.get("hosts"), Mapping):
            merged["hosts"] = {**DEFAULT_HOSTS, **hosts}
        given = data.get("lifesize", {})
        if isinstance(given, Mapping):
            keyed = data.get("api_key_env") is not None or data.get("api_key_file") is not None
            merged["lifesize"] = _overlay(lifesize_defaults(keyed), given)
        return merged

    @field_validator("hosts")
    @classmethod
    def _base_urls(cls, value: Mapping[str, str]) -> Mapping[str, str]:
        for name, url in value.items():
            if not VARIABLE.fullmatch(name) or not BASE_URL.fullmatch(url):
                raise ValueError(f"{name}: expected a base URL like https://host:port, got {url!r}")
        return {name: url.rstrip("/") for name, url in value.items()}

    @field_validator("vars")
    @classmethod
    def _var_names(cls, value: Mapping[str, str]) -> Mapping[str, str]:
        bad = [name for name in value if not VARIABLE.fullmatch(name)]
        if bad:
            raise ValueError(f"variable names are letters, digits and _, got {bad[0]!r}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.api_key_env is not None and self.api_key_file is not None:
            raise ValueError("give at most one of api_key_env or api_key_file")
        if self.flow == "steps" and not self.has_steps():
            raise ValueError(f"flow: steps needs {STEPS_NEEDED}")
        names = [step.name for step in self.steps]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"step names must be unique: {', '.join(twice)} given twice")
        known = self.known_names()
        problem = (check_names(self._steps_script(), known) or
                   check_names(self._lifesize_script(), known) or
                   self.browser.check_names(known))
        if problem:
            raise ValueError(problem)
        return self

    def known_names(self) -> set[str]:
        """The template names defined before any request runs."""
        known = {*FIXED_NAMES, *(f"hosts.{h}" for h in self.hosts)}
        known |= {f"vars.{v}" for v in self.vars}
        if self.api_key_env is not None or self.api_key_file is not None:
            known.add("api_key")
        return known

    def has_steps(self) -> bool:
        """Whether ``steps`` can run the ``steps`` flow: one login or call step at least."""
        return any(s.step != "cleanup" for s in self.steps)

    def _steps_script(self) -> list[tuple[str, RequestSection, bool]]:
        return [(f"steps.{s.name}", s, s.step == "cleanup") for s in self.steps]

    def _lifesize_script(self) -> list[tuple[str, RequestSection, bool]]:
        parts = [("login", self.lifesize.login, False), ("create", self.lifesize.create, False),
                 ("poll", self.lifesize.poll, False), ("hangup", self.lifesize.hangup, True)]
        return [(f"lifesize.{key}", request, cleanup)
                for key, request, cleanup in parts if request is not None]


STEPS_NEEDED = "steps: a list with at least one login or call step"
"""What the ``steps`` flow needs of ``target.steps``, for the message that says so."""


def _overlay(defaults: dict[str, dict[str, Any]], given: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = dict(defaults)
    for key, value in given.items():
        if isinstance(value, Mapping) and key in defaults:
            merged[key] = {**defaults[key], **value}
        else:
            merged[key] = value
    return merged


def check_names(script: Sequence[tuple[str, RequestSection, bool]], known: Iterable[str]) -> str:
    """The first use of an undefined ``${name}``, as a message naming the key; "" if none.

    A request sees the fixed names and what earlier requests extract; cleanup requests
    see every extract (they are skipped at run time when a variable was never set).
    """
    defined = set(known)
    every_extract = {name for _, request, _ in script for name in request.extract}
    for key, request, cleanup in script:
        visible = defined | every_extract if cleanup else defined
        missing = sorted(set(request.names()) - visible)
        if missing:
            hint = " (set api_key_env or api_key_file)" if missing[0] == "api_key" else ""
            return f"{key} uses ${{{missing[0]}}}, which is not defined before it{hint}"
        defined |= set(request.extract)
    return ""
