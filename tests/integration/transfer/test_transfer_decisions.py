"""Evaluation and decisions: reasons in words (both languages), accept / adjust / reject,
append-only decisions keeping their rule version, and the signed recognition record."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.credentials.core.identity import identifies
from mooc.credentials.models import IssuedCredential
from mooc.errors import Conflict, Invalid
from mooc.transfer import queries as transfer_queries
from mooc.transfer.models import AppendOnly, Decision, ItemState, Outcome, RequestItem
from mooc.transfer.reasons import item_reasons, reason_sentence
from mooc.transfer.services import rules, trust
from mooc.transfer.services.decisions import (
    Adjustment,
    ProposalChanged,
    ProposalKey,
    reevaluate,
)
from tests.helpers import BASE_URL, csrf_from, in_language, login
from tests.integration.transfer.partner import (
    INTRO,
    STATS,
    TODAY,
    issue,
    partner,
    set_up_partner,
    staff,
    stats_rule,
    student,
    verifier,
)
from tests.integration.transfer.partner import decide_item as _decide
from tests.integration.transfer.partner import sent_item as _item

pytestmark = pytest.mark.usefixtures("signing")


def test_reasons_are_told_in_words_in_english_and_vietnamese(app: Flask, session: Session) -> None:
    learner, officer = student(session), staff(session)
    record = issue(app, session, learner, STATS)
    agreement = set_up_partner(session, officer)
    stats = next(r for r in agreement.rules if r.current.local_course_code == "MA2020")
    rules.edit_rule(session, stats, officer, stats_rule(min_grade=Decimal(101) - 1))
    item = _item(app, session, learner, record)
    assert item.proposal_recognised  # a grade of 100 meets 100
    rules.edit_rule(session, stats, officer, stats_rule(code_pattern="MAT9*"))
    reevaluate(
        session,
        partner(session),
        item,
        verifier=verifier(app, session),
        base_url=BASE_URL,
        today=TODAY,
    )
    assert item.reasons == ["no_rule"]
    assert in_language(app, "en", item_reasons, item) == [
        "No recognition rule of this university covers this achievement."
    ]
    (vietnamese,) = in_language(app, "vi", item_reasons, item)
    assert vietnamese != "No recognition rule of this university covers this achievement."
    assert "quy tắc" in vietnamese.lower()


def test_an_issuer_the_university_does_not_trust_is_named_as_the_reason(
    app: Flask, session: Session
) -> None:
    learner, officer = student(session), staff(session)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    university = partner(session)
    for issuer in transfer_queries.live_issuers(session, university.id):
        trust.remove_trusted_issuer(session, university, officer, issuer.id)
    item = _item(app, session, learner, record)
    assert item.verified  # authentic: the platform verified it
    assert not item.proposal_recognised
    assert item.reasons == ["issuer_not_trusted"]
    assert in_language(app, "en", item_reasons, item) == [
        "The issuer is not on this university's list of trusted issuers."
    ]


def test_accepting_issues_a_signed_record_the_platform_verifies(
    app: Flask, session: Session
) -> None:
    learner, officer = student(session), staff(session)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _item(app, session, learner, record)
    decision = _decide(app, session, officer, item, Outcome.ACCEPTED, expected=ProposalKey.of(item))
    assert item.state == ItemState.ACCEPTED
    assert decision.credits == Decimal(2)
    assert decision.local_course_code == "MA2020"
    assert decision.rule_version is not None
    assert decision.rule_version.version == 1
    assert decision.decided_by_id == officer.id
    credential = decision.credential
    assert credential is not None
    assert credential.user_id == learner.id
    assert credential.institution_id == partner(session).id
    document = json.loads(credential.document)
    assert document["issuer"]["id"] == "did:web:mooc.test:institutions:dai-hoc-da-nang"
    subject = document["credentialSubject"]
    assert subject["creditsEarned"] == 2
    assert subject["achievement"]["humanCode"] == "MA2020"
    assert subject["achievement"]["achievementType"] == "ext:CreditRecognition"
    assert [evidence["id"] for evidence in document["evidence"]] == [f"urn:uuid:{record.uuid}"]
    assert identifies(subject, email=learner.email)
    report = verifier(app, session).verify(document)
    assert report.verified, report.verification.errors
    assert not report.warnings


def test_the_recognition_record_verifies_on_the_public_page_and_downloads(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    learner, officer = student(session, email="mai.dl@example.test"), staff(session)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _item(app, session, learner, record)
    decision = _decide(app, session, officer, item, Outcome.ACCEPTED)
    assert decision.credential is not None
    session.commit()
    login(client, "mai.dl@example.test", "correct horse battery")
    page = client.get(f"/transfer/requests/{item.request_id}").get_data(as_text=True)
    assert "MA2020 Xác suất thống kê" in page
    assert "2 credits recognised by Đại học Đà Nẵng" in page
    link = re.search(r'href="(/records/[^"]+/credential\.json)"', page)
    assert link is not None
    downloaded = client.get(link.group(1))
    assert downloaded.status_code == 200
    assert downloaded.headers["Content-Disposition"].startswith("attachment")
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    token = csrf_from(client, "/verify")
    answer = client.post(
        "/verify",
        data={"csrf_token": token, "credential_json": downloaded.get_data(as_text=True)},
        headers={"Accept-Language": "en"},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Valid: this record is authentic, unchanged, from a trusted issuer and in force." in html
    assert "Đại học Đà Nẵng" in html


def test_adjusting_needs_a_comment_and_records_other_credits_and_course(
    app: Flask, session: Session
) -> None:
    learner, officer = student(session), staff(session)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _item(app, session, learner, record)
    change = Adjustment(Decimal("1.5"), "MA2021", "Thống kê ứng dụng")
    with pytest.raises(Invalid) as missing:
        _decide(app, session, officer, item, Outcome.ADJUSTED, adjustment=change, comment="  ")
    assert missing.value.field == "comment"
    assert item.decisions == []
    decision = _decide(
        app,
        session,
        officer,
        item,
        Outcome.ADJUSTED,
        adjustment=change,
        comment="Only the statistics half matches our syllabus.",
    )
    assert item.state == ItemState.ADJUSTED
    assert (decision.credits, decision.local_course_code) == (Decimal("1.5"), "MA2021")
    assert decision.comment == "Only the statistics half matches our syllabus."
    assert decision.credential is not None
    assert json.loads(decision.credential.document)["credentialSubject"]["creditsEarned"] == 1.5


def test_decisions_are_append_only_and_a_new_one_revokes_the_old_record(
    app: Flask, session: Session
) -> None:
    learner, officer = student(session), staff(session)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _item(app, session, learner, record)
    first = _decide(app, session, officer, item, Outcome.ACCEPTED)
    session.commit()
    first.comment = "rewritten"
    with pytest.raises(AppendOnly):
        session.flush()
    session.rollback()
    item = session.get(RequestItem, item.id)
    assert item is not None
    first = item.decisions[0]
    session.delete(first)
    with pytest.raises(AppendOnly):
        session.flush()
    session.rollback()
    item = session.get(RequestItem, item.id)
    assert item is not None
    second = _decide(app, session, officer, item, Outcome.REJECTED, comment="Wrong programme.")
    assert [d.outcome for d in item.decisions] == [Outcome.ACCEPTED, Outcome.REJECTED]
    assert item.state == ItemState.REJECTED
    assert second.credential is None
    old = session.get(IssuedCredential, item.decisions[0].credential_id)
    assert old is not None
    assert old.is_revoked
    assert f"decision {second.id}" in (old.revocation_reason or "")
    rows = session.scalars(select(Decision).where(Decision.item_id == item.id)).all()
    assert len(rows) == 2


def test_decisions_keep_the_rule_version_they_used(app: Flask, session: Session) -> None:
    learner, other, officer = student(session), student(session), staff(session)
    first_record = issue(app, session, learner, STATS)
    second_record = issue(app, session, other, STATS)
    agreement = set_up_partner(session, officer)
    rule = next(r for r in agreement.rules if r.current.local_course_code == "MA2020")
    first = _decide(
        app, session, officer, _item(app, session, learner, first_record), Outcome.ACCEPTED
    )
    rules.edit_rule(
        session, rule, officer, stats_rule(method=rules.Method.FIXED, fixed_credits=Decimal(4))
    )
    second = _decide(
        app, session, officer, _item(app, session, other, second_record), Outcome.ACCEPTED
    )
    assert first.rule_version is not None
    assert second.rule_version is not None
    assert (first.rule_version.version, first.credits) == (1, Decimal(2))
    assert (second.rule_version.version, second.credits) == (2, Decimal(4))
    assert [v.version for v in rule.versions] == [1, 2]


def test_a_proposal_changed_since_it_was_shown_is_not_accepted_blindly(
    app: Flask, session: Session
) -> None:
    learner, officer = student(session), staff(session)
    record = issue(app, session, learner, STATS)
    agreement = set_up_partner(session, officer)
    item = _item(app, session, learner, record)
    shown = ProposalKey.of(item)
    rule = next(r for r in agreement.rules if r.current.local_course_code == "MA2020")
    rules.edit_rule(
        session, rule, officer, stats_rule(method=rules.Method.FIXED, fixed_credits=Decimal(1))
    )
    with pytest.raises(ProposalChanged):
        _decide(app, session, officer, item, Outcome.ACCEPTED, expected=shown)
    assert item.proposal_credits == Decimal(1)  # the fresh proposal is kept for review
    assert item.decisions == []
    decision = _decide(app, session, officer, item, Outcome.ACCEPTED, expected=ProposalKey.of(item))
    assert decision.credits == Decimal(1)


def test_cap_and_repeats_limit_what_is_recognised(app: Flask, session: Session) -> None:
    learner, officer = student(session), staff(session)
    intro = issue(app, session, learner, INTRO)
    stats = issue(app, session, learner, STATS)
    set_up_partner(session, officer, cap=Decimal(4))
    intro_item = _item(app, session, learner, intro)
    _decide(app, session, officer, intro_item, Outcome.ACCEPTED)  # 3 of 4 credits
    stats_item = _item(app, session, learner, stats)
    assert stats_item.proposal_recognised
    assert stats_item.proposal_credits == Decimal(1)
    assert stats_item.reasons == ["matched", "capped"]
    with pytest.raises(Invalid) as over:
        _decide(
            app,
            session,
            officer,
            stats_item,
            Outcome.ADJUSTED,
            adjustment=Adjustment(Decimal(2), "MA2020", "Xác suất thống kê"),
            comment="Full credits.",
        )
    assert over.value.field == "credits"
    with pytest.raises(Conflict):
        _decide(
            app,
            session,
            officer,
            stats_item,
            Outcome.ADJUSTED,
            adjustment=Adjustment(Decimal(1), "IT1010", "Nhập môn lập trình"),
            comment="Same course again.",
        )


def test_a_tampered_record_is_not_verified_and_cannot_be_recognised(
    app: Flask, session: Session
) -> None:
    learner, officer = student(session), staff(session)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _item(app, session, learner, record)
    document = json.loads(item.document)
    document["credentialSubject"]["creditsEarned"] = 20
    item.document = json.dumps(document)
    with pytest.raises(Conflict):
        _decide(app, session, officer, item, Outcome.ACCEPTED)
    assert not item.verified
    assert item.reasons == ["not_verified"]
    rejected = _decide(app, session, officer, item, Outcome.REJECTED, comment="Tampered.")
    assert rejected.outcome == Outcome.REJECTED


def test_staff_decide_on_the_item_page(app: Flask, session: Session, client: FlaskClient) -> None:
    learner, officer = student(session), staff(session, email="binh.decide@example.test")
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _item(app, session, learner, record)
    session.commit()
    login(client, "binh.decide@example.test", "correct horse battery")
    url = f"/university/dai-hoc-da-nang/items/{item.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Proposed: recognise as MA2020 Xác suất thống kê for 2 credits." in page
    assert "A recognition rule applies" in page
    token = csrf_from(client, url)
    no_comment = client.post(
        url + "/adjust",
        data={
            "adjust-csrf_token": token,
            "adjust-credits": "1",
            "adjust-course_code": "MA2020",
            "adjust-course_title": "X",
            "adjust-comment": "",
        },
    )
    assert no_comment.status_code == 422
    assert item.decisions == []
    accepted = client.post(
        url + "/accept",
        data={
            "accept-csrf_token": token,
            "accept-credits": str(item.proposal_credits),
            "accept-course_code": "MA2020",
            "accept-rule_version": str(item.proposal_rule_version_id),
        },
    )
    assert accepted.status_code == 303
    after = client.get(url).get_data(as_text=True)
    assert "Your decision is recorded." in after
    assert "Accepted as proposed" in after


def test_rejecting_asks_for_confirmation_and_a_reason(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    learner, officer = student(session), staff(session, email="binh.reject@example.test")
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _item(app, session, learner, record)
    session.commit()
    login(client, "binh.reject@example.test", "correct horse battery")
    url = f"/university/dai-hoc-da-nang/items/{item.id}"
    page = client.get(url).get_data(as_text=True)
    assert f'href="{url}/reject"' in page  # a link to the confirmation, not a decision
    assert 'class="button danger"' in page
    asked = client.get(url + "/reject")
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert "The student sees that the record is not recognised, with your reason." in text
    assert 'class="danger"' in text
    assert item.decisions == []
    token = csrf_from(client, url + "/reject")
    for blank in ("", "   "):
        refused = client.post(url + "/reject", data={"csrf_token": token, "comment": blank})
        assert refused.status_code == 422
        assert "Give the reason for not recognising the record." in refused.get_data(as_text=True)
    assert item.decisions == []
    done = client.post(url + "/reject", data={"csrf_token": token, "comment": "Wrong programme."})
    assert done.status_code == 303
    assert [(d.outcome, d.comment) for d in item.decisions] == [
        (Outcome.REJECTED, "Wrong programme.")
    ]


def test_a_rejection_without_a_reason_is_refused_by_the_service(
    app: Flask, session: Session
) -> None:
    learner, officer = student(session), staff(session, email="binh.noreason@example.test")
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _item(app, session, learner, record)
    with pytest.raises(Invalid) as refused:
        _decide(app, session, officer, item, Outcome.REJECTED, comment="  ")
    assert refused.value.field == "comment"
    assert item.decisions == []


def test_the_decision_page_has_unique_ids_and_each_label_points_at_its_field(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    learner, officer = student(session), staff(session, email="binh.ids@example.test")
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _item(app, session, learner, record)
    session.commit()
    login(client, "binh.ids@example.test", "correct horse battery")
    page = client.get(f"/university/dai-hoc-da-nang/items/{item.id}").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    labels = re.findall(r'<label for="([^"]+)"', page)
    assert {"adjust-credits", "adjust-course_code", "adjust-comment"} <= set(labels)
    for target in labels:
        assert len(re.findall(rf'<(?:input|select|textarea)[^>]*\sid="{target}"', page)) == 1


def test_the_same_decision_sent_twice_is_recorded_once(app: Flask, session: Session) -> None:
    learner, officer = student(session), staff(session)
    record = issue(app, session, learner, STATS)
    set_up_partner(session, officer)
    item = _item(app, session, learner, record)
    first = _decide(app, session, officer, item, Outcome.ACCEPTED, expected=ProposalKey.of(item))
    again = _decide(app, session, officer, item, Outcome.ACCEPTED, expected=ProposalKey.of(item))
    assert again.id == first.id
    assert len(item.decisions) == 1
    assert first.credential is not None
    assert not first.credential.is_revoked
    issued = session.scalars(
        select(IssuedCredential).where(
            IssuedCredential.user_id == learner.id,
            IssuedCredential.institution_id == partner(session).id,
        )
    ).all()
    assert len(issued) == 1


def test_a_minimum_grade_is_a_number_of_the_readers_language(app: Flask) -> None:
    def sentence() -> str:
        return reason_sentence("grade_below_minimum", {"min_grade": "72.50"})

    assert in_language(app, "en", sentence) == (
        "The grade is below the rule's minimum of 72.5 out of 100."
    )
    assert "72,5" in in_language(app, "vi", sentence)
