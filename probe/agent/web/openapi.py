"""``/api/v1/openapi.json``: the maintenance API described as OpenAPI 3.1.

Written by hand next to ``maintenance_api`` rather than generated: the API is three
operations, and a description that states every status an operation may answer is what
lets clients (and the fuzz test in tests/reliability) hold the server to it.
"""

from __future__ import annotations

from typing import Any

from probe.agent.web.maintenance_api import MAX_BODY, MAX_NAME
from probe.model import MAINTENANCE_KINDS

__all__ = ["OPENAPI"]

_TIME = {"type": "string", "format": "date-time",
         "description": "RFC 3339 with an explicit offset (Z or ±hh:mm)"}
_ACCOUNTS = {"oneOf": [{"const": "*"},
                       {"type": "array", "minItems": 1,
                        "items": {"type": "string", "minLength": 1}}]}


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


_SCHEMAS: dict[str, Any] = {
    "WindowRequest": {
        "type": "object", "additionalProperties": False,
        "required": ["kind", "accounts", "start", "end"],
        "properties": {
            "kind": {"enum": list(MAINTENANCE_KINDS)}, "accounts": _ACCOUNTS,
            "start": _TIME, "end": {**_TIME, "description": "after start"},
            "name": {"type": "string", "maxLength": MAX_NAME}},
    },
    "Window": {
        "type": "object",
        "required": ["id", "kind", "accounts", "start", "end", "name", "created_at", "source"],
        "properties": {
            "id": {"type": "string"}, "kind": {"enum": list(MAINTENANCE_KINDS)},
            "accounts": _ACCOUNTS, "start": _TIME, "end": _TIME, "name": {"type": "string"},
            "created_at": _TIME, "source": {"type": "string"}},
    },
    "Windows": {
        "type": "object", "required": ["windows"],
        "properties": {"windows": {"type": "array",
                                   "items": {"$ref": "#/components/schemas/Window"}}},
    },
    "Error": {
        "type": "object", "required": ["error", "field"],
        "properties": {"error": {"type": "string"},
                       "field": {"type": ["string", "null"]}},
    },
}

_WRITE_ERRORS = {
    "401": _error("no or a wrong bearer token (with WWW-Authenticate: Bearer)"),
    "403": _error("writes are disabled: the agent has no API token configured"),
    "503": _error("the store is unavailable"),
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "lifesize-probe agent: maintenance API", "version": "1",
             "description": "Declare maintenance windows (SLA rule R3) while the agent runs."},
    "paths": {
        "/api/v1/maintenance": {
            "get": {
                "operationId": "listWindows", "summary": "every stored window, by start",
                "responses": {
                    "200": {"description": "the windows", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Windows"}}}},
                    "503": _WRITE_ERRORS["503"]},
            },
            "post": {
                "operationId": "declareWindow", "summary": "declare a window",
                "security": [{"bearer": []}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/WindowRequest"}}}},
                "responses": {
                    "201": {"description": "stored durably", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Window"}}}},
                    "400": _error("a bad field (named in 'field') or a body that is not JSON"),
                    "413": _error(f"a body over {MAX_BODY} bytes"),
                    "415": _error("a body that is not declared application/json"),
                    **_WRITE_ERRORS},
            },
        },
        "/api/v1/maintenance/{window_id}": {
            "delete": {
                "operationId": "deleteWindow", "summary": "forget a window",
                "security": [{"bearer": []}],
                "parameters": [{"name": "window_id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"204": {"description": "deleted"},
                              "404": _error("no window with that id"), **_WRITE_ERRORS},
            },
        },
        "/api/v1/openapi.json": {
            "get": {"operationId": "openapi", "summary": "this document",
                    "responses": {"200": {"description": "OpenAPI 3.1",
                                          "content": {"application/json": {}}}}},
        },
    },
    "components": {
        "schemas": _SCHEMAS,
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                       "description": "agent.api_token_env or _file"}},
    },
}
