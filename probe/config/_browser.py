"""``target.browser:``: the browser flow, what a user clicks in the web app, as config.

The web app is a moving target (selectors change with every redesign), so every page,
field and button the probe touches is a step in the config, each doing exactly one
thing: ``goto`` a URL, ``fill`` a field, ``click``, ``wait_for`` a selector, URL or
text, or ``expect`` a visible element (or ``media``: the call's video and audio).
The default is the built-in ``lifesize`` preset, which may also be named on its own
(``steps: lifesize``). Templates are those of the other flows; their names are checked
at load time by ``TargetSection`` (``check_names`` here), with no extracts to add.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from probe.config._base import Section
from probe.config._templates import NAME, placeholders

__all__ = ["ACTIONS", "LIFESIZE_PRESET", "BrowserSection", "BrowserStep", "WaitFor"]

Action = Literal["goto", "fill", "click", "wait_for", "expect"]
ACTIONS: tuple[Action, ...] = ("goto", "fill", "click", "wait_for", "expect")
MEDIA = "media"
"""``expect: media``: the call page's peer connection is connected and media flows."""

LIFESIZE_PRESET: tuple[dict[str, Any], ...] = (
    {"step": "login", "goto": "${hosts.web}/app/"},
    {"step": "login", "wait_for": {"selector": "#email"}},
    {"step": "login", "fill": "#email", "value": "${user.username}"},
    {"step": "login", "fill": "#password", "value": "${user.password}"},
    {"step": "login", "click": "#login"},
    {"step": "login", "wait_for": {"selector": "#start-call"}},
    {"step": "call", "click": "#start-call"},
    {"step": "call", "expect": MEDIA},
)
"""The ``lifesize`` preset: sign in to the web app, start a call, see its media."""

Selector = str


class WaitFor(Section):
    """What a ``wait_for`` step waits for: exactly one of a selector, a URL glob, a text."""

    selector: Selector | None = Field(default=None, min_length=1)
    url: str | None = Field(default=None, min_length=1)
    """A glob such as ``**/call/*``, matched against the whole URL."""
    text: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [key for key in ("selector", "url", "text") if getattr(self, key) is not None]
        if len(given) != 1:
            raise ValueError(f"wait_for needs exactly one of selector, url or text, "
                             f"got {', '.join(given) or 'none'}")
        return self


class BrowserStep(Section):
    """One action of the browser flow, tagged with the step (``login``, ``call``) it is in."""

    step: Literal["login", "call"]
    goto: str | None = Field(default=None, min_length=1)
    fill: Selector | None = Field(default=None, min_length=1)
    value: str | None = None
    """What ``fill`` types (the field is cleared first)."""
    click: Selector | None = Field(default=None, min_length=1)
    wait_for: WaitFor | None = None
    expect: str | None = Field(default=None, min_length=1)
    """A selector that must be visible, or ``media``."""
    text: str | None = Field(default=None, min_length=1)
    """``expect: SELECTOR`` only: text the element must contain."""

    @model_validator(mode="after")
    def _shape(self) -> Self:
        actions = [action for action in ACTIONS if getattr(self, action) is not None]
        if len(actions) != 1:
            raise ValueError(f"a browser step does exactly one of {', '.join(ACTIONS)}; "
                             f"got {', '.join(actions) or 'none'}")
        if (self.fill is None) != (self.value is None):
            raise ValueError("fill needs value (what to type), and value belongs to fill")
        if self.text is not None and self.expect in (None, MEDIA):
            raise ValueError("text belongs to expect: SELECTOR (the text the element contains)")
        if self.goto is not None and not self.goto.startswith(("http://", "https://", "${")):
            raise ValueError(f"goto: expected http://…, https://… or ${{hosts.NAME}}/…, "
                             f"got {self.goto!r}")
        bad = sorted({name for name in self.names() if not NAME.fullmatch(name)})
        if bad:
            raise ValueError(f"bad placeholder {bad[0]!r}: write ${{name}} or ${{group.name}}")
        return self

    @property
    def action(self) -> Action:
        """The one action this step does."""
        return next(action for action in ACTIONS if getattr(self, action) is not None)

    def names(self) -> Iterator[str]:
        """The ``${name}`` placeholders this step uses (selectors may use them too)."""
        waits = self.wait_for
        texts = [self.goto, self.fill, self.value, self.click, self.expect, self.text]
        if waits is not None:
            texts += [waits.selector, waits.url, waits.text]
        for text in texts:
            yield from placeholders(text)


LIFESIZE_STEPS = tuple(BrowserStep.model_validate(step) for step in LIFESIZE_PRESET)
PRESETS = {"lifesize": LIFESIZE_STEPS}


class BrowserSection(Section):
    """How the browser flow runs Chromium, and the steps it takes."""

    executable: str = Field(default="/usr/bin/chromium", min_length=1)
    """The browser to launch: Debian's Chromium; the probe never downloads one."""
    confirm: bool = True
    """Run a failed probe once more at once, in a fresh context; it fails if both fail."""
    min_frames: int = Field(default=5, ge=1)
    """Inbound video frames that must be decoded (and still rising) for ``expect: media``."""
    wrong_password: Selector | None = Field(default="#signin-error", min_length=1)
    """Visible after a login step: the password was refused (``auth_rejected``)."""
    steps: tuple[BrowserStep, ...] = Field(default=LIFESIZE_STEPS, min_length=1)

    @field_validator("steps", mode="before")
    @classmethod
    def _preset(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if value not in PRESETS:
            raise ValueError(f"unknown preset {value!r}: give a list of steps or one of "
                             f"{', '.join(sorted(PRESETS))}")
        return PRESETS[value]

    def check_names(self, known: Iterable[str]) -> str:
        """The first use of an undefined ``${name}``, as a message naming the step; "" if
        none. Browser steps extract nothing, so every step sees the same names."""
        defined = set(known)
        for index, step in enumerate(self.steps):
            missing = sorted(set(step.names()) - defined)
            if missing:
                hint = " (set api_key_env or api_key_file)" if missing[0] == "api_key" else ""
                return (f"browser.steps[{index}] ({step.action}) uses ${{{missing[0]}}}, "
                        f"which is not defined{hint}")
        return ""
