"""W3C VC API verification answers, made by the platform's one verifier.

A VC API verifier says whether a credential is authentic, current and not revoked; whether its
issuer deserves trust is the caller's decision, so the trust check is reported as a warning and
never decides the verdict (the /verify page, which speaks for the platform, still requires it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mooc.credentials.core.presentation import PresentationVerification, verify_presentation
from mooc.credentials.core.verify import ISSUER_TRUSTED, Verification
from mooc.credentials.verification import PlatformVerifier, VerificationReport


def without_trust(verification: Verification) -> Verification:
    """The same checks, the trust check turned into a warning when it did not pass."""
    kept = tuple(check for check in verification.checks if check.id != ISSUER_TRUSTED)
    untrusted = tuple(
        check.message
        for check in verification.checks
        if check.id == ISSUER_TRUSTED and check.status != "passed"
    )
    return Verification(kept, (*verification.notes, *untrusted), verification.endorsements)


@dataclass(frozen=True)
class Answer:
    """A VC API verification result: `verified`, the checks made, warnings and errors."""

    verified: bool
    body: dict[str, Any]

    @property
    def errors(self) -> list[str]:
        return list(self.body["errors"])


def credential_answer(verifier: PlatformVerifier, credential: Any) -> Answer:
    report = verifier.verify(credential)
    verification = without_trust(report.verification)
    body = VerificationReport(verification, report.cached).to_json()
    return Answer(verification.verified, body)


def presentation_answer(
    verifier: PlatformVerifier,
    presentation: Any,
    *,
    challenge: str | None,
    domain: str | None,
) -> Answer:
    """The holder's proof and every credential of a presentation, as one VC API result; each
    credential's own result is under `credentialResults`, in order."""

    def verify_one(credential: Any) -> Verification:
        return without_trust(verifier.verify(credential).verification)

    outcome: PresentationVerification = verify_presentation(
        presentation,
        verify_one,
        challenge=challenge,
        domain=domain,
        resolve_did_web=verifier.did_document,
    )
    errors = [check.message for check in outcome.checks if check.status != "passed"]
    warnings: list[str] = []
    for index, credential in enumerate(outcome.credentials):
        errors.extend(f"verifiableCredential[{index}]: {e}" for e in credential.errors)
        warnings.extend(f"verifiableCredential[{index}]: {w}" for w in credential.warnings)
    body = {
        "verified": outcome.verified,
        "checks": [check.to_json() for check in outcome.checks],
        "warnings": warnings,
        "errors": errors,
        "credentialResults": [credential.to_json() for credential in outcome.credentials],
    }
    return Answer(outcome.verified, body)
