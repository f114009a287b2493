"""Agreements and their recognition rules: "an achievement from issuer X (by id, or course-code
pattern) counts as our course Y", with conversion, minimum grade, maximum age, validity dates,
and a cap on credits per student for the agreement.

Rules are versioned: editing appends a version, so a decision keeps the version it used. Every
change is audited.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, User
from mooc.catalog.core.credits import MAX_CREDITS
from mooc.db import utcnow
from mooc.errors import Conflict, Invalid
from mooc.transfer import audit
from mooc.transfer.core.conversion import Conversion, Method
from mooc.transfer.core.evaluation import Rule
from mooc.transfer.models import Agreement, RecognitionRule, RuleVersion
from mooc.transfer.queries import agreements
from mooc.transfer.services.trust import normalize_did

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,39}$")
_PATTERN = re.compile(r"^[A-Za-z0-9*?._/ -]{1,60}$")


@dataclass(frozen=True)
class RuleSpec:
    """What a rule says (one version of it)."""

    issuer_did: str
    local_course_code: str
    local_course_title: str
    method: Method
    achievement_id: str | None = None
    code_pattern: str | None = None
    fixed_credits: Decimal | None = None
    hours_per_credit: Decimal | None = None
    min_grade: Decimal | None = None
    max_age_days: int | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    @classmethod
    def of(cls, version: RuleVersion) -> RuleSpec:
        return cls(
            issuer_did=version.issuer_did,
            local_course_code=version.local_course_code,
            local_course_title=version.local_course_title,
            method=version.method,
            achievement_id=version.achievement_id,
            code_pattern=version.code_pattern,
            fixed_credits=version.fixed_credits,
            hours_per_credit=version.hours_per_credit,
            min_grade=version.min_grade,
            max_age_days=version.max_age_days,
            valid_from=version.valid_from,
            valid_until=version.valid_until,
        )

    def as_json(self) -> dict[str, Any]:
        return {k: (None if v is None else str(v)) for k, v in asdict(self).items()}


def _clean(text: str | None) -> str | None:
    value = " ".join((text or "").split())
    return value or None


def checked_spec(spec: RuleSpec) -> RuleSpec:
    """`spec` tidied, or `Invalid` naming the field that is not acceptable."""
    achievement_id, pattern = _clean(spec.achievement_id), _clean(spec.code_pattern)
    if (achievement_id is None) == (pattern is None):
        raise Invalid(
            _("Match the record either by its achievement id or by a course-code pattern."),
            field="code_pattern",
        )
    if achievement_id is not None and (":" not in achievement_id or len(achievement_id) > 500):
        raise Invalid(_("An achievement id is a URL or URN."), field="achievement_id")
    if pattern is not None and not _PATTERN.match(pattern):
        raise Invalid(
            _("A course-code pattern has letters, digits and * or ?, e.g. INT1*."),
            field="code_pattern",
        )
    code, title = _clean(spec.local_course_code), _clean(spec.local_course_title)
    if code is None or not _CODE.match(code):
        raise Invalid(_("Give our course code, e.g. IT1010."), field="local_course_code")
    if title is None or len(title) > 200:
        raise Invalid(_("Give our course title."), field="local_course_title")
    fixed = spec.fixed_credits if spec.method == Method.FIXED else None
    hours = spec.hours_per_credit if spec.method == Method.BY_HOURS else None
    if spec.method == Method.FIXED and (fixed is None or not 0 <= fixed <= MAX_CREDITS):
        raise Invalid(
            _("A fixed conversion needs the credits to grant (0–60)."), field="fixed_credits"
        )
    if spec.method == Method.BY_HOURS and (hours is None or not 0 < hours <= 1000):
        raise Invalid(
            _("A conversion by hours needs the hours per credit, e.g. 50 for tín chỉ."),
            field="hours_per_credit",
        )
    if spec.min_grade is not None and not 0 <= spec.min_grade <= 100:
        raise Invalid(_("The minimum grade is between 0 and 100."), field="min_grade")
    if spec.max_age_days is not None and not 1 <= spec.max_age_days <= 36_500:
        raise Invalid(_("The maximum age is between 1 and 36,500 days."), field="max_age_days")
    if spec.valid_from and spec.valid_until and spec.valid_until < spec.valid_from:
        raise Invalid(_("The rule ends before it starts."), field="valid_until")
    return replace(
        spec,
        issuer_did=normalize_did(spec.issuer_did),
        achievement_id=achievement_id,
        code_pattern=pattern.upper() if pattern else None,
        local_course_code=code.upper(),
        local_course_title=title,
        fixed_credits=fixed,
        hours_per_credit=hours,
    )


def _agreement_values(name: str, partner: str, cap: Decimal | None) -> tuple[str, str]:
    name, partner = " ".join(name.split())[:200], " ".join(partner.split())[:200]
    if not name:
        raise Invalid(_("Give the agreement a name."), field="name")
    if cap is not None and not 0 <= cap <= 1000:
        raise Invalid(_("The cap is between 0 and 1,000 credits."), field="credit_cap")
    return name, partner


def _save_agreement(session: Session, agreement: Agreement) -> None:
    try:
        with session.begin_nested():
            session.add(agreement)
            session.flush()
    except IntegrityError:
        raise Conflict(_("An agreement with this name exists already."), field="name") from None


def create_agreement(
    session: Session,
    university: Institution,
    actor: User,
    *,
    name: str,
    partner: str = "",
    credit_cap: Decimal | None = None,
) -> Agreement:
    """A new agreement. Raises `Invalid` (no name, bad cap), `Conflict` (name taken)."""
    name, partner = _agreement_values(name, partner, credit_cap)
    agreement = Agreement(
        institution_id=university.id, name=name, partner=partner, credit_cap=credit_cap
    )
    _save_agreement(session, agreement)
    audit.record(
        session,
        institution_id=university.id,
        actor_id=actor.id,
        action="create",
        object_type="agreement",
        object_id=agreement.id,
        summary=f"created the agreement {name}",
        details={"partner": partner, "credit_cap": None if credit_cap is None else str(credit_cap)},
    )
    return agreement


def update_agreement(
    session: Session,
    agreement: Agreement,
    actor: User,
    *,
    name: str,
    partner: str,
    credit_cap: Decimal | None,
) -> Agreement:
    """Rename an agreement or change its partner or cap. Raises as `create_agreement`."""
    name, partner = _agreement_values(name, partner, credit_cap)
    before = _agreement_state(agreement)
    agreement.name, agreement.partner, agreement.credit_cap = name, partner, credit_cap
    _save_agreement(session, agreement)
    audit.record_edit(
        session,
        institution_id=agreement.institution_id,
        actor_id=actor.id,
        object_type="agreement",
        object_id=agreement.id,
        summary=f"changed the agreement {name}",
        before=before,
        after=_agreement_state(agreement),
    )
    return agreement


def _agreement_state(agreement: Agreement) -> dict[str, str | None]:
    cap = agreement.credit_cap
    return {"name": agreement.name, "partner": agreement.partner, "credit_cap": _cap_text(cap)}


def _cap_text(cap: Decimal | None) -> str | None:
    return None if cap is None else str(cap)


def _version(rule: RecognitionRule, number: int, spec: RuleSpec, actor: User) -> RuleVersion:
    return RuleVersion(
        rule=rule,
        version=number,
        issuer_did=spec.issuer_did,
        achievement_id=spec.achievement_id,
        code_pattern=spec.code_pattern,
        local_course_code=spec.local_course_code,
        local_course_title=spec.local_course_title,
        method=spec.method,
        fixed_credits=spec.fixed_credits,
        hours_per_credit=spec.hours_per_credit,
        min_grade=spec.min_grade,
        max_age_days=spec.max_age_days,
        valid_from=spec.valid_from,
        valid_until=spec.valid_until,
        created_by_id=actor.id,
    )


def create_rule(
    session: Session, agreement: Agreement, actor: User, spec: RuleSpec
) -> RecognitionRule:
    """A new rule (version 1) of `agreement`. Raises `Invalid` naming the wrong field."""
    spec = checked_spec(spec)
    rule = RecognitionRule(
        agreement=agreement, institution_id=agreement.institution_id, current_version=1
    )
    session.add(rule)
    session.add(_version(rule, 1, spec, actor))
    session.flush()
    audit.record(
        session,
        institution_id=agreement.institution_id,
        actor_id=actor.id,
        action="create",
        object_type="rule",
        object_id=rule.id,
        summary=f"rule {rule.id} v1: {_describe(spec)}",
        details={"agreement_id": agreement.id, "version": 1, "rule": spec.as_json()},
    )
    return rule


def edit_rule(session: Session, rule: RecognitionRule, actor: User, spec: RuleSpec) -> RuleVersion:
    """Append a version saying `spec` (or keep the current one when nothing changed).

    Raises `Invalid` naming the wrong field, `Conflict` for a retired rule.
    """
    if rule.retired_at is not None:
        raise Conflict(_("This rule is retired; create a new one."))
    spec = checked_spec(spec)
    if RuleSpec.of(rule.current) == spec:  # equal in value (50 == 50.00), not only in text
        return rule.current
    number = max(v.version for v in rule.versions) + 1

    def append_version() -> int:
        session.add(_version(rule, number, spec, actor))
        rule.current_version = number
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:  # someone saved a version of the rule at the same moment
            raise Conflict(
                _("Someone changed this rule at the same time. Reload and try again.")
            ) from None
        return number

    audit.record_edit(
        session,
        institution_id=rule.institution_id,
        actor_id=actor.id,
        object_type="rule",
        object_id=rule.id,
        summary=f"rule {rule.id} v{number}: {_describe(spec)}",
        before=RuleSpec.of(rule.current).as_json(),
        after=spec.as_json(),
        revise=append_version,
    )
    return rule.current


def retire_rule(session: Session, rule: RecognitionRule, actor: User) -> None:
    """Stop applying a rule (its versions stay for the decisions that used them)."""
    if rule.retired_at is not None:
        return
    rule.retired_at = utcnow()
    audit.record(
        session,
        institution_id=rule.institution_id,
        actor_id=actor.id,
        action="retire",
        object_type="rule",
        object_id=rule.id,
        summary=f"retired rule {rule.id}: {_describe(RuleSpec.of(rule.current))}",
    )
    session.flush()


def _describe(spec: RuleSpec) -> str:
    source = spec.code_pattern or spec.achievement_id or ""
    return f"{source} from {spec.issuer_did} → {spec.local_course_code} {spec.local_course_title}"


def evaluation_rule(rule: RecognitionRule, version: RuleVersion) -> Rule:
    """The pure core's view of one rule version."""
    return Rule(
        id=rule.id,
        version=version.version,
        issuers=frozenset({version.issuer_did}),
        local_course=version.local_course_code,
        local_title=version.local_course_title,
        conversion=Conversion(
            version.method,
            fixed_credits=version.fixed_credits,
            hours_per_credit=version.hours_per_credit,
        ),
        achievement_id=version.achievement_id,
        code_pattern=version.code_pattern,
        min_grade=version.min_grade,
        max_age_days=version.max_age_days,
        valid_from=version.valid_from,
        valid_until=version.valid_until,
    )


@dataclass(frozen=True)
class RuleSet:
    """One agreement's rules in force (not retired), ready for the pure evaluation."""

    agreement_id: int
    cap: Decimal | None
    rules: tuple[Rule, ...]
    versions: dict[tuple[int, int], int]  # (rule id, version) → rule_version row id


def rule_sets(session: Session, university_id: int) -> list[RuleSet]:
    sets = []
    for agreement in agreements(session, university_id):
        live = [rule for rule in agreement.rules if rule.retired_at is None]
        sets.append(
            RuleSet(
                agreement_id=agreement.id,
                cap=agreement.credit_cap,
                rules=tuple(evaluation_rule(rule, rule.current) for rule in live),
                versions={(rule.id, rule.current_version): rule.current.id for rule in live},
            )
        )
    return sets
