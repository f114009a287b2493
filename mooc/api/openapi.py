"""`GET /api/v1/openapi.json`: the OpenAPI 3.1 description of everything under /api/v1.

Written by hand, next to the views; tests check that it names every /api/v1 route and nothing
else, and fuzz every operation against it (tests/integration/test_api_schema.py).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from mooc.api import transfer_views
from mooc.api.models import ApiScope
from mooc.api.xapi_views import MAX_LIMIT
from mooc.credentials.core.reading import ACHIEVEMENT_TYPES
from mooc.pagination import MAX_PAGE
from mooc.transfer.decisions import MAX_COMMENT
from mooc.transfer.evaluation import Reason
from mooc.transfer.models import ItemState, Outcome
from mooc.web import edge

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
# Text a database can compare: no NUL character (answered 422).
NO_NUL = {"type": "string", "pattern": "^[^\\u0000]*$"}
# Text with something besides whitespace, and no NUL.
NOT_BLANK = {"type": "string", "pattern": "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"}


def _typed(*names: str) -> dict[str, Any]:
    """A credential whose `type` (a string or a list) names one of `names`."""
    return {
        "type": "object",
        "required": ["type"],
        "properties": {
            "type": {
                "anyOf": [
                    {"type": "string", "enum": list(names)},
                    {"type": "array", "contains": {"type": "string", "enum": list(names)}},
                ]
            }
        },
    }


IS_TRANSCRIPT = _typed("ClrCredential")
COURSE_RECORD_SHAPE = {
    "allOf": [
        _typed(*sorted(ACHIEVEMENT_TYPES)),
        {
            "type": "object",
            "required": ["credentialSubject"],
            "properties": {
                "credentialSubject": {
                    "type": "object",
                    "required": ["achievement"],
                    "properties": {
                        "achievement": {
                            "type": "object",
                            "required": ["id"],
                            "properties": {"id": {"type": "string", "minLength": 1}},
                        }
                    },
                }
            },
        },
    ]
}
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_NUMBER = {"type": ["number", "null"]}
COURSE = {
    "oneOf": [
        {"type": "null"},
        {
            "type": "object",
            "description": "A course of the university",
            "required": ["code", "title"],
            "properties": {"code": {"type": "string"}, "title": {"type": "string"}},
        },
    ]
}
CHECKS = {
    "type": "array",
    "description": "The verification checks of the record (see VerifyResult)",
    "items": {
        "type": "object",
        "required": ["id", "status", "message"],
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string", "enum": ["passed", "failed", "unknown"]},
            "message": {"type": "string"},
        },
    },
}
PROPOSAL_PROPERTIES: dict[str, Any] = {
    "recognised": {"type": "boolean"},
    "credits": {"type": "number", "minimum": 0},
    "course": {**COURSE, "description": "Our course the record would count as"},
    "reasons": {
        "type": "array",
        "description": "Why it is (not) recognised, as codes",
        "items": {"type": "string", "enum": [reason.value for reason in Reason]},
    },
    "explanations": {
        "type": "array",
        "description": "The reasons in words, in the caller's language (Accept-Language)",
        "items": {"type": "string"},
    },
}
TRANSFER_SCHEMAS: dict[str, Any] = {
    "CourseRecordSummary": {
        "type": "object",
        "description": "What a course record states",
        "required": [
            "id",
            "name",
            "issuer",
            "issuerName",
            "courseCode",
            "title",
            "credits",
            "workloadHours",
            "grade",
            "awarded",
        ],
        "properties": {
            "id": {"type": "string", "description": "The record's own id"},
            "name": {"type": "string"},
            "issuer": {"type": "string", "description": "The issuer's DID"},
            "issuerName": {"type": "string"},
            "courseCode": NULLABLE_STRING,
            "title": {"type": "string"},
            "credits": NULLABLE_NUMBER,
            "workloadHours": NULLABLE_NUMBER,
            "grade": {**NULLABLE_NUMBER, "description": "On a 0–100 scale"},
            "awarded": {"type": ["string", "null"], "format": "date"},
        },
    },
    "TransferDecision": {
        "type": "object",
        "description": "A decision on an item; a later one supersedes it",
        "required": [
            "id",
            "itemId",
            "outcome",
            "credits",
            "course",
            "comment",
            "decidedAt",
            "decidedBy",
            "recognitionRecord",
        ],
        "properties": {
            "id": {"type": "integer"},
            "itemId": {"type": "integer"},
            "outcome": {"type": "string", "enum": [outcome.value for outcome in Outcome]},
            "credits": {"type": "number", "minimum": 0},
            "course": {**COURSE, "description": "Our course recognised (null when rejected)"},
            "comment": {"type": "string"},
            "decidedAt": {"type": "string", "format": "date-time"},
            "decidedBy": {**NULLABLE_STRING, "description": "The staff member's name"},
            "recognitionRecord": {
                **NULLABLE_STRING,
                "description": "The id of the signed recognition record a recognising "
                "decision issues",
            },
        },
    },
    "TransferItem": {
        "type": "object",
        "description": "One record a student sent to the university, with its proposal",
        "required": [
            "id",
            "requestId",
            "submitted",
            "state",
            "student",
            "record",
            "verified",
            "checks",
            "proposal",
            "decision",
        ],
        "properties": {
            "id": {"type": "integer"},
            "requestId": {"type": "integer"},
            "submitted": {"type": "string", "format": "date-time"},
            "state": {"type": "string", "enum": [state.value for state in ItemState]},
            "student": {
                "type": "object",
                "required": ["name", "email"],
                "properties": {"name": {"type": "string"}, "email": {"type": "string"}},
            },
            "record": {"$ref": "#/components/schemas/CourseRecordSummary"},
            "verified": {
                "type": "boolean",
                "description": "Verified and known not to be revoked at the last evaluation",
            },
            "checks": CHECKS,
            "proposal": {
                "type": "object",
                "description": "The machine's latest proposal (decisions are people's)",
                "required": [*PROPOSAL_PROPERTIES, "evaluatedAt"],
                "properties": {
                    **PROPOSAL_PROPERTIES,
                    "evaluatedAt": {"type": ["string", "null"], "format": "date-time"},
                },
            },
            "decision": {
                "oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/TransferDecision"}],
                "description": "The current decision, if any",
            },
        },
    },
    "TransferItemPage": {
        "type": "object",
        "required": ["items", "total", "page", "limit"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/TransferItem"}},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "limit": {"type": "integer", "minimum": 1},
        },
    },
    "DecisionRequest": {
        "description": (
            "Accept the proposal (a comment is optional), reject the record saying why in "
            "`comment` (the student reads it), or adjust: "
            "recognise the record as our `course` for `credits` (rounded to one decimal "
            "place), saying why in `comment`. `courseTitle` defaults to the proposal's title "
            "when `course` is the proposal's course, else to the code. Fields an outcome does "
            "not use are ignored."
        ),
        "oneOf": [
            {
                "type": "object",
                "required": ["outcome"],
                "properties": {
                    "outcome": {"type": "string", "const": "accept"},
                    "comment": {**NO_NUL, "maxLength": MAX_COMMENT},
                },
            },
            {
                "type": "object",
                "required": ["outcome", "comment"],
                "properties": {
                    "outcome": {"type": "string", "const": "reject"},
                    "comment": {**NOT_BLANK, "maxLength": MAX_COMMENT},
                },
            },
            {
                "type": "object",
                "required": ["outcome", "comment", "credits", "course"],
                "properties": {
                    "outcome": {"type": "string", "const": "adjust"},
                    "comment": {**NOT_BLANK, "maxLength": MAX_COMMENT},
                    "credits": {
                        "type": "number",
                        "minimum": transfer_views.MIN_CREDITS,
                        "maximum": transfer_views.MAX_CREDITS,
                    },
                    "course": {
                        "type": "string",
                        "pattern": "^" + transfer_views.COURSE_CODE.pattern + "$",
                        "maxLength": transfer_views.MAX_COURSE_CODE,
                        "description": "Our course code",
                    },
                    "courseTitle": {**NO_NUL, "maxLength": transfer_views.MAX_COURSE_TITLE},
                },
            },
        ],
    },
    "EvaluateRequest": {
        "type": "object",
        "required": ["verifiableCredential"],
        "properties": {
            "verifiableCredential": {
                "description": (
                    "A signed Open Badges 3.0 course record, or a CLR 2.0 transcript holding some"
                ),
                "anyOf": [
                    {"allOf": [COURSE_RECORD_SHAPE, {"not": IS_TRANSCRIPT}]},
                    {
                        "allOf": [
                            IS_TRANSCRIPT,
                            {
                                "type": "object",
                                "required": ["credentialSubject"],
                                "properties": {
                                    "credentialSubject": {
                                        "type": "object",
                                        "required": ["verifiableCredential"],
                                        "properties": {
                                            "verifiableCredential": {
                                                "type": "array",
                                                "contains": COURSE_RECORD_SHAPE,
                                            }
                                        },
                                    }
                                },
                            },
                        ]
                    },
                ],
            }
        },
    },
    "EvaluationResult": {
        "type": "object",
        "required": ["evaluations"],
        "properties": {
            "evaluations": {
                "type": "array",
                "description": "One per course record (a transcript holds several)",
                "items": {
                    "type": "object",
                    "required": ["record", "transcript", "verified", "checks", "proposal"],
                    "properties": {
                        "record": {"$ref": "#/components/schemas/CourseRecordSummary"},
                        "transcript": {
                            **NULLABLE_STRING,
                            "description": "The id of the transcript it came in",
                        },
                        "verified": {"type": "boolean"},
                        "checks": CHECKS,
                        "proposal": {
                            "type": "object",
                            "required": list(PROPOSAL_PROPERTIES),
                            "properties": PROPOSAL_PROPERTIES,
                        },
                    },
                },
            }
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
_WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": 'The RFC 6750 challenge, e.g. `Bearer realm="mooc", error="invalid_token"`',
        "required": True,
        "schema": {"type": "string", "pattern": "^Bearer "},
    }
}


_TOO_LARGE = (
    "The body is larger than MOOC_VERIFY_MAX_KB, or the record has more values or longer lists "
    "than a verification may take on (the detail says which)"
)


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


def _bearer(scope: ApiScope) -> list[dict[str, list[str]]]:
    return [{"bearer": [scope.value]}]


def _token_problems(scope: ApiScope) -> dict[str, Any]:
    return {
        "401": _problem("No usable API token", 401),
        "403": _problem(f"The token lacks {scope.value}", 403),
    }


ITEM_ID = {
    "name": "item_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": transfer_views.MAX_ITEM_ID},
}


def _transfer_operations() -> dict[str, Any]:
    read = ApiScope.REQUESTS_READ
    write = ApiScope.DECISIONS_WRITE
    evaluate = ApiScope.RECORDS_EVALUATE
    return {
        "/api/v1/transfer/requests": {
            "get": {
                "operationId": "listTransferItems",
                "summary": "The records students sent to the calling university, oldest first",
                "description": "Each item is one record of a student's request, with its "
                "verification checks, the latest proposal and the current decision.",
                "security": _bearer(read),
                "parameters": [
                    {
                        "name": "state",
                        "in": "query",
                        "schema": {"type": "string", "enum": [s.value for s in ItemState]},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": transfer_views.MAX_LIMIT,
                            "default": transfer_views.DEFAULT_LIMIT,
                        },
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
                    "200": _json(
                        "A page of items", {"$ref": "#/components/schemas/TransferItemPage"}
                    ),
                    **_token_problems(read),
                    "422": _problem("A filter or paging value could not be understood", 422),
                },
            }
        },
        "/api/v1/transfer/items/{item_id}": {
            "get": {
                "operationId": "getTransferItem",
                "summary": "One item sent to the calling university",
                "security": _bearer(read),
                "parameters": [ITEM_ID],
                "responses": {
                    "200": _json("The item", {"$ref": "#/components/schemas/TransferItem"}),
                    **_token_problems(read),
                    "404": _problem("No such item, or another university's", 404),
                },
            }
        },
        "/api/v1/transfer/items/{item_id}/decision": {
            "post": {
                "operationId": "decideTransferItem",
                "summary": "Accept the proposal, adjust it or reject the record",
                "description": (
                    "The decision is recorded as made by the staff member who made the token "
                    "(403 when they no longer run the university's transfers). Accepting and "
                    "adjusting verify the record again and issue a signed recognition record; "
                    "adjusting needs a comment, credits and our course; rejecting needs a "
                    "comment. A later decision "
                    "supersedes the current one; the same decision sent twice is recorded "
                    "once (200)."
                ),
                "security": _bearer(write),
                "parameters": [ITEM_ID],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/DecisionRequest"}
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        "The same decision was already the current one",
                        {"$ref": "#/components/schemas/TransferDecision"},
                    ),
                    "201": _json(
                        "The decision recorded",
                        {"$ref": "#/components/schemas/TransferDecision"},
                    ),
                    "400": _problem("The body is not JSON", 400),
                    "401": _problem("No usable API token", 401),
                    "403": _problem(
                        f"The token lacks {write.value}, or its maker no longer runs this "
                        "university's transfers",
                        403,
                    ),
                    "404": _problem("No such item, or another university's", 404),
                    "409": _problem(
                        "The proposal changed or no longer recognises the record, the record "
                        "fails verification, the course is already recognised, or the request "
                        "was withdrawn",
                        409,
                    ),
                    "413": _problem("The body is too large", 413),
                    "422": _problem(
                        "The body is not a decision request, or the adjusted credits exceed "
                        "the agreement's cap for the student",
                        422,
                    ),
                },
            }
        },
        "/api/v1/transfer/evaluate": {
            "post": {
                "operationId": "evaluateRecord",
                "summary": "Verify and evaluate a record against the university's rules",
                "description": "For records received outside the platform; nothing is stored.",
                "security": _bearer(evaluate),
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/EvaluateRequest"}
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        "The evaluation of each course record",
                        {"$ref": "#/components/schemas/EvaluationResult"},
                    ),
                    "400": _problem("The body is not JSON", 400),
                    **_token_problems(evaluate),
                    "413": _problem(_TOO_LARGE, 413),
                    "422": _problem(
                        "The body has no verifiableCredential object, it holds no course record, "
                        "or it is nested too deeply to verify",
                        422,
                    ),
                },
            }
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
            "schemas": {
                "Problem": PROBLEM,
                **CREDENTIAL_SCHEMAS,
                **STATEMENT_SCHEMAS,
                **TRANSFER_SCHEMAS,
            },
            "securitySchemes": SECURITY_SCHEMES,
        },
        "paths": {
            "/api/v1/openapi.json": {"get": _openapi_operation()},
            "/api/v1/xapi/statements": {"get": _statements_operation()},
            **_transfer_operations(),
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
                        "413": _problem(_TOO_LARGE, 413),
                        "422": _problem(
                            "The body has no verifiableCredential object, or the record is "
                            "nested too deeply to verify",
                            422,
                        ),
                        "429": _problem(
                            "Too many verifications from this address "
                            "(MOOC_VERIFY_LIMIT_PER_ADDRESS, shared with the verify page)",
                            429,
                        ),
                    },
                }
            },
        },
    }


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(document(edge.base_url()))
