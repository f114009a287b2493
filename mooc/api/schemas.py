"""The JSON Schemas of what /api/v1 takes and answers, and its security schemes: the
components of the OpenAPI document (`mooc.api.openapi`), bounded by `mooc.api.bounds`.
"""

from __future__ import annotations

from typing import Any

from mooc.api import bounds
from mooc.api.models import ApiScope
from mooc.credentials.core.reading import ACHIEVEMENT_TYPES
from mooc.transfer.core.evaluation import Reason
from mooc.transfer.models import ItemState, Outcome
from mooc.transfer.services.decisions import MAX_COMMENT

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
            "endorsements": {
                "type": "array",
                "description": "Only for a proof set: each proof by another signer than the "
                "issuer, with its own outcome; none of them changes `verified`",
                "items": {
                    "type": "object",
                    "required": ["id", "status", "message"],
                    "properties": {
                        "id": {"type": "string", "enum": ["endorsement"]},
                        "status": {"type": "string", "enum": ["passed", "failed", "unknown"]},
                        "message": {"type": "string"},
                    },
                },
            },
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
                "description": (
                    "Who sent the record. A pupil from a school roster may have a username and "
                    "no email; every account has at least one of the two."
                ),
                "required": ["name", "email", "username"],
                "properties": {
                    "name": {"type": "string"},
                    "email": NULLABLE_STRING,
                    "username": NULLABLE_STRING,
                },
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
                        "minimum": bounds.MIN_CREDITS,
                        "maximum": bounds.MAX_CREDITS,
                    },
                    "course": {
                        "type": "string",
                        "pattern": "^" + bounds.COURSE_CODE.pattern + "$",
                        "maxLength": bounds.MAX_COURSE_CODE,
                        "description": "Our course code",
                    },
                    "courseTitle": {**NO_NUL, "maxLength": bounds.MAX_COURSE_TITLE},
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
VERIFICATION_FIELDS: dict[str, Any] = {
    "verified": {"type": "boolean"},
    "checks": CHECKS,
    "warnings": {
        "type": "array",
        "description": "What could not be checked, and whether the issuer is on the trust list",
        "items": {"type": "string"},
    },
    "errors": {"type": "array", "items": {"type": "string"}},
}
STATUS_PURPOSE = {"type": "string", "enum": ["revocation", "suspension"]}
VC_API_SCHEMAS: dict[str, Any] = {
    "VcApiVerifyCredentialRequest": {
        "type": "object",
        "required": ["verifiableCredential"],
        "properties": {
            "verifiableCredential": {
                "type": "object",
                "description": "A VC 2.0 or VC 1.1 credential with an eddsa-rdfc-2022 proof",
            },
            "options": {"type": "object", "description": "Accepted (checks are always all made)"},
        },
    },
    "VcApiVerifyPresentationRequest": {
        "type": "object",
        "required": ["verifiablePresentation"],
        "properties": {
            "verifiablePresentation": {
                "type": "object",
                "description": "A presentation signed by its holder (proofPurpose authentication)",
            },
            "options": {
                "type": "object",
                "properties": {
                    "challenge": {"type": "string", "description": "Must equal proof.challenge"},
                    "domain": {"type": "string", "description": "Must be in proof.domain"},
                },
            },
        },
    },
    "VcApiVerificationResult": {
        "type": "object",
        "description": "The VC API verification result; `verified` is true here",
        "required": list(VERIFICATION_FIELDS),
        "properties": {
            **VERIFICATION_FIELDS,
            "credentialResults": {
                "type": "array",
                "description": "A presentation's credentials, each with its own result, in order",
                "items": {
                    "type": "object",
                    "required": list(VERIFICATION_FIELDS),
                    "properties": VERIFICATION_FIELDS,
                },
            },
        },
    },
    "VcApiIssueRequest": {
        "type": "object",
        "required": ["credential"],
        "properties": {
            "credential": {
                "type": "object",
                "description": (
                    "An unsigned VC 2.0 or 1.1 credential whose issuer is the institution's "
                    "did:web or the did:key of its active key"
                ),
            },
            "options": {
                "type": "object",
                "properties": {
                    "credentialStatus": {
                        "type": "object",
                        "required": ["type"],
                        "properties": {
                            "type": {"const": "BitstringStatusListEntry"},
                            "statusPurpose": {
                                "description": (
                                    "Default revocation; a list of both for two entries, "
                                    "which makes an Open Badges 3.0 credential fail the OB 3.0 "
                                    "JSON Schema (it allows one credentialStatus object)"
                                ),
                                "oneOf": [
                                    STATUS_PURPOSE,
                                    {"type": "array", "items": STATUS_PURPOSE, "minItems": 1},
                                ],
                            },
                        },
                    },
                },
            },
        },
    },
    "VcApiIssueResult": {
        "type": "object",
        "required": ["verifiableCredential"],
        "properties": {
            "verifiableCredential": {
                "type": "object",
                "required": ["proof"],
                "description": "The credential with its DataIntegrityProof (eddsa-rdfc-2022)",
            }
        },
    },
    "VcApiStatusRequest": {
        "type": "object",
        "required": ["credentialStatus"],
        "properties": {
            "credentialId": {"type": "string", "description": "The id of the issued credential"},
            "credentialStatus": {
                "description": "One change per purpose; an item's id may name the entry instead",
                "oneOf": [
                    {"$ref": "#/components/schemas/VcApiStatusChange"},
                    {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 2,
                        "items": {"$ref": "#/components/schemas/VcApiStatusChange"},
                    },
                ],
            },
        },
    },
    "VcApiStatusChange": {
        "type": "object",
        "required": ["type"],
        "properties": {
            "type": {"const": "BitstringStatusListEntry"},
            "id": {"type": "string", "description": "The credentialStatus.id of the entry"},
            "statusPurpose": STATUS_PURPOSE,
            "status": {
                "description": (
                    "true sets the bit, false clears it (suspension only); or the words "
                    "revoked / suspended"
                ),
                "oneOf": [
                    {"type": "boolean"},
                    {"type": "string", "enum": ["revoked", "suspended"]},
                ],
            },
        },
    },
    "VcApiStatusResult": {
        "type": "object",
        "required": ["credentialId", "updated"],
        "properties": {
            "credentialId": {"type": ["string", "null"]},
            "updated": {"type": "integer", "minimum": 1, "maximum": 2},
        },
    },
}
