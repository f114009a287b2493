"""Credit conversion and rule evaluation: the pure core of credit transfer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D  # noqa: N817 - keeps the figures in the tests readable

import pytest

from mooc.transfer.core.conversion import Conversion, ConversionError, Method, convert
from mooc.transfer.core.evaluation import Reason, RecordFacts, Rule, evaluate

ISSUER = "did:web:mooc.test:institutions:dai-hoc-mo-ha-noi"
TODAY = dt.date(2026, 11, 23)


def facts(**changes: object) -> RecordFacts:
    base: dict[str, object] = {
        "verified": True,
        "revoked": False,
        "expired": False,
        "issuer": ISSUER,
        "achievement_id": "https://mooc.test/achievements/intro-programming",
        "course_code": "INT1001",
        "title": "Introduction to Programming",
        "credits": D(3),
        "workload_hours": D(150),
        "grade": D("82.5"),
        "awarded": dt.date(2026, 6, 1),
    }
    base.update(changes)
    return RecordFacts(**base)  # type: ignore[arg-type]


def rule(**changes: object) -> Rule:
    base: dict[str, object] = {
        "id": 1,
        "version": 1,
        "issuers": frozenset({ISSUER}),
        "local_course": "CS101",
        "local_title": "Lập trình cơ bản",
        "conversion": Conversion(Method.SAME),
        "code_pattern": "INT1*",
        "min_grade": D(50),
        "max_age_days": 5 * 365,
    }
    base.update(changes)
    return Rule(**base)  # type: ignore[arg-type]


TRUSTED = frozenset({ISSUER})


def test_by_hours_conversion_between_tin_chi_and_ects() -> None:
    ects = Conversion(Method.BY_HOURS, hours_per_credit=D("27.5"))
    assert convert(ects, credits=D(3), workload_hours=D(150)) == D(5)  # 5.45 rounds down
    tin_chi = Conversion(Method.BY_HOURS, hours_per_credit=D(50))
    assert convert(tin_chi, credits=None, workload_hours=D(150)) == D(3)
    half = Conversion(Method.BY_HOURS, hours_per_credit=D(50), step=D("0.5"))
    assert convert(half, credits=None, workload_hours=D(125)) == D("2.5")


def test_same_and_fixed_conversion() -> None:
    assert convert(Conversion(Method.SAME), credits=D("2.7"), workload_hours=None) == D("2.5")
    assert convert(
        Conversion(Method.FIXED, fixed_credits=D(4)), credits=None, workload_hours=None
    ) == D(4)
    with pytest.raises(ConversionError):
        convert(
            Conversion(Method.BY_HOURS, hours_per_credit=D(50)), credits=D(3), workload_hours=None
        )
    with pytest.raises(ValueError, match="hours per credit"):
        Conversion(Method.BY_HOURS)


def test_matching_rule_recognises_credits() -> None:
    proposal = evaluate(facts(), [rule()], trusted_issuers=TRUSTED, today=TODAY)
    assert proposal.recognised
    assert proposal.credits == D(3)
    assert proposal.rule is not None
    assert proposal.rule.local_course == "CS101"
    assert proposal.reasons == (Reason.MATCHED,)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"verified": False}, Reason.NOT_VERIFIED),
        ({"revoked": True}, Reason.REVOKED),
        ({"revoked": None}, Reason.STATUS_UNKNOWN),
        ({"expired": True}, Reason.EXPIRED),
        ({"issuer": "did:key:z6MkStranger"}, Reason.ISSUER_NOT_TRUSTED),
        ({"course_code": "MAT2002"}, Reason.NO_RULE),
        ({"grade": D(40)}, Reason.GRADE_BELOW_MINIMUM),
        ({"grade": None}, Reason.GRADE_MISSING),
        ({"awarded": dt.date(2015, 1, 1)}, Reason.TOO_OLD),
    ],
)
def test_each_refusal_names_its_reason(changes: dict[str, object], reason: Reason) -> None:
    proposal = evaluate(facts(**changes), [rule()], trusted_issuers=TRUSTED, today=TODAY)
    assert not proposal.recognised
    assert proposal.credits == 0
    assert reason in proposal.reasons


def test_rule_validity_dates_and_exact_achievement_match() -> None:
    expired_rule = rule(valid_until=dt.date(2026, 1, 1))
    proposal = evaluate(facts(), [expired_rule], trusted_issuers=TRUSTED, today=TODAY)
    assert proposal.reasons == (Reason.RULE_NOT_IN_FORCE,)
    exact = rule(code_pattern=None, achievement_id="https://mooc.test/achievements/other")
    assert evaluate(facts(), [exact], trusted_issuers=TRUSTED, today=TODAY).reasons == (
        Reason.NO_RULE,
    )


def test_a_later_rule_applies_when_an_earlier_one_does_not() -> None:
    strict = rule(id=1, min_grade=D(90))
    lenient = rule(id=2, min_grade=D(50), conversion=Conversion(Method.FIXED, fixed_credits=D(2)))
    proposal = evaluate(facts(), [strict, lenient], trusted_issuers=TRUSTED, today=TODAY)
    assert proposal.recognised
    assert proposal.rule is lenient
    assert proposal.credits == D(2)


def test_cap_limits_and_then_blocks_credits() -> None:
    capped = evaluate(
        facts(), [rule()], trusted_issuers=TRUSTED, today=TODAY, credits_so_far=D(8), cap=D(10)
    )
    assert capped.recognised
    assert capped.credits == D(2)
    assert Reason.CAPPED in capped.reasons
    full = evaluate(
        facts(), [rule()], trusted_issuers=TRUSTED, today=TODAY, credits_so_far=D(10), cap=D(10)
    )
    assert not full.recognised
    assert full.reasons == (Reason.CAP_REACHED,)


def test_a_course_is_recognised_only_once() -> None:
    proposal = evaluate(
        facts(),
        [rule()],
        trusted_issuers=TRUSTED,
        today=TODAY,
        recognised_courses=frozenset({"CS101"}),
    )
    assert proposal.reasons == (Reason.ALREADY_RECOGNISED,)
