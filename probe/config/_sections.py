"""The sections of a config file: ``agent``, ``accounts``, ``sla``, ``maintenance``."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import BeforeValidator, Field, field_validator, model_validator

from probe.addresses import check_http_url, parse_listen
from probe.config._base import Section
from probe.config._types import (
    ByteSize,
    CronExpression,
    Duration,
    InstantValue,
    TimeZoneName,
)
from probe.sla.maintenance import window_problem


def check_quorum(value: Any) -> str | int:
    """R2's quorum: ``any``, ``all``, ``majority`` or a number of regions."""
    if value in ("any", "all", "majority"):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise ValueError(
        f"expected any, all, majority or a number of regions (1 or more), got {value!r}"
    )


Quorum = Annotated[str | int, BeforeValidator(check_quorum)]

PASSWORD_HINT = (
    "passwords never go in the config file: use password_env: VARIABLE "
    "or password_file: /path/to/file"
)


class AgentSection(Section):
    """This agent: where it runs and where it keeps its results."""

    role: Literal["standalone", "region", "sla"] = "standalone"
    """``standalone``: probe this region and export everything. Several regions sharing
    one database: ``region`` agents probe and export their region's probe series only;
    one ``sla`` agent probes nothing and exports the account-level figures (R2–R6) of
    every region, read from the database."""
    region: str = "local"
    listen: str = "127.0.0.1:9464"
    database: str = Field(default="sqlite:///lifesize-probe.db", repr=False)
    """A URL that may carry a password: kept out of reprs."""
    interval: Duration = 60.0
    jitter: Duration = 1.0
    """Each run waits a random part of this before it starts (never shifts the period)."""
    concurrency: int = Field(default=100, ge=1)
    """Probes running at once, at most, across all series."""
    api_token_env: str | None = None
    api_token_file: str | None = None

    @field_validator("listen")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        parse_listen(value, example="127.0.0.1:9464")  # ValueError says what is wrong
        return value

    @model_validator(mode="after")
    def _one_token_source(self) -> Self:
        if self.api_token_env is not None and self.api_token_file is not None:
            raise ValueError("give at most one of api_token_env or api_token_file")
        if self.interval <= 0:
            raise ValueError("interval must be above 0")
        if self.role != "standalone" and ":memory:" in self.database:
            raise ValueError(f"role {self.role} shares results through agent.database, "
                             "which no other agent can see in memory: use a file or postgresql")
        return self


class User(Section):
    """A registered test user; the password is a reference, never the secret itself."""

    username: str = Field(min_length=1)
    password_env: str | None = None
    password_file: str | None = None

    @model_validator(mode="after")
    def _one_password_source(self) -> Self:
        if (self.password_env is None) == (self.password_file is None):
            raise ValueError("give exactly one of password_env or password_file")
        return self


class Account(Section):
    """A subscribed account: the unit the SLA is measured for."""

    name: str = Field(min_length=1)
    regions: tuple[str, ...] = ()
    timezone: TimeZoneName | None = None
    users: tuple[User, ...] = ()
    flow: Literal["lifesize", "steps", "browser"] | None = None
    """The flow that probes this account; ``None`` takes ``target.flow``. One fleet can
    mix cheap API probes with browser probes."""


class DiagnosticsSection(Section):
    """``diagnostics:``: where failed browser probes leave their files, and the budget.

    Over budget, the oldest probe folders go first, but never one of a counted outage
    whose claim deadline has not passed: that is the claim's evidence.
    """

    dir: str | None = None
    """``None``: beside the SQLite store (``<name>-diagnostics/``), or
    ``./lifesize-probe-diagnostics`` when the store is PostgreSQL."""
    max_bytes: ByteSize = 2 * 2**30
    max_age: Duration = 40 * 86400.0


class CreditTierSection(Section):
    below: float = Field(gt=0, le=1)
    percent: float = Field(ge=0, le=100)


class SlaSection(Section):
    """``sla:``: the accounting rules' settings, defaults from SLA_RULES.md."""

    objective: float = Field(default=0.999, gt=0, lt=1)
    min_outage: Duration = 300.0
    timezone: TimeZoneName = "UTC"
    quorum: Quorum = "majority"
    max_gap: Duration = 300.0
    credits: tuple[CreditTierSection, ...] | None = None
    claim_within: Duration = 30 * 86400.0


class WindowSection(Section):
    """A maintenance window: one-off (start/end) or recurring (every/duration)."""

    name: str = ""
    kind: Literal["scheduled", "emergency", "customer_request"] = "scheduled"
    accounts: Literal["*"] | tuple[str, ...] = "*"
    start: InstantValue | None = None
    end: InstantValue | None = None
    every: CronExpression | None = None
    duration: Duration | None = None
    timezone: TimeZoneName | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> Self:
        accounts = None if self.accounts == "*" else self.accounts
        problem = window_problem(kind=self.kind, accounts=accounts, start=self.start,
                                 end=self.end, every=self.every, duration=self.duration)
        if problem is not None:
            raise ValueError(problem[1])
        return self


class StatuspageImport(Section):
    """``maintenance.import[]``: an Atlassian Statuspage whose scheduled maintenance the
    agent imports as windows (R3); see ``probe.statuspage``."""

    statuspage: str
    """The page (``https://status.example.com``) or its scheduled-maintenances JSON URL."""
    components: tuple[str, ...] = ()
    """Only maintenance naming one of these components (name or id); empty: all."""
    accounts: Literal["*"] | tuple[str, ...] = "*"
    every: Duration = 600.0
    notice: Duration = 86400.0
    """Announced less than this before its start, a window is ``emergency``."""
    timeout: Duration = 30.0

    @field_validator("statuspage")
    @classmethod
    def _http_url(cls, value: str) -> str:
        check_http_url(value)  # ValueError says what is wrong
        return value

    @field_validator("components")
    @classmethod
    def _named(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not all(name.strip() for name in value):
            raise ValueError("component names must be non-empty")
        return value

    @field_validator("every")
    @classmethod
    def _not_too_often(cls, value: float) -> float:
        if value < 1:
            raise ValueError(f"every must be at least 1s, got {value:g}s")
        return value

    @field_validator("timeout")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("timeout must be above 0")
        return value


class MaintenanceSection(Section):
    windows: tuple[WindowSection, ...] = ()
    imports: tuple[StatuspageImport, ...] = Field(default=(), alias="import")
    """``import:`` in the file (a Python keyword, hence the attribute's name)."""
