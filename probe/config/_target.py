"""``target:``: what the probes talk to and how (the flow)."""

from __future__ import annotations

from typing import Literal

from probe.config._base import Section
from probe.config._types import Duration


class TargetSection(Section):
    """Which flow probes run and the limits they run under."""

    flow: Literal["lifesize", "steps"] = "lifesize"
    timeout: Duration = 30.0
    """Total time one probe may take, all steps together."""
