"""Presentations verified the platform's way, for the verify page, the CLI and a university's
request: the holder's proof (with the verifier's challenge and domain) and each credential's own
report, the same one a lone record gets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mooc.credentials.core.presentation import (
    HOLDER_PROOF,
    PresentationVerification,
    verify_presentation,
)
from mooc.credentials.core.reading import mapping
from mooc.credentials.core.verify import Check, Verification
from mooc.credentials.verification import PlatformVerifier, VerificationReport


@dataclass(frozen=True)
class PresentedCredential:
    """One credential of a presentation, with its own report."""

    document: Any
    report: VerificationReport


@dataclass(frozen=True)
class PresentationReport:
    """Who presented (the `holder`), the presentation's own checks, then each credential."""

    holder: str | None
    checks: tuple[Check, ...]
    credentials: tuple[PresentedCredential, ...]

    @property
    def holder_verified(self) -> bool:
        """The presentation is well-formed and signed by its holder for this verifier."""
        return bool(self.checks) and all(check.status == "passed" for check in self.checks)

    @property
    def verified(self) -> bool:
        return self.holder_verified and all(c.report.verified for c in self.credentials)

    @property
    def holder_check(self) -> Check | None:
        return next((check for check in self.checks if check.id == HOLDER_PROOF), None)


def holder_of(presentation: Any) -> str | None:
    holder = mapping(presentation).get("holder")
    holder = mapping(holder).get("id") if isinstance(holder, dict) else holder
    return holder if isinstance(holder, str) else None


def check_presentation(
    verifier: PlatformVerifier,
    presentation: Any,
    *,
    challenge: str | None = None,
    domain: str | None = None,
) -> PresentationReport:
    """Every check of `presentation` (challenge and domain only when given); never raises."""
    reports: list[PresentedCredential] = []

    def verify_one(credential: Any) -> Verification:
        report = verifier.verify(credential)
        reports.append(PresentedCredential(credential, report))
        return report.verification

    outcome: PresentationVerification = verify_presentation(
        presentation,
        verify_one,
        challenge=challenge,
        domain=domain,
        resolve_did_web=verifier.did_document,
    )
    return PresentationReport(holder_of(presentation), outcome.checks, tuple(reports))
