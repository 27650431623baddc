"""``/api/v1/openapi.json``: the agent's API described as OpenAPI 3.1.

The maintenance API (``maintenance_api``) and the status API (``status_api``), written
by hand rather than generated: a description that states every status an operation may
answer, and the fields of every answer, is what lets clients (and the fuzz test in
tests/reliability) hold the server to it.
"""

from __future__ import annotations

from typing import Any

from probe.agent.web.maintenance_api import MAX_BODY, MAX_NAME
from probe.model import MAINTENANCE_KINDS
from probe.sla.days import DAY_KINDS

__all__ = ["OPENAPI"]

_TIME = {"type": "string", "format": "date-time",
         "description": "RFC 3339 with an explicit offset (Z or ±hh:mm)"}
_NUMBER = {"type": "number"}
_COUNT = {"type": "integer", "minimum": 0}
_FIGURES = ["account", "regions", "availability", "unavailable_seconds", "error_budget_seconds",
            "error_budget_remaining_seconds", "observed_down_seconds", "excluded_seconds",
            "short_outage_seconds", "coverage", "sla_met", "credit_percent",
            "ignored_failures", "outages"]
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
    "Day": {
        "type": "object",
        "required": ["date", "kind", "unavailable_seconds", "counted_outages",
                     "short_outage_seconds", "short_outages", "maintenance_seconds",
                     "coverage"],
        "properties": {
            "date": {"type": "string", "format": "date",
                     "description": "a calendar day in sla.timezone"},
            "kind": {"enum": list(DAY_KINDS),
                     "description": "the first that applies, in this order"},
            "unavailable_seconds": _NUMBER, "counted_outages": _COUNT,
            "short_outage_seconds": _NUMBER, "short_outages": _COUNT,
            "maintenance_seconds": _NUMBER, "coverage": _NUMBER},
    },
    "Figures": {
        "type": "object", "required": _FIGURES,
        "description": "an account's figures for a period, as an entry of the report's JSON"
                       " (report --format json)",
        "properties": {name: {} for name in _FIGURES},
    },
    "AccountSummary": {
        "type": "object",
        "required": ["account", "state", "state_text", "month_to_date", "availability_90d",
                     "days"],
        "properties": {
            "account": {"type": "string"},
            "state": {"enum": ["up", "down", "degraded", "maintenance", "unknown"]},
            "state_text": {"type": "string"},
            "month_to_date": {"oneOf": [{"$ref": "#/components/schemas/Figures"},
                                        {"type": "null"}]},
            "availability_90d": {"type": ["number", "null"]},
            "days": {"type": "array", "items": {"$ref": "#/components/schemas/Day"}}},
    },
    "Status": {
        "type": "object", "required": ["generated_at", "objective", "accounts"],
        "properties": {
            "generated_at": _TIME, "objective": _NUMBER,
            "accounts": {"type": "array",
                         "items": {"$ref": "#/components/schemas/AccountSummary"}}},
    },
    "Account": {
        "allOf": [{"$ref": "#/components/schemas/AccountSummary"}, {
            "type": "object", "required": ["regions", "months"],
            "properties": {
                "regions": {"type": "array", "items": {
                    "type": "object", "required": ["region", "down", "down_since",
                                                   "last_probe"]}},
                "months": {"type": "array", "description": "calendar months, newest first",
                           "items": {"allOf": [
                               {"$ref": "#/components/schemas/Figures"},
                               {"type": "object", "required": ["month"],
                                "properties": {"month": {"type": "string"}}}]}}}}],
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
    "info": {"title": "lifesize-probe agent API", "version": "1",
             "description": "Declare maintenance windows (SLA rule R3) while the agent runs,"
                            " and read every account's status and calendar months."},
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
        "/api/v1/status": {
            "get": {
                "operationId": "status", "summary": "every account: state, month to date, days",
                "responses": {"200": {"description": "the status", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}},
            },
        },
        "/api/v1/accounts/{name}": {
            "get": {
                "operationId": "account",
                "summary": "one account: its regions and its calendar months",
                "parameters": [{"name": "name", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "the account", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Account"}}}},
                    "404": _error("no account of that name"),
                    "503": _error("the store is unavailable (the calendar months)")},
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
