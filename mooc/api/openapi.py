"""`GET /api/v1/openapi.json`: the OpenAPI 3.1 description of everything under /api/v1."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

bp = Blueprint("api_openapi", __name__, url_prefix="/api/v1")

PROBLEM_REF = "#/components/schemas/Problem"
PROBLEM = {
    "type": "object",
    "required": ["title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def document(base_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mooc API",
            "version": "1",
            "description": "Learning records, signed credentials and credit transfer.",
        },
        "servers": [{"url": base_url}],
        "components": {
            "schemas": {
                "Problem": PROBLEM,
                "StatementResult": {
                    "type": "object",
                    "required": ["statements", "more"],
                    "properties": {
                        "statements": {"type": "array", "items": {"type": "object"}},
                        "more": {"type": "string"},
                        "total": {"type": "integer", "minimum": 0},
                    },
                },
            },
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "mooc_session"}
            },
        },
        "paths": {
            "/api/v1/xapi/statements": {
                "get": {
                    "summary": "Stored xAPI 1.0.3 statements (administrators)",
                    "security": [{"session": []}],
                    "parameters": [
                        {
                            "name": "agent",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "xAPI agent JSON (account or mbox) or an email",
                        },
                        {"name": "verb", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "since",
                            "in": "query",
                            "schema": {"type": "string", "format": "date-time"},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                        },
                        {
                            "name": "page",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of statements, oldest first",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/StatementResult"}
                                }
                            },
                        },
                        "401": {"description": "Not logged in (redirect to the login page)"},
                        "403": _problem("Not an administrator"),
                        "422": _problem("A filter could not be understood"),
                    },
                }
            }
        },
    }


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(document(current_app.config["MOOC_SETTINGS"].base_url))
