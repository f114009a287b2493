"""Why a record is (not) recognised, in sentences in the reader's language, and the stored checks
explained. Stored data keeps reason codes; words are made when shown (state, outcome and action
labels: `mooc.labels`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from mooc.credentials.core.verify import ISSUER_TRUSTED, Check, CheckStatus
from mooc.credentials.explain import ExplainedCheck, explain_check
from mooc.transfer.core.evaluation import Reason
from mooc.transfer.models import RequestItem
from mooc.transfer.services.evaluation import RecordEvaluation
from mooc.web.filters import number


def reason_sentence(
    code: str,
    details: Mapping[str, Any],
    *,
    course: str | None = None,
    credits: Decimal | None = None,
) -> str:
    """One reason as a sentence (unknown codes are shown as they are)."""
    minimum = number(str(details.get("min_grade", "")))  # "50", not "50.00"
    sentences: dict[Reason, str] = {
        Reason.NOT_VERIFIED: _(
            "The record could not be verified: its format, its signature or its issuer's keys "
            "failed the checks."
        ),
        Reason.REVOKED: _("The issuer has revoked this record."),
        Reason.STATUS_UNKNOWN: _(
            "It could not be checked whether the issuer has revoked this record."
        ),
        Reason.EXPIRED: _("The record is not valid now: it has expired or is not valid yet."),
        Reason.ISSUER_NOT_TRUSTED: _(
            "The issuer is not on this university's list of trusted issuers."
        ),
        Reason.NO_RULE: _("No recognition rule of this university covers this achievement."),
        Reason.RULE_NOT_IN_FORCE: _("The matching rule is not in force today."),
        Reason.GRADE_MISSING: _(
            "The rule asks for a minimum grade, but the record states no grade on a number scale."
        ),
        Reason.GRADE_BELOW_MINIMUM: _(
            "The grade is below the rule's minimum of %(min)s out of 100.", min=minimum
        ),
        Reason.TOO_OLD: _("The record is older than the rule accepts."),
        Reason.CONVERSION_FAILED: _(
            "The credits could not be converted: the record states no study hours or credits."
        ),
        Reason.CAP_REACHED: _("The student has reached the agreement's cap on recognised credits."),
        Reason.CAPPED: _(
            "Fewer credits than the rule gives, because of the agreement's cap on recognised "
            "credits."
        ),
        Reason.ALREADY_RECOGNISED: _("This course is already recognised for the student."),
        Reason.MATCHED: _(
            "A recognition rule applies: the record counts as %(course)s for %(credits)s credits.",
            course=course or "",
            credits=number(credits) if credits is not None else "",
        ),
    }
    try:
        return sentences[Reason(code)]
    except ValueError:
        return code


def item_reasons(item: RequestItem) -> list[str]:
    course = f"{item.proposal_course_code} {item.proposal_course_title}".strip()
    return [
        reason_sentence(code, item.reason_details, course=course, credits=item.proposal_credits)
        for code in item.reasons
    ]


def evaluation_reasons(evaluation: RecordEvaluation) -> list[str]:
    proposal = evaluation.proposal
    details = dict(proposal.details)
    if proposal.rule is not None and proposal.rule.min_grade is not None:
        details["min_grade"] = str(proposal.rule.min_grade)
    course = f"{proposal.rule.local_course} {proposal.rule.local_title}" if proposal.rule else ""
    return [
        reason_sentence(reason.value, details, course=course, credits=proposal.credits)
        for reason in proposal.reasons
    ]


def jinja_helpers() -> dict[str, Any]:
    """What the transfer templates call to put reason codes into sentences."""
    return {
        "transfer_reasons": item_reasons,
    }


def _university_words(explained: ExplainedCheck) -> ExplainedCheck:
    """A university's pages check trust against its own list: say so."""
    if explained.id != ISSUER_TRUSTED or explained.status not in ("passed", "failed"):
        return explained
    sentence = (
        _("The issuer is on this university's list of trusted issuers.")
        if explained.status == "passed"
        else _("The issuer is not on this university's list of trusted issuers.")
    )
    return replace(explained, sentence=sentence)


def explained_checks(checks: Sequence[Mapping[str, str]]) -> list[ExplainedCheck]:
    """Stored checks with the platform's plain-words explanation of each."""
    return [
        _university_words(
            explain_check(
                Check(check["id"], _status(check.get("status", "")), check.get("message", ""))
            )
        )
        for check in checks
    ]


def _status(value: str) -> CheckStatus:
    if value == "passed":
        return "passed"
    if value == "failed":
        return "failed"
    return "unknown"
