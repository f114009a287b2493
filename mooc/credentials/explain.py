"""Verification checks in plain words, in the reader's language (the core speaks English)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from mooc.credentials.core.presentation import HOLDER_PROOF, PRESENTATION_WELL_FORMED
from mooc.credentials.core.verdict import verdict_of
from mooc.credentials.core.verify import (
    EMBEDDED,
    ENDORSEMENT,
    ISSUER_RESOLVED,
    ISSUER_TRUSTED,
    SIGNATURE,
    STATUS,
    VALIDITY,
    WELL_FORMED,
    Check,
)
from mooc.credentials.presentations import PresentationReport
from mooc.credentials.verification import VerificationReport
from mooc.labels import label


@dataclass(frozen=True)
class ExplainedCheck:
    """One check as a person reads it: what was checked, the outcome, and the exact reason."""

    id: str
    status: str
    label: str
    sentence: str
    detail: str


def _labels() -> dict[str, str]:
    return {
        WELL_FORMED: _("Format"),
        ISSUER_RESOLVED: _("Issuer's keys"),
        SIGNATURE: _("Signature"),
        ISSUER_TRUSTED: _("Trusted issuer"),
        STATUS: _("Revocation"),
        VALIDITY: _("Validity period"),
        EMBEDDED: _("Records inside"),
        PRESENTATION_WELL_FORMED: _("Presentation format"),
        HOLDER_PROOF: _("Holder's signature"),
        ENDORSEMENT: _("Endorsement"),
    }


def _sentences() -> dict[tuple[str, str], str]:
    return {
        (WELL_FORMED, "passed"): _(
            "The record is complete and follows the Open Badges / CLR format."
        ),
        (WELL_FORMED, "failed"): _("The record does not follow the format of a verifiable record."),
        (ISSUER_RESOLVED, "passed"): _("The issuer's published keys were found."),
        (ISSUER_RESOLVED, "failed"): _(
            "The issuer's published keys could not be found, so the record cannot be checked."
        ),
        (SIGNATURE, "passed"): _(
            "The signature is valid: nothing in the record has changed since it was signed."
        ),
        (SIGNATURE, "failed"): _(
            "The signature does not match: the record was changed after it was signed, "
            "or was not signed by this issuer."
        ),
        (SIGNATURE, "unknown"): _(
            "The signature could not be checked because the issuer's keys are unknown."
        ),
        (ISSUER_TRUSTED, "passed"): _("The issuer is on this platform's list of trusted issuers."),
        (ISSUER_TRUSTED, "failed"): _(
            "The issuer is not on this platform's list of trusted issuers."
        ),
        (ISSUER_TRUSTED, "unknown"): _("It could not be checked whether the issuer is trusted."),
        (STATUS, "passed"): _("The issuer has not revoked the record."),
        (STATUS, "failed"): _("The issuer has revoked this record."),
        (STATUS, "unknown"): _(
            "It could not be checked whether the record was revoked, so it is not verified."
        ),
        (VALIDITY, "passed"): _("The record is within its validity period."),
        (VALIDITY, "failed"): _("The record is not valid now: it has expired or is not valid yet."),
        (EMBEDDED, "passed"): _("Every course record inside this transcript was verified."),
        (EMBEDDED, "failed"): _("At least one course record inside this transcript failed."),
        (PRESENTATION_WELL_FORMED, "passed"): _("The presentation is well-formed."),
        (PRESENTATION_WELL_FORMED, "failed"): _(
            "This is not a well-formed verifiable presentation."
        ),
        (HOLDER_PROOF, "passed"): _(
            "The holder signed this presentation, for the challenge and domain given."
        ),
        (HOLDER_PROOF, "failed"): _(
            "The holder's signature is missing, does not match, or answers another challenge "
            "or domain."
        ),
        (ENDORSEMENT, "passed"): _(
            "Another signer's proof on this record is valid. It does not change the verdict."
        ),
        (ENDORSEMENT, "failed"): _(
            "Another signer's proof on this record does not verify. It does not change the verdict."
        ),
        (ENDORSEMENT, "unknown"): _(
            "Another signer's proof on this record could not be checked. "
            "It does not change the verdict."
        ),
    }


def status_word(status: str) -> str:
    return label("check_status", status if status in ("passed", "failed") else "unknown")


def explain_check(check: Check) -> ExplainedCheck:
    sentence = _sentences().get((check.id, check.status))
    if check.id == STATUS and check.reason == "suspended":
        sentence = _("The issuer has suspended this record until it confirms or revokes it.")
    if sentence is None:
        sentence = status_word(check.status)
    return ExplainedCheck(
        id=check.id,
        status=check.status,
        label=_labels().get(check.id, check.id),
        sentence=sentence,
        detail=check.message,
    )


def explain(report: VerificationReport) -> list[ExplainedCheck]:
    """The checks, then each endorsement (another signer's proof) with its own outcome."""
    verification = report.verification
    return [explain_check(check) for check in (*verification.checks, *verification.endorsements)]


def cached_notes(report: VerificationReport) -> list[str]:
    return [
        _(
            "The revocation list %(url)s was read from a copy fetched %(seconds)d seconds ago.",
            url=copy.url,
            seconds=copy.age_seconds,
        )
        for copy in report.cached
    ]


@dataclass(frozen=True)
class ExplainedVerdict:
    """The verdict as a headline a person reads before the record: valid, or NOT valid with
    each reason in words."""

    valid: bool
    headline: str
    reasons: tuple[str, ...]
    codes: tuple[str, ...]


def _reason_words() -> dict[str, str]:
    return {
        "malformed": _("it is not a well-formed record"),
        "altered": _("it was altered after it was signed"),
        "issuer-unknown": _("the issuer is unknown: its keys cannot be found"),
        "issuer-untrusted": _("the issuer is not on the trust list"),
        "revoked": _("the issuer has revoked it"),
        "suspended": _("the issuer has suspended it"),
        "status-unknown": _("it could not be checked whether it was revoked"),
        "expired": _("it has expired"),
        "not-yet-valid": _("it is not valid yet"),
        "embedded-failed": _("a record inside it failed verification"),
    }


def explain_verdict(report: VerificationReport) -> ExplainedVerdict:
    """The headline of a verification, with the reasons it failed in the reader's language."""
    verdict = verdict_of(report.verification)
    if verdict.valid:
        headline = _(
            "Valid: this record is authentic, unchanged, from a trusted issuer and in force."
        )
        return ExplainedVerdict(True, headline, (), ())
    words = _reason_words()
    reasons = tuple(words.get(code, code) for code in verdict.reasons)
    headline = _("NOT valid: %(reasons)s.", reasons="; ".join(reasons))
    return ExplainedVerdict(False, headline, reasons, verdict.reasons)


def explain_presentation(report: PresentationReport) -> ExplainedVerdict:
    """The headline of a presentation: the holder's proof and every record in it."""
    if report.verified:
        headline = _("Valid: the holder signed this presentation, and every record in it is valid.")
        return ExplainedVerdict(True, headline, (), ())
    reasons: list[str] = []
    if not report.holder_verified:
        reasons.append(_("the holder's signature does not verify"))
    failed = sum(1 for credential in report.credentials if not credential.report.verified)
    if failed:
        reasons.append(_("%(n)d of its records are not valid", n=failed))
    headline = _("NOT valid: %(reasons)s.", reasons="; ".join(reasons))
    return ExplainedVerdict(False, headline, tuple(reasons), ())
