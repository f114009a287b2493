"""`GET /api/v1/openapi.json`: the OpenAPI 3.1 description of everything under /api/v1.

Written by hand, next to the views; tests check that it names every /api/v1 route and nothing
else, and fuzz every operation against it (tests/integration/test_api_schema.py).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from mooc.api.models import ApiScope
from mooc.api.xapi_views import MAX_LIMIT, MAX_PAGE

bp = Blueprint("api_openapi", __name__, url_prefix="/api/v1")

PROBLEM_REF = "#/components/schemas/Problem"
CREDENTIAL_SCHEMAS: dict[str, Any] = {
    "CredentialItem": {
        "type": "object",
        "required": ["id", "type", "name", "issued", "status", "url"],
        "properties": {
            "id": {"type": "string", "description": "The record's id (urn:uuid:…)"},
            "type": {"type": "string", "enum": ["OpenBadgeCredential", "ClrCredential"]},
            "name": {"type": "string"},
            "issued": {"type": "string", "format": "date-time"},
            "status": {"type": "string", "enum": ["active", "revoked"]},
            "url": {
                "type": "string",
                "format": "uri",
                "description": "Where the signed JSON is fetched (with the holder's session)",
            },
        },
    },
    "VerifyRequest": {
        "type": "object",
        "required": ["verifiableCredential"],
        "properties": {
            "verifiableCredential": {
                "type": "object",
                "description": "A signed Open Badges 3.0 or CLR 2.0 credential",
            },
            "options": {"type": "object", "description": "Accepted and ignored"},
        },
    },
    "VerifyResult": {
        "type": "object",
        "required": ["verified", "checks", "warnings", "errors"],
        "properties": {
            "verified": {
                "type": "boolean",
                "description": "True only when every check passed",
            },
            "checks": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "status", "message"],
                    "properties": {
                        "id": {
                            "type": "string",
                            "enum": [
                                "well-formed",
                                "issuer-resolved",
                                "signature",
                                "issuer-trusted",
                                "status",
                                "validity-period",
                                "embedded-credentials",
                            ],
                        },
                        "status": {"type": "string", "enum": ["passed", "failed", "unknown"]},
                        "message": {"type": "string"},
                    },
                },
            },
            "warnings": {"type": "array", "items": {"type": "string"}},
            "errors": {"type": "array", "items": {"type": "string"}},
        },
    },
}
PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "about:blank"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "scope": {"type": "string", "description": "The scope a 403 answer found missing"},
    },
}
STATEMENT_SCHEMAS: dict[str, Any] = {
    "Statement": {
        "type": "object",
        "description": "An xAPI 1.0.3 statement as stored (actor by platform account id)",
        "required": ["id", "actor", "verb", "object", "timestamp", "version"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "actor": {"type": "object"},
            "verb": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string", "format": "uri"}},
            },
            "object": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string", "format": "uri"}},
            },
            "timestamp": {"type": "string", "format": "date-time"},
            "version": {"type": "string"},
            "result": {"type": "object"},
            "context": {"type": "object"},
        },
    },
    "StatementResult": {
        "type": "object",
        "required": ["statements", "more", "total"],
        "properties": {
            "statements": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Statement"},
            },
            "more": {
                "type": "string",
                "description": "Relative URL of the next page, or empty on the last page",
            },
            "total": {"type": "integer", "minimum": 0},
        },
    },
}
SECURITY_SCHEMES = {
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "mooc_session",
        "description": "A person logged in through POST /login",
    },
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "mooc_<token id>_<secret>",
        "description": (
            "An institution's API token, made by its staff on /api-tokens (shown once). "
            "The scopes an operation lists are the token permissions it needs: "
            + ", ".join(scope.value for scope in ApiScope)
            + ". A missing or unusable token answers 401 with `WWW-Authenticate: Bearer`, "
            "a token without the scope 403."
        ),
    },
}
# Text a database can compare: no NUL character (answered 422).
NO_NUL = {"type": "string", "pattern": "^[^\\u0000]*$"}
_WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": 'The RFC 6750 challenge, e.g. `Bearer realm="mooc", error="invalid_token"`',
        "required": True,
        "schema": {"type": "string", "pattern": "^Bearer "},
    }
}


def _problem(description: str, status: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"$ref": PROBLEM_REF}
    if status is not None:
        schema = {"allOf": [schema, {"properties": {"status": {"const": status}}}]}
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/problem+json": {"schema": schema}},
    }
    if status == 401:
        response["headers"] = _WWW_AUTHENTICATE
    return response


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _statements_operation() -> dict[str, Any]:
    return {
        "operationId": "listStatements",
        "summary": "Stored xAPI 1.0.3 statements, oldest first",
        "description": (
            "Administrators (logged in) read every statement; an institution's token with "
            "`xapi:read` reads the statements about its own courses."
        ),
        "security": [{"session": []}, {"bearer": [ApiScope.XAPI_READ.value]}],
        "parameters": [
            {
                "name": "agent",
                "in": "query",
                "schema": NO_NUL,
                "description": "xAPI agent JSON (account or mbox) or an email",
            },
            {
                "name": "verb",
                "in": "query",
                "schema": NO_NUL,
                "description": "A verb IRI, or its short name (e.g. `completed`)",
            },
            {
                "name": "since",
                "in": "query",
                "schema": {"type": "string", "format": "date-time"},
                "description": "Only statements stored after this moment",
            },
            {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 100},
            },
            {
                "name": "page",
                "in": "query",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_PAGE,
                    "default": 1,
                },
            },
        ],
        "responses": {
            "200": {
                **_json(
                    "A page of statements, oldest first",
                    {"$ref": "#/components/schemas/StatementResult"},
                ),
                "headers": {
                    "X-Experience-API-Version": {
                        "required": True,
                        "schema": {"type": "string", "const": "1.0.3"},
                    }
                },
            },
            "401": _problem("Neither logged in nor a usable API token", 401),
            "403": _problem("Not an administrator, or the token lacks xapi:read", 403),
            "422": _problem("A filter could not be understood", 422),
        },
    }


def _openapi_operation() -> dict[str, Any]:
    return {
        "operationId": "getOpenApiDocument",
        "summary": "This document",
        "security": [],
        "responses": {
            "200": _json(
                "The OpenAPI 3.1 description of everything under /api/v1",
                {
                    "type": "object",
                    "required": ["openapi", "info", "paths", "components"],
                    "properties": {
                        "openapi": {"type": "string", "pattern": "^3\\.1\\."},
                        "info": {"type": "object"},
                        "paths": {"type": "object"},
                        "components": {"type": "object"},
                    },
                },
            )
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
            "schemas": {"Problem": PROBLEM, **CREDENTIAL_SCHEMAS, **STATEMENT_SCHEMAS},
            "securitySchemes": SECURITY_SCHEMES,
        },
        "paths": {
            "/api/v1/openapi.json": {"get": _openapi_operation()},
            "/api/v1/xapi/statements": {"get": _statements_operation()},
            "/api/v1/me/credentials": {
                "get": {
                    "operationId": "listMyCredentials",
                    "summary": "The logged-in student's signed records, newest first",
                    "security": [{"session": []}],
                    "responses": {
                        "200": _json(
                            "The records (course records and transcripts)",
                            {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/CredentialItem"},
                            },
                        ),
                        "401": _problem("Not logged in", 401),
                    },
                }
            },
            "/api/v1/credentials/verify": {
                "post": {
                    "operationId": "verifyCredential",
                    "summary": "Verify a record (VC-API style); no account needed",
                    "description": (
                        "Checks the structure, the issuer's keys (did:key; this platform's "
                        "did:web issuers; others only from allowlisted hosts), the "
                        "eddsa-rdfc-2022 signature, the trust list, the revocation status "
                        "(unknown when the list cannot be read, never 'not revoked') and the "
                        "validity period. Rate-limited."
                    ),
                    "security": [],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/VerifyRequest"}
                            }
                        },
                    },
                    "responses": {
                        "200": _json(
                            "Every check made; `verified` says the outcome",
                            {"$ref": "#/components/schemas/VerifyResult"},
                        ),
                        "400": _problem("The body is not JSON", 400),
                        "413": _problem("The body is larger than MOOC_VERIFY_MAX_KB", 413),
                        "422": _problem("The body has no verifiableCredential object", 422),
                        "429": _problem("Too many requests", 429),
                    },
                }
            },
        },
    }


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(document(current_app.config["MOOC_SETTINGS"].base_url))
