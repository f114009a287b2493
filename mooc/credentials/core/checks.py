"""The named checks a verification is made of, and the verification they add up to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

CheckStatus = Literal["passed", "failed", "unknown"]

WELL_FORMED = "well-formed"
ISSUER_RESOLVED = "issuer-resolved"
SIGNATURE = "signature"
ISSUER_TRUSTED = "issuer-trusted"
STATUS = "status"
VALIDITY = "validity-period"
EMBEDDED = "embedded-credentials"
ENDORSEMENT = "endorsement"
MAX_EMBEDDING = 2  # a transcript's records, and one more level; no deeper recursion on input


@dataclass(frozen=True)
class Check:
    id: str
    status: CheckStatus
    message: str
    # Why it failed, in one word a page can show first ("revoked", "suspended", "expired"…);
    # not part of the answer's JSON, which keeps the VC-API shape.
    reason: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "status": self.status, "message": self.message}


@dataclass(frozen=True)
class Verification:
    """The checks made on one record; shaped for a VC-API style answer by `to_json`."""

    checks: tuple[Check, ...]
    notes: tuple[str, ...] = ()
    # Proofs by others than the issuer (a proof set): each reported, none part of the verdict.
    endorsements: tuple[Check, ...] = ()

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(check.status == "passed" for check in self.checks)

    @property
    def errors(self) -> tuple[str, ...]:
        """Why the record is not verified: the messages of failed checks."""
        return tuple(check.message for check in self.checks if check.status == "failed")

    @property
    def warnings(self) -> tuple[str, ...]:
        """What could not be checked, and structural oddities that are not errors."""
        unknown = (check.message for check in self.checks if check.status == "unknown")
        return (*unknown, *self.notes)

    def check(self, check_id: str) -> Check:
        return next(check for check in self.checks if check.id == check_id)

    def to_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "verified": self.verified,
            "checks": [check.to_json() for check in self.checks],
            "warnings": list(self.warnings),
            "errors": list(self.errors),
        }
        if self.endorsements:
            answer["endorsements"] = [check.to_json() for check in self.endorsements]
        return answer
