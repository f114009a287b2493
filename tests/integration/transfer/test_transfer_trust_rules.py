"""A university's trust list and its agreements and rules: pre-filled trust, added and removed
issuers, versioned rules, validation, and the audit log of every change."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.errors import Conflict, Invalid
from mooc.transfer import audit
from mooc.transfer import queries as transfer_queries
from mooc.transfer.core.conversion import Method
from mooc.transfer.models import (
    AppendOnly,
    IssuerOrigin,
    RecognitionRule,
    RuleVersion,
    TransferAuditEntry,
)
from mooc.transfer.services import rules, trust
from tests.helpers import BASE_URL, csrf_from, login
from tests.integration.transfer.partner import (
    STATS,
    intro_rule,
    issue,
    issuing_did,
    partner,
    staff,
    student,
)
from tests.unit.credentials.samples import DID_KEY

pytestmark = pytest.mark.usefixtures("signing")


def _actions(session: Session, university_id: int) -> list[str]:
    return [
        entry.action
        for entry in session.scalars(
            select(TransferAuditEntry)
            .where(TransferAuditEntry.institution_id == university_id)
            .order_by(TransferAuditEntry.id)
        )
    ]


def test_trust_starts_from_the_platform_list_and_staff_keep_it(
    app: Flask, session: Session
) -> None:
    issue(app, session, student(session), STATS)  # the issuing university now has a key
    officer = staff(session)
    university = partner(session)
    dids = trust.trusted_dids(session, university, BASE_URL)
    assert issuing_did() in dids
    (copied,) = [
        i for i in transfer_queries.live_issuers(session, university.id) if i.did == issuing_did()
    ]
    assert copied.origin == IssuerOrigin.PLATFORM
    trust.remove_trusted_issuer(session, university, officer, copied.id)
    # Removed issuers are not copied back on their own …
    assert issuing_did() not in trust.trusted_dids(session, university, BASE_URL)
    # … only when staff ask for the platform's list again.
    added = trust.add_platform_issuers(session, university, BASE_URL, officer)
    assert issuing_did() in {row.did for row in added}
    external = trust.add_trusted_issuer(
        session, university, officer, did=" did:web:dhbk.edu.vn ", name="  ĐH Bách khoa  "
    )
    assert (external.did, external.name, external.origin) == (
        "did:web:dhbk.edu.vn",
        "ĐH Bách khoa",
        IssuerOrigin.ADDED,
    )
    trust.add_trusted_issuer(session, university, officer, did=DID_KEY, name="A wallet issuer")
    with pytest.raises(Conflict):
        trust.add_trusted_issuer(session, university, officer, did=DID_KEY, name="Again")
    for bad in ("https://dhbk.edu.vn", "did:key:z6MkNotAKey", "did:web:", "did:example:123"):
        with pytest.raises(Invalid):
            trust.add_trusted_issuer(session, university, officer, did=bad, name="Bad")
    with pytest.raises(Invalid):
        trust.add_trusted_issuer(session, university, officer, did="did:web:x.edu", name=" ")
    assert _actions(session, university.id) == ["trust", "distrust", "trust", "trust", "trust"]


def test_rules_are_versioned_and_every_change_is_audited(app: Flask, session: Session) -> None:
    officer = staff(session)
    university = partner(session)
    agreement = rules.create_agreement(
        session, university, officer, name="HOU", partner="Trường ĐH Mở", credit_cap=Decimal(30)
    )
    rule = rules.create_rule(session, agreement, officer, intro_rule())
    assert rule.current.version == 1
    assert rule.current.code_pattern == "INT1001"
    same = rules.edit_rule(session, rule, officer, intro_rule())
    assert same.version == 1  # nothing changed, no version
    second = rules.edit_rule(
        session, rule, officer, intro_rule(method=Method.FIXED, fixed_credits=Decimal(4))
    )
    assert (second.version, rule.current_version) == (2, 2)
    first = rule.versions[0]
    assert (first.method, first.hours_per_credit) == (Method.BY_HOURS, Decimal(50))
    assert second.hours_per_credit is None  # only what the method uses is kept
    rules.update_agreement(
        session, agreement, officer, name="HOU online", partner="", credit_cap=None
    )
    rules.retire_rule(session, rule, officer)
    assert rule.retired_at is not None
    assert rules.rule_sets(session, university.id)[0].rules == ()
    with pytest.raises(Conflict):
        rules.edit_rule(session, rule, officer, intro_rule())
    with pytest.raises(Conflict):
        rules.create_agreement(session, university, officer, name="HOU online")
    assert _actions(session, university.id) == ["create", "create", "edit", "edit", "retire"]
    entries = audit.entries(session, university.id).items
    assert entries[0].actor_id == officer.id
    assert "IT1010" in entries[-2].summary
    # Versions and the log are append-only.
    first.local_course_title = "changed"
    with pytest.raises(AppendOnly):
        session.flush()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code_pattern": None}, "code_pattern"),
        ({"achievement_id": "urn:x:1"}, "code_pattern"),  # both ways at once
        ({"code_pattern": "INT1001; DROP"}, "code_pattern"),
        ({"local_course_code": ""}, "local_course_code"),
        ({"local_course_title": " "}, "local_course_title"),
        ({"method": Method.BY_HOURS, "hours_per_credit": None}, "hours_per_credit"),
        ({"method": Method.FIXED, "fixed_credits": Decimal(61)}, "fixed_credits"),
        ({"min_grade": Decimal(101)}, "min_grade"),
        ({"max_age_days": 0}, "max_age_days"),
        ({"issuer_did": "not a did"}, "did"),
    ],
)
def test_a_rule_that_makes_no_sense_is_refused_on_its_field(
    session: Session, changes: dict[str, object], field: str
) -> None:
    officer = staff(session)
    agreement = rules.create_agreement(session, partner(session), officer, name="Checks")
    with pytest.raises(Invalid) as refused:
        rules.create_rule(session, agreement, officer, intro_rule(**changes))
    assert refused.value.field == field
    saved = session.scalars(
        select(RuleVersion)
        .join(RecognitionRule, RecognitionRule.id == RuleVersion.rule_id)
        .where(RecognitionRule.agreement_id == agreement.id)
    ).all()
    assert saved == []


def test_staff_keep_trust_agreements_and_rules_on_their_pages(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    issue(app, session, student(session), STATS)
    staff(session, email="binh.rules@example.test")
    session.commit()
    login(client, "binh.rules@example.test", "correct horse battery")
    base = "/university/dai-hoc-da-nang"
    trust_page = client.get(f"{base}/trust").get_data(as_text=True)
    assert issuing_did() in trust_page  # pre-filled from the platform
    added = client.post(
        f"{base}/trust",
        data={"csrf_token": csrf_from(client, f"{base}/trust"), "did": DID_KEY, "name": "Wallet"},
    )
    assert added.status_code == 303
    bad = client.post(
        f"{base}/trust",
        data={"csrf_token": csrf_from(client, f"{base}/trust"), "did": "nope", "name": "X"},
    )
    assert bad.status_code == 422
    created = client.post(
        f"{base}/agreements",
        data={
            "csrf_token": csrf_from(client, f"{base}/agreements"),
            "name": "Mở Hà Nội",
            "credit_cap": "30",
        },
    )
    assert created.status_code == 303
    agreement_url = created.headers["Location"]
    new_rule = f"{agreement_url}/rules/new"
    form = {
        "csrf_token": csrf_from(client, new_rule),
        "issuer_did": issuing_did(),
        "match_by": "code",
        "code_pattern": "int1*",
        "local_course_code": "it1010",
        "local_course_title": "Nhập môn lập trình",
        "method": "by_hours",
        "hours_per_credit": "50",
        "min_grade": "50",
        "max_age_days": "1",
    }
    saved = client.post(new_rule, data=form)
    assert saved.status_code == 303
    listing = client.get(agreement_url).get_data(as_text=True)
    assert "at most 1 day old" in listing  # the singular
    assert "INT1*" in listing
    assert "IT1010 Nhập môn lập trình" in listing
    found = re.search(r'href="(/university/dai-hoc-da-nang/rules/\d+)"', listing)
    assert found is not None
    rule_url = found.group(1)
    edit = client.get(rule_url).get_data(as_text=True)
    assert 'value="INT1*"' in edit
    changed = client.post(
        rule_url,
        data={**form, "csrf_token": csrf_from(client, rule_url), "min_grade": "60"},
    )
    assert changed.status_code == 303
    history = client.get(rule_url).get_data(as_text=True)
    assert "v2" in history
    assert "v1" in history
    log = client.get(f"{base}/audit").get_data(as_text=True)
    assert "rule" in log
    assert "Wallet" in log
