"""The simulator's one error answer, the same shape on every endpoint: ``{error}``."""

from __future__ import annotations

from starlette.responses import JSONResponse

__all__ = ["error"]


def error(status: int, message: str) -> JSONResponse:
    """``{"error": message}`` with ``status``: what the API and the web app answer."""
    return JSONResponse({"error": message}, status_code=status)
