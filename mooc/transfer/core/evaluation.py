"""Evaluating a verified record against a university's recognition rules. Pure.

The outcome is a proposal a person can read: recognised as our course Y for N credits, or not,
with every reason in words (no rule matched, grade below minimum, issuer not trusted, revoked,
expired, too old, cap reached). Staff accept, adjust or reject it; this module never decides.
"""

from __future__ import annotations

import datetime as dt
import enum
import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from mooc.transfer.core.conversion import Conversion, ConversionError, convert


class Reason(enum.StrEnum):
    """Why a record is (not) recognised; the platform turns each into words in both languages."""

    NOT_VERIFIED = "not_verified"
    REVOKED = "revoked"
    STATUS_UNKNOWN = "status_unknown"
    EXPIRED = "expired"
    ISSUER_NOT_TRUSTED = "issuer_not_trusted"
    NO_RULE = "no_rule"
    RULE_NOT_IN_FORCE = "rule_not_in_force"
    GRADE_MISSING = "grade_missing"
    GRADE_BELOW_MINIMUM = "grade_below_minimum"
    TOO_OLD = "too_old"
    CONVERSION_FAILED = "conversion_failed"
    CAP_REACHED = "cap_reached"
    CAPPED = "capped"  # recognised, but fewer credits than the rule gives
    ALREADY_RECOGNISED = "already_recognised"
    MATCHED = "matched"


@dataclass(frozen=True)
class RecordFacts:
    """What verification established about one record (nothing here is taken on trust)."""

    verified: bool
    revoked: bool | None  # None: status unknown
    expired: bool
    issuer: str  # DID
    achievement_id: str
    course_code: str | None
    title: str
    credits: Decimal | None
    workload_hours: Decimal | None
    grade: Decimal | None  # 0–100
    awarded: dt.date


@dataclass(frozen=True)
class Rule:
    id: int
    version: int
    issuers: frozenset[str]  # DIDs this rule accepts
    local_course: str  # our course code
    local_title: str
    conversion: Conversion
    achievement_id: str | None = None  # exact match, or …
    code_pattern: str | None = None  # … a course-code pattern like "INT1*"
    min_grade: Decimal | None = None
    max_age_days: int | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    def matches(self, facts: RecordFacts) -> bool:
        return self.covers(facts.issuer, facts.achievement_id, facts.course_code)

    def covers(self, issuer: str, achievement_id: str, course_code: str | None) -> bool:
        """Whether this rule is about that achievement of that issuer (before any check)."""
        if issuer not in self.issuers:
            return False
        if self.achievement_id is not None:
            return achievement_id == self.achievement_id
        if self.code_pattern is not None and course_code:
            return fnmatch.fnmatchcase(course_code.upper(), self.code_pattern.upper())
        return False

    def in_force(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on <= self.valid_until
        )


@dataclass(frozen=True)
class Proposal:
    recognised: bool
    credits: Decimal
    rule: Rule | None
    reasons: tuple[Reason, ...]
    details: dict[str, str] = field(default_factory=dict)


def evaluate(
    facts: RecordFacts,
    rules: Sequence[Rule],
    *,
    trusted_issuers: frozenset[str],
    today: dt.date,
    credits_so_far: Decimal = Decimal(0),
    cap: Decimal | None = None,
    recognised_courses: frozenset[str] = frozenset(),
) -> Proposal:
    """Propose what `facts` is worth under `rules`; the first rule that fully applies wins."""
    blockers: list[Reason] = []
    if not facts.verified:
        blockers.append(Reason.NOT_VERIFIED)
    if facts.revoked:
        blockers.append(Reason.REVOKED)
    elif facts.revoked is None:
        blockers.append(Reason.STATUS_UNKNOWN)
    if facts.expired:
        blockers.append(Reason.EXPIRED)
    if facts.issuer not in trusted_issuers:
        blockers.append(Reason.ISSUER_NOT_TRUSTED)
    if blockers:
        return Proposal(False, Decimal(0), None, tuple(blockers))

    candidates = [rule for rule in rules if rule.matches(facts)]
    if not candidates:
        return Proposal(False, Decimal(0), None, (Reason.NO_RULE,))
    failures: list[Reason] = []
    details: dict[str, str] = {}
    for rule in candidates:
        problems = _rule_problems(rule, facts, today)
        if problems:
            failures.extend(problems)
            details.setdefault("min_grade", str(rule.min_grade))
            continue
        if rule.local_course in recognised_courses:
            return Proposal(False, Decimal(0), rule, (Reason.ALREADY_RECOGNISED,))
        try:
            granted = convert(
                rule.conversion, credits=facts.credits, workload_hours=facts.workload_hours
            )
        except ConversionError as exc:
            failures.append(Reason.CONVERSION_FAILED)
            details["conversion"] = str(exc)
            continue
        return _apply_cap(rule, granted, credits_so_far, cap)
    unique = tuple(dict.fromkeys(failures))
    return Proposal(False, Decimal(0), candidates[0], unique, details)


def _rule_problems(rule: Rule, facts: RecordFacts, today: dt.date) -> list[Reason]:
    problems = []
    if not rule.in_force(today):
        problems.append(Reason.RULE_NOT_IN_FORCE)
    if rule.min_grade is not None:
        if facts.grade is None:
            problems.append(Reason.GRADE_MISSING)
        elif facts.grade < rule.min_grade:
            problems.append(Reason.GRADE_BELOW_MINIMUM)
    if rule.max_age_days is not None and (today - facts.awarded).days > rule.max_age_days:
        problems.append(Reason.TOO_OLD)
    return problems


def _apply_cap(
    rule: Rule, granted: Decimal, credits_so_far: Decimal, cap: Decimal | None
) -> Proposal:
    if cap is None:
        return Proposal(True, granted, rule, (Reason.MATCHED,))
    room = max(cap - credits_so_far, Decimal(0))
    if room <= 0:
        return Proposal(False, Decimal(0), rule, (Reason.CAP_REACHED,))
    if granted > room:
        return Proposal(True, room, rule, (Reason.MATCHED, Reason.CAPPED))
    return Proposal(True, granted, rule, (Reason.MATCHED,))
