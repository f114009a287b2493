"""Evaluating records for a university: verify each course record with the platform verifier,
read its facts, apply the university's trust list (which replaces the platform's trust check)
and rules (agreement by agreement, each with its cap), and propose. Used for students' requests
and for records received any other way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution
from mooc.credentials.core.reading import CourseRecord, NotACourseRecord, course_records
from mooc.credentials.core.verify import ISSUER_TRUSTED
from mooc.credentials.verification import UnreadableRecord, VerificationReport, read_record
from mooc.errors import Invalid
from mooc.transfer.core.evaluation import Proposal, Reason, RecordFacts, evaluate
from mooc.transfer.core.facts import CheckOutcome, facts_from
from mooc.transfer.models import RequestItem
from mooc.transfer.queries import Tallies, student_tallies
from mooc.transfer.services.rules import RuleSet, rule_sets
from mooc.transfer.services.trust import trusted_dids


class RecordVerifier(Protocol):
    """The platform verifier (`mooc.web.edge.verifier()`), or a stand-in."""

    def verify(self, credential: Any) -> VerificationReport: ...


@dataclass(frozen=True)
class RecordEvaluation:
    """One course record: its checks, the facts read, and what the rules propose."""

    record: CourseRecord
    checks: tuple[CheckOutcome, ...]
    facts: RecordFacts
    proposal: Proposal
    agreement_id: int | None
    rule_version_id: int | None
    container_id: str | None = None

    @property
    def authentic(self) -> bool:
        """Verified and known not to be revoked: something a decision may rest on."""
        return self.facts.verified and self.facts.revoked is False

    @property
    def trusted(self) -> bool:
        """Whether the issuer is on the evaluating university's trust list."""
        return any(c.id == ISSUER_TRUSTED and c.status == "passed" for c in self.checks)


def checks_of(report: VerificationReport) -> tuple[CheckOutcome, ...]:
    return tuple(
        CheckOutcome(check.id, check.status, check.message) for check in report.verification.checks
    )


def university_trust(issuer: str, trusted: frozenset[str], university: str) -> CheckOutcome:
    """The trust check against a university's own trust list (not the platform's)."""
    if issuer and issuer in trusted:
        return CheckOutcome(
            ISSUER_TRUSTED, "passed", f"issuer {issuer} is on the trust list of {university}"
        )
    return CheckOutcome(
        ISSUER_TRUSTED, "failed", f"issuer {issuer or '?'} is not on the trust list of {university}"
    )


def with_university_trust(
    checks: Sequence[CheckOutcome], trust: CheckOutcome
) -> tuple[CheckOutcome, ...]:
    """`checks` with the platform's trust check replaced by the university's: resolvable or
    trusted by the platform is not trusted by the university."""
    replaced = [trust if check.id == ISSUER_TRUSTED else check for check in checks]
    if not any(check.id == ISSUER_TRUSTED for check in checks):
        replaced.append(trust)
    return tuple(replaced)


def propose(
    facts: RecordFacts,
    sets: Sequence[RuleSet],
    *,
    trusted: frozenset[str],
    today: dt.date,
    tallies: Tallies,
) -> tuple[Proposal, int | None, int | None]:
    """The proposal of the first agreement that recognises the record; otherwise the most
    telling refusal: problems of the record itself, then a matching rule's, then no rule."""
    if not sets:
        return evaluate(facts, [], trusted_issuers=trusted, today=today), None, None
    refusal: tuple[Proposal, int | None, int | None] | None = None
    for rule_set in sets:
        proposal = evaluate(
            facts,
            rule_set.rules,
            trusted_issuers=trusted,
            today=today,
            credits_so_far=tallies.credits.get(rule_set.agreement_id, Decimal(0)),
            cap=rule_set.cap,
            recognised_courses=tallies.courses,
        )
        version = (
            rule_set.versions.get((proposal.rule.id, proposal.rule.version))
            if proposal.rule is not None
            else None
        )
        if proposal.recognised:
            return proposal, rule_set.agreement_id, version
        if proposal.rule is None and proposal.reasons != (Reason.NO_RULE,):
            return proposal, None, None  # the record itself fails: no agreement changes that
        if proposal.rule is not None and refusal is None:
            refusal = (proposal, rule_set.agreement_id, version)
    return refusal or (Proposal(False, Decimal(0), None, (Reason.NO_RULE,)), None, None)


def parse_record(data: Any) -> Any:
    """JSON text or bytes as a value (parsed values pass through); `Invalid` when not JSON."""
    if not isinstance(data, str | bytes):
        return data
    try:
        return read_record(data)
    except UnreadableRecord:
        raise Invalid(
            _("This is not a record: it is not valid JSON."), field="credential"
        ) from None


def evaluate_record(
    session: Session,
    university: Institution,
    credential: Any,
    *,
    verifier: RecordVerifier,
    base_url: str,
    today: dt.date,
    student_id: int | None = None,
    exclude_item_id: int | None = None,
) -> list[RecordEvaluation]:
    """Verify and evaluate a course record, or each course record of a CLR transcript, against
    the university's trust list and rules. `credential` is JSON text, bytes or a parsed value.

    Without `student_id` (a record received outside the platform) nothing was recognised
    before. Raises `Invalid` when the input is not JSON or holds no course record.
    """
    document = parse_record(credential)
    try:
        records, container = course_records(document)
    except NotACourseRecord:
        raise Invalid(
            _("This is not a course record (Open Badges) or a transcript (CLR) of them."),
            field="credential",
        ) from None
    trusted = trusted_dids(session, university, base_url)
    sets = rule_sets(session, university.id)
    tallies = (
        student_tallies(session, university.id, student_id, exclude_item_id=exclude_item_id)
        if student_id is not None
        else Tallies()
    )
    evaluations = []
    for record in records:
        trust = university_trust(record.issuer, trusted, university.name)
        checks = with_university_trust(checks_of(verifier.verify(record.document)), trust)
        facts = facts_from(record, checks, today)
        proposal, agreement_id, version_id = propose(
            facts, sets, trusted=trusted, today=today, tallies=tallies
        )
        evaluations.append(
            RecordEvaluation(record, checks, facts, proposal, agreement_id, version_id, container)
        )
    return evaluations


def store_proposal(item: RequestItem, evaluation: RecordEvaluation, at: dt.datetime) -> None:
    """Keep `evaluation` as the item's latest proposal (the machine's; decisions are apart)."""
    proposal = evaluation.proposal
    item.verified = evaluation.authentic
    item.checks = [
        {"id": check.id, "status": check.status, "message": check.message[:500]}
        for check in evaluation.checks
    ]
    item.proposal_recognised = proposal.recognised
    item.proposal_credits = proposal.credits
    item.proposal_course_code = proposal.rule.local_course if proposal.rule else None
    item.proposal_course_title = proposal.rule.local_title if proposal.rule else None
    item.proposal_rule_version_id = evaluation.rule_version_id
    item.proposal_agreement_id = evaluation.agreement_id
    item.reasons = [reason.value for reason in proposal.reasons]
    details = dict(proposal.details)
    if proposal.rule is not None and proposal.rule.min_grade is not None:
        details["min_grade"] = str(proposal.rule.min_grade)
    if evaluation.record.grade_text:
        details["grade"] = evaluation.record.grade_text
    item.reason_details = details
    item.evaluated_at = at
