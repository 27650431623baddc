"""The one place where YAML becomes validated, typed, frozen settings.

``load_config(path)`` returns ``Settings`` or raises ``ConfigError`` listing every
problem, each as ``file: key.path (line N): what is wrong``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Self

from pydantic import ValidationError, model_validator
from pydantic_core import ErrorDetails

from probe.config._base import Section
from probe.config._browser import MEDIA, BrowserSection, BrowserStep
from probe.config._errors import ConfigError, ConfigProblem
from probe.config._sections import (
    PASSWORD_HINT,
    Account,
    AgentSection,
    DiagnosticsSection,
    MaintenanceSection,
    SlaSection,
    StatuspageImport,
    User,
    WindowSection,
)
from probe.config._target import STEPS_NEEDED, RequestSection, TargetSection
from probe.config._templates import PLACEHOLDER
from probe.config._types import parse_duration
from probe.config._yaml import KeyPath, line_of, load_yaml
from probe.model import CreditTier, MaintenanceWindow, SlaPolicy

__all__ = [
    "MEDIA",
    "PLACEHOLDER",
    "Account",
    "BrowserSection",
    "BrowserStep",
    "ConfigError",
    "ConfigProblem",
    "DiagnosticsSection",
    "RequestSection",
    "Settings",
    "StatuspageImport",
    "TargetSection",
    "User",
    "load_config",
    "parse_duration",
]


class Settings(Section):
    """A whole config file. Every section is optional; a file with only ``sla:`` and
    ``maintenance:`` is enough for ``report``."""

    agent: AgentSection = AgentSection()
    target: TargetSection = TargetSection()
    accounts: tuple[Account, ...] = ()
    sla: SlaSection = SlaSection()
    maintenance: MaintenanceSection = MaintenanceSection()
    diagnostics: DiagnosticsSection = DiagnosticsSection()

    @model_validator(mode="after")
    def _unique_accounts(self) -> Self:
        names = [account.name for account in self.accounts]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"account names must be unique: {', '.join(twice)} given twice")
        return self

    @model_validator(mode="after")
    def _steps_for_steps_accounts(self) -> Self:
        """An account may choose ``flow: steps`` only when ``target.steps`` can run it."""
        if self.target.has_steps():
            return self
        for index, account in enumerate(self.accounts):
            if account.flow == "steps":
                raise _AtKey(("accounts", index, "flow"),
                             f"flow: steps needs target.{STEPS_NEEDED}")
        return self

    def policy(self) -> SlaPolicy:
        """The SLA engine's view of ``sla:``."""
        sla = self.sla
        tiers = None if sla.credits is None else tuple(
            CreditTier(below=t.below, percent=t.percent) for t in sla.credits
        )
        return SlaPolicy(
            objective=sla.objective,
            min_outage=sla.min_outage,
            timezone=sla.timezone,
            quorum=sla.quorum,
            max_gap=sla.max_gap,
            credits=tiers,
            claim_within=sla.claim_within,
        )

    def maintenance_windows(self) -> tuple[MaintenanceWindow, ...]:
        """R3: the configured windows, recurring ones in their own or the SLA time zone."""
        return tuple(_window(w, self.sla.timezone) for w in self.maintenance.windows)

    def account_regions(self) -> dict[str, tuple[str, ...]]:
        """Configured regions per account (R2 counts them even without results)."""
        return {account.name: account.regions for account in self.accounts}


class _AtKey(ValueError):
    """A problem found by a validator of a whole section, at a key deeper inside it
    (pydantic would place it at the section): ``_problem`` moves it there."""

    def __init__(self, path: KeyPath, message: str) -> None:
        super().__init__(message)
        self.path = path


def _window(section: WindowSection, default_zone: str) -> MaintenanceWindow:
    accounts = None if section.accounts == "*" else frozenset(section.accounts)
    return MaintenanceWindow(
        kind=section.kind,
        accounts=accounts,
        name=section.name,
        start=section.start,
        end=section.end,
        every=section.every,
        duration=section.duration,
        timezone=section.timezone or default_zone,
    )


def load_config(path: str | Path) -> Settings:
    """Read, validate and freeze the config at ``path``; ``ConfigError`` on any problem."""
    file = Path(path)
    data, lines = load_yaml(file)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problem = ConfigProblem(
            path=str(file), key="", line=1, message="expected a mapping of sections at the top"
        )
        raise ConfigError([problem])
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(str(file), error, lines) for error in exc.errors()]
        raise ConfigError(sorted(_unique(problems), key=lambda p: p.line or 0)) from None


def _problem(file: str, error: ErrorDetails, lines: dict[KeyPath, int]) -> ConfigProblem:
    path = _clean_path(error["loc"])
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, _AtKey):
        path += cause.path
    key = _dotted(path)
    return ConfigProblem(
        path=file, key=key, line=line_of(lines, path), message=_message(error, path)
    )


def _clean_path(loc: tuple[int | str, ...]) -> KeyPath:
    """Drop pydantic's union and validator labels, which are not keys of the file."""
    return tuple(
        part for part in loc
        if isinstance(part, int) or not (part.startswith(("function-", "literal[")) or
                                         part in {"int", "str", "tuple[str, ...]"})
    )


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _dotted(path: KeyPath) -> str:
    """``accounts[0].users``; a key that is not plain shows quoted: ``vars[' x']``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not _PLAIN_KEY.fullmatch(part):
            text += f"[{part!r}]"
        else:
            text += f".{part}" if text else part
    return text


def _message(error: ErrorDetails, path: KeyPath) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "extra_forbidden":
        if path and path[-1] == "password":
            return PASSWORD_HINT
        return "unknown key (check its spelling and indentation)"
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    value = error.get("input")
    shown = "" if isinstance(value, dict | list) else f", got {value!r}"
    return f"{message[0].lower()}{message[1:]}{shown}"


def _unique(problems: list[ConfigProblem]) -> list[ConfigProblem]:
    """Union types report one failure per alternative; keep the first per key."""
    seen: dict[str, ConfigProblem] = {}
    for problem in problems:
        seen.setdefault(problem.key, problem)
    return list(seen.values())

