"""The verdict on a verified record, said before anything the record claims: valid, or not
valid and why (altered, revoked, suspended, expired, issuer unknown…). Pure."""

from __future__ import annotations

from dataclasses import dataclass

from mooc.credentials.core.verify import (
    EMBEDDED,
    ISSUER_RESOLVED,
    ISSUER_TRUSTED,
    SIGNATURE,
    STATUS,
    VALIDITY,
    WELL_FORMED,
    Verification,
)

# The reasons a record is not valid, most telling first.
REASONS = (
    "malformed",
    "altered",
    "issuer-unknown",
    "issuer-untrusted",
    "revoked",
    "suspended",
    "status-unknown",
    "expired",
    "not-yet-valid",
    "embedded-failed",
)


@dataclass(frozen=True)
class Verdict:
    """Valid, or the reasons (codes of `REASONS`) the record is not."""

    valid: bool
    reasons: tuple[str, ...] = ()


def _reason(check_id: str, status: str, reason: str | None) -> str | None:
    if status == "passed":
        return None
    if check_id == WELL_FORMED:
        return "malformed"
    if check_id == ISSUER_RESOLVED or (check_id == SIGNATURE and status == "unknown"):
        return "issuer-unknown"
    if check_id == SIGNATURE:
        return "altered"
    if check_id == ISSUER_TRUSTED:
        return "issuer-untrusted"
    if check_id == STATUS:
        return reason if status == "failed" and reason in REASONS else "status-unknown"
    if check_id == VALIDITY:
        return reason if reason in REASONS else "expired"
    if check_id == EMBEDDED:
        return "embedded-failed"
    return None


def verdict_of(verification: Verification) -> Verdict:
    """The verdict on `verification`: valid only when every check passed."""
    found = {_reason(check.id, check.status, check.reason) for check in verification.checks} - {
        None
    }
    reasons = tuple(reason for reason in REASONS if reason in found)
    if verification.verified:
        return Verdict(True)
    return Verdict(False, reasons or ("malformed",))
