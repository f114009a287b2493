"""The OpenAPI 3.1 description of everything under /api/v1 (served by `api.views.openapi`).

Written by hand, next to the views; tests check that it names every /api/v1 route and nothing
else, and fuzz every operation against it (tests/integration/api/test_api_schema.py).
"""

from __future__ import annotations

from typing import Any

from mooc.api import bounds
from mooc.api.models import ApiScope
from mooc.api.schemas import (
    CREDENTIAL_SCHEMAS,
    NO_NUL,
    PROBLEM,
    PROBLEM_REF,
    SECURITY_SCHEMES,
    STATEMENT_SCHEMAS,
    TRANSFER_SCHEMAS,
    VC_API_SCHEMAS,
)
from mooc.pagination import MAX_PAGE
from mooc.transfer.models import ItemState

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
                "description": (
                    "xAPI agent JSON (an `account` whose name is the user id the statements "
                    "carry, or a username; or an `mbox`), or a plain email or username. Pupils "
                    "from a school roster may have a username and no email."
                ),
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
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": bounds.STATEMENTS_MAX_LIMIT,
                    "default": 100,
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
    "schema": {"type": "integer", "minimum": 1, "maximum": bounds.MAX_ITEM_ID},
}


def _json_body(schema_name: str) -> dict[str, Any]:
    """A required JSON request body described by one of the document's schemas."""
    return {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }


def _transfer_items_operation() -> dict[str, Any]:
    read = ApiScope.REQUESTS_READ
    return {
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
                    "maximum": bounds.TRANSFER_MAX_LIMIT,
                    "default": bounds.TRANSFER_DEFAULT_LIMIT,
                },
            },
            {
                "name": "page",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            },
        ],
        "responses": {
            "200": _json("A page of items", {"$ref": "#/components/schemas/TransferItemPage"}),
            **_token_problems(read),
            "422": _problem("A filter or paging value could not be understood", 422),
        },
    }


def _transfer_item_operation() -> dict[str, Any]:
    read = ApiScope.REQUESTS_READ
    return {
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


def _decision_operation() -> dict[str, Any]:
    write = ApiScope.DECISIONS_WRITE
    decision = {"$ref": "#/components/schemas/TransferDecision"}
    return {
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
        "requestBody": _json_body("DecisionRequest"),
        "responses": {
            "200": _json("The same decision was already the current one", decision),
            "201": _json("The decision recorded", decision),
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


def _evaluate_operation() -> dict[str, Any]:
    evaluate = ApiScope.RECORDS_EVALUATE
    return {
        "operationId": "evaluateRecord",
        "summary": "Verify and evaluate a record against the university's rules",
        "description": "For records received outside the platform; nothing is stored.",
        "security": _bearer(evaluate),
        "requestBody": _json_body("EvaluateRequest"),
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


def _transfer_operations() -> dict[str, Any]:
    return {
        "/api/v1/transfer/requests": {"get": _transfer_items_operation()},
        "/api/v1/transfer/items/{item_id}": {"get": _transfer_item_operation()},
        "/api/v1/transfer/items/{item_id}/decision": {"post": _decision_operation()},
        "/api/v1/transfer/evaluate": {"post": _evaluate_operation()},
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


def _my_credentials_operation() -> dict[str, Any]:
    return {
        "operationId": "listMyCredentials",
        "summary": "The logged-in student's signed records, newest first",
        "security": [{"session": []}],
        "responses": {
            "200": _json(
                "The records (course records and transcripts)",
                {"type": "array", "items": {"$ref": "#/components/schemas/CredentialItem"}},
            ),
            "401": _problem("Not logged in", 401),
        },
    }


def _verify_operation() -> dict[str, Any]:
    return {
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
        "requestBody": _json_body("VerifyRequest"),
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


_NOT_VERIFIED = (
    "Not verified: problem details that also carry the result (`verified`, `checks`, "
    "`warnings`, `errors`; `credentialResults` for a presentation); or a body that is not JSON, "
    "or holds no object to verify"
)
_TOO_MANY = "Too many verifications from this address (MOOC_VERIFY_LIMIT_PER_ADDRESS)"


def _vc_api_verify(kind: str) -> dict[str, Any]:
    name = "Credential" if kind == "credentials" else "Presentation"
    return {
        "operationId": f"vcApiVerify{name}",
        "summary": f"W3C VC API: verify a {name.lower()}; no account needed",
        "description": (
            "The platform's verifier (structure, issuer keys, eddsa-rdfc-2022 proof, status, "
            "validity period; VC 2.0 and 1.1). Whether the issuer is on the platform's trust "
            "list is a warning, not the verdict. A presentation's holder proof must use "
            "proofPurpose authentication and answer the challenge and domain given. "
            "Rate-limited with the verify page."
        ),
        "security": [],
        "requestBody": _json_body(f"VcApiVerify{name}Request"),
        "responses": {
            "200": _json("Verified", {"$ref": "#/components/schemas/VcApiVerificationResult"}),
            "400": _problem(_NOT_VERIFIED, 400),
            "413": _problem(_TOO_LARGE, 413),
            "422": _problem("options is not an object, or the document is nested too deeply", 422),
            "429": _problem(_TOO_MANY, 429),
        },
    }


def _vc_api_issue() -> dict[str, Any]:
    scope = ApiScope.CREDENTIALS_ISSUE
    return {
        "operationId": "vcApiIssueCredential",
        "summary": "W3C VC API: sign a credential with the institution's key",
        "description": (
            "Signs with eddsa-rdfc-2022 as the institution's did:web or as the did:key of its "
            "active key (the credential's issuer says which); VC 1.1 credentials get the Data "
            "Integrity context added. options.credentialStatus adds Bitstring Status List "
            "entries (revocation, suspension); both at once make a list of two entries, which "
            "an Open Badges 3.0 credential may not have (it then fails the OB 3.0 JSON Schema). "
            "Logged in the institution's VC API log."
        ),
        "security": _bearer(scope),
        "requestBody": _json_body("VcApiIssueRequest"),
        "responses": {
            "201": _json("Signed", {"$ref": "#/components/schemas/VcApiIssueResult"}),
            "400": _problem("The body is not JSON, or holds no credential object", 400),
            **_token_problems(scope),
            "409": _problem("Concurrent issuers kept taking the status bit drawn", 409),
            "413": _problem(_TOO_LARGE, 413),
            "422": _problem(
                "The issuer is not the institution, the credential is already signed, does "
                "not follow the VC data model, or uses terms or contexts that are not defined",
                422,
            ),
        },
    }


def _vc_api_status() -> dict[str, Any]:
    scope = ApiScope.CREDENTIALS_ISSUE
    return {
        "operationId": "vcApiUpdateStatus",
        "summary": "W3C VC API: revoke, suspend or lift the suspension of an issued credential",
        "description": "Only credentials this institution signed through the VC API, by id.",
        "security": _bearer(scope),
        "requestBody": _json_body("VcApiStatusRequest"),
        "responses": {
            "200": _json(
                "The status list is re-signed", {"$ref": "#/components/schemas/VcApiStatusResult"}
            ),
            "400": _problem("The body is not JSON", 400),
            **_token_problems(scope),
            "404": _problem("The institution signed no such credential with such an entry", 404),
            "409": _problem("A revocation cannot be undone", 409),
            "413": _problem("The body is larger than 16 KiB", 413),
            "422": _problem("The change is not a BitstringStatusListEntry change", 422),
        },
    }


def _vc_api_status_list() -> dict[str, Any]:
    return {
        "operationId": "vcApiStatusList",
        "summary": "A signed status list of credentials issued through the VC API",
        "security": [],
        "parameters": [
            {"name": "slug", "in": "path", "required": True, "schema": NO_NUL},
            {
                "name": "purpose",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "enum": ["revocation", "suspension"]},
            },
            {
                "name": "number",
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 0, "maximum": 999_999_999},
            },
        ],
        "responses": {
            "200": {
                "description": "The BitstringStatusListCredential",
                "content": {"application/vc+ld+json": {"schema": {"type": "object"}}},
            },
            "404": _problem("No such status list", 404),
        },
    }


def _vc_api_publish() -> dict[str, Any]:
    scope = ApiScope.CREDENTIALS_ISSUE
    return {
        "operationId": "vcApiPublishStatusList",
        "summary": "Publish a status list (a no-op: lists are re-signed at every change)",
        "security": _bearer(scope),
        "parameters": _vc_api_status_list()["parameters"],
        "responses": {
            "204": {"description": "The list is published"},
            **_token_problems(scope),
            "404": _problem("No such status list of the institution", 404),
        },
    }


def _vc_api_operations() -> dict[str, Any]:
    return {
        "/api/v1/vc-api/credentials/verify": {"post": _vc_api_verify("credentials")},
        "/api/v1/vc-api/presentations/verify": {"post": _vc_api_verify("presentations")},
        "/api/v1/vc-api/credentials/issue": {"post": _vc_api_issue()},
        "/api/v1/vc-api/credentials/status": {"post": _vc_api_status()},
        "/api/v1/vc-api/status-lists/{slug}/{purpose}/{number}": {"get": _vc_api_status_list()},
        "/api/v1/vc-api/status-lists/{slug}/{purpose}/{number}/publish": {
            "post": _vc_api_publish()
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
                **VC_API_SCHEMAS,
            },
            "securitySchemes": SECURITY_SCHEMES,
        },
        "paths": {
            "/api/v1/openapi.json": {"get": _openapi_operation()},
            "/api/v1/xapi/statements": {"get": _statements_operation()},
            **_transfer_operations(),
            "/api/v1/me/credentials": {"get": _my_credentials_operation()},
            "/api/v1/credentials/verify": {"post": _verify_operation()},
            **_vc_api_operations(),
        },
    }
