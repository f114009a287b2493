"""`GET /api/v1/openapi.json`: the OpenAPI 3.1 description of everything under /api/v1."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

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
                **CREDENTIAL_SCHEMAS,
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
            },
            "/api/v1/me/credentials": {
                "get": {
                    "summary": "The logged-in student's signed records, newest first",
                    "security": [{"session": []}],
                    "responses": {
                        "200": {
                            "description": "The records (course records and transcripts)",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/CredentialItem"},
                                    }
                                }
                            },
                        },
                        "401": _problem("Not logged in"),
                    },
                }
            },
            "/api/v1/credentials/verify": {
                "post": {
                    "summary": "Verify a record (VC-API style); no account needed",
                    "description": (
                        "Checks the structure, the issuer's keys (did:key; this platform's "
                        "did:web issuers; others only from allowlisted hosts), the "
                        "eddsa-rdfc-2022 signature, the trust list, the revocation status "
                        "(unknown when the list cannot be read, never 'not revoked') and the "
                        "validity period. Rate-limited."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/VerifyRequest"}
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "Every check made; `verified` says the outcome",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/VerifyResult"}
                                }
                            },
                        },
                        "400": _problem("The body is not JSON"),
                        "413": _problem("The body is larger than MOOC_VERIFY_MAX_KB"),
                        "422": _problem("The body has no verifiableCredential object"),
                        "429": _problem("Too many requests"),
                    },
                }
            },
        },
    }


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(document(current_app.config["MOOC_SETTINGS"].base_url))
