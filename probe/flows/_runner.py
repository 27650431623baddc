"""The engine of both flows: run a script of requests as one probe and judge it.

Steps are contiguous runs of requests with the same tag (``login``, ``call``); each step
has its own deadline (``step_timeout``), all of them together ``timeout``. The first
failure ends the probe and names the step. ``cleanup`` requests run afterwards, with
their own short deadline, and never change the verdict. Every exception is mapped to an
error class in ``_judge``, the flow boundary; unexpected ones are logged (secrets masked)
and classed ``internal``.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

import anyio
import httpx

from probe.config import Account, RequestSection, TargetSection, User
from probe.credentials import MASK, Secret, SecretError, Secrets
from probe.flows._check import judge_answer
from probe.flows._http import HttpClients, Outgoing, fetch
from probe.flows._template import MissingVariable, render_json, render_text
from probe.flows.base import SYSTEM_CLOCK, ClientFactory, Clock
from probe.flows.errors import error_for
from probe.model import ProbeResult

__all__ = ["Request", "ScriptFlow", "constants_of", "probe_variables"]

log = logging.getLogger("probe.flows")


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """A request of a script: its config, its name in logs, and the step it belongs to."""

    name: str
    step: str
    spec: RequestSection


@dataclass(slots=True)
class _Probe:
    """What one probe has learnt so far."""

    account: str
    user: str
    variables: dict[str, Any]
    durations: dict[str, float] = field(default_factory=dict)

    def redact(self, text: str) -> str:
        """``text`` with every secret of this probe masked."""
        for value in self.variables.values():
            if isinstance(value, Secret):
                text = text.replace(value.reveal(), MASK)
        return text


@dataclass(frozen=True, slots=True, kw_only=True)
class _Failure:
    step: str
    error: str


class ScriptFlow:
    """A ``Flow`` that runs a fixed script of requests."""

    def __init__(self, requests: Sequence[Request], *, target: TargetSection, region: str,
                 secrets: Secrets, clients: ClientFactory | None = None,
                 clock: Clock = SYSTEM_CLOCK) -> None:
        self._requests = tuple(r for r in requests if r.step != "cleanup")
        self._cleanup = tuple(r for r in requests if r.step == "cleanup")
        self._target = target
        self._region = region
        self._secrets = secrets
        self._clients = clients or HttpClients(timeout=target.step_timeout,
                                               user_agent=target.user_agent,
                                               verify=target.tls_verify)
        self._clock = clock
        self._constants = constants_of(target)

    async def run(self, account: Account, user: User) -> ProbeResult:
        """Sign in and set up a call as ``user`` of ``account``; the verdict as a result."""
        ts, start = self._clock.time(), self._clock.monotonic()
        probe = _Probe(account.name, user.username, {})
        try:
            probe.variables = self._variables(account, user)
            async with self._clients() as client:
                failure = await self._steps(client, probe, start)
                probe.durations["total"] = self._clock.monotonic() - start
                await self._run_cleanup(client, probe)
        except Exception as exc:  # the flow boundary: whatever escaped the steps
            failure = _Failure(step=self._requests[0].step, error=self._judge(exc, probe, "setup"))
        probe.durations.setdefault("total", self._clock.monotonic() - start)
        return ProbeResult(
            ts=ts, account=account.name, region=self._region, ok=failure is None,
            step=None if failure is None else failure.step,
            error=None if failure is None else failure.error,
            durations=probe.durations,
        )

    async def aclose(self) -> None:
        """Nothing to close: every probe opens and closes its own client."""

    def _variables(self, account: Account, user: User) -> dict[str, Any]:
        return probe_variables(self._target, self._secrets, constants=self._constants,
                               account=account, user=user, region=self._region)

    async def _steps(self, client: httpx.AsyncClient, probe: _Probe,
                     start: float) -> _Failure | None:
        for step, requests in groupby(self._requests, key=lambda r: r.step):
            began = self._clock.monotonic()
            deadline = min(began + self._target.step_timeout, start + self._target.timeout)
            try:
                for request in requests:
                    current = request.name
                    await self._exchange(client, request.spec, probe, deadline)
            except Exception as exc:  # the flow boundary for a step
                return _Failure(step=step, error=self._judge(exc, probe, current))
            finally:
                probe.durations[step] = (probe.durations.get(step, 0.0) +
                                         self._clock.monotonic() - began)
        return None

    async def _exchange(self, client: httpx.AsyncClient, spec: RequestSection,
                        probe: _Probe, deadline: float) -> None:
        """One request; a poll (``until``) repeats until it matches or the deadline."""
        outgoing = _render(spec, probe.variables)
        while True:
            remaining = deadline - self._clock.monotonic()
            if remaining <= 0:
                raise TimeoutError("step deadline passed")
            try:
                with anyio.fail_after(remaining):
                    answer = await fetch(client, outgoing, max_body=self._target.max_body_bytes)
            except TimeoutError as exc:
                raise TimeoutError(f"{outgoing.where()}: no whole answer within "
                                   f"{remaining:.3g}s (step deadline)") from exc
            extracted = judge_answer(spec, answer, outgoing.where())
            if extracted is not None:
                probe.variables.update(extracted)
                return
            if self._clock.monotonic() + spec.every >= deadline:
                raise TimeoutError(f"{outgoing.where()} never matched {dict(spec.until or {})}")
            await self._clock.sleep(spec.every)

    async def _run_cleanup(self, client: httpx.AsyncClient, probe: _Probe) -> None:
        """Best effort: hang up or delete what the probe made; the verdict stands."""
        for request in self._cleanup:
            try:
                deadline = self._clock.monotonic() + self._target.cleanup_timeout
                await self._exchange(client, request.spec, probe, deadline)
            except MissingVariable as exc:
                log.debug("cleanup %s skipped: %s was never set", request.name, exc)
            except Exception as exc:  # cleanup never decides the verdict
                self._judge(exc, probe, f"cleanup {request.name}")

    def _judge(self, exc: Exception, probe: _Probe, request: str) -> str:
        """The error class of ``exc``, logged once, with every secret masked."""
        error = "internal" if isinstance(exc, SecretError) else error_for(exc)
        where = f"probe {probe.account}/{self._region} as {probe.user}, {request}"
        detail = probe.redact(f"{type(exc).__name__}: {exc}")
        if error != "internal":
            log.warning("%s: %s (%s)", where, error, detail)
        elif isinstance(exc, SecretError | MissingVariable):
            log.error("%s: internal (the probe is misconfigured): %s", where, detail)
        else:
            trace = probe.redact("".join(traceback.format_exception(exc)))
            log.error("%s: internal (a bug in the probe): %s\n%s", where, detail, trace)
        return error


def probe_variables(target: TargetSection, secrets: Secrets, *, constants: dict[str, Any],
                    account: Account, user: User, region: str) -> dict[str, Any]:
    """The names a probe's templates start with; the secrets among them as ``Secret``.

    Shared by every flow, so that ``${user.password}`` means the same everywhere.
    """
    variables: dict[str, Any] = {
        **constants, "account.name": account.name, "user.username": user.username,
        "region": region, "probe.id": uuid.uuid4().hex,
        "user.password": secrets.resolve(
            env=user.password_env, file=user.password_file,
            what=f"password of {account.name}/{user.username}"),
    }
    if target.api_key_env is not None or target.api_key_file is not None:
        variables["api_key"] = secrets.resolve(
            env=target.api_key_env, file=target.api_key_file, what="target API key")
    return variables


def constants_of(target: TargetSection) -> dict[str, Any]:
    """``hosts.*`` and ``vars.*``: the template names fixed by the config."""
    return {**{f"hosts.{k}": v for k, v in target.hosts.items()},
            **{f"vars.{k}": v for k, v in target.vars.items()}}


def _render(spec: RequestSection, variables: dict[str, Any]) -> Outgoing:
    return Outgoing(
        method=spec.method,
        url=render_text(spec.url, variables),
        headers={k: render_text(v, variables) for k, v in spec.headers.items()},
        json=render_json(spec.json_body, variables),
        form=None if spec.form is None else {
            k: render_text(v, variables) for k, v in spec.form.items()},
        follow_redirects=spec.follow_redirects,
    )
