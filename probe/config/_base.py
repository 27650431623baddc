"""The base of every config section: frozen, and strict about unknown keys."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A frozen config section that refuses keys it does not know."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)
