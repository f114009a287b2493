"""Records received outside the platform (uploaded or pasted JSON), evaluated by a university's
staff against its rules without any student account; external did:key issuers."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.errors import Invalid
from mooc.transfer.core.conversion import Method
from mooc.transfer.models import RequestItem
from mooc.transfer.reasons import evaluation_reasons
from mooc.transfer.services import rules, trust
from mooc.transfer.services.evaluation import evaluate_record
from mooc.transfer.services.rules import RuleSpec
from tests.helpers import BASE_URL, csrf_from, in_language, login
from tests.integration.transfer.partner import (
    STATS,
    TODAY,
    issue,
    partner,
    set_up_partner,
    staff,
    student,
    verifier,
)
from tests.unit.credentials.samples import DID_KEY, DID_KEY_METHOD, signed_record

pytestmark = pytest.mark.usefixtures("signing")


def _evaluate(app: Flask, session: Session, data: object):  # type: ignore[no-untyped-def]
    return evaluate_record(
        session,
        partner(session),
        data,
        verifier=verifier(app, session),
        base_url=BASE_URL,
        today=TODAY,
    )


def _external(**changes: object) -> dict[str, object]:
    """A CS101 record (3 credits, 150 hours, grade 8.5/10) of a did:key issuer, no status."""
    return signed_record(DID_KEY_METHOD, status=None, **changes)


def test_a_pasted_platform_record_is_evaluated_without_storing_anything(
    app: Flask, session: Session
) -> None:
    record = issue(app, session, student(session), STATS)
    set_up_partner(session, staff(session))
    (evaluation,) = _evaluate(app, session, record.document)
    assert evaluation.authentic
    assert evaluation.proposal.recognised
    assert evaluation.proposal.credits == Decimal(2)
    assert evaluation.record.course_code == "MAT2002"
    assert evaluation.record.workload_hours == Decimal(100)
    assert session.scalar(select(func.count()).select_from(RequestItem)) == 0


def test_an_external_did_key_issuer_is_evaluated_once_trusted(app: Flask, session: Session) -> None:
    officer = staff(session)
    agreement = set_up_partner(session, officer)
    university = partner(session)
    document = json.dumps(_external())
    (untrusted,) = _evaluate(app, session, document)
    assert untrusted.authentic  # did:key resolves anywhere: the signature was checked
    assert untrusted.record.grade == Decimal(85)  # 8.5 on a 0–10 scale
    assert [r.value for r in untrusted.proposal.reasons] == ["issuer_not_trusted"]

    trust.add_trusted_issuer(session, university, officer, did=DID_KEY, name="HCMUS (wallet)")
    rule = rules.create_rule(
        session,
        agreement,
        officer,
        RuleSpec(
            issuer_did=DID_KEY,
            code_pattern="CS1*",
            local_course_code="IT1010",
            local_course_title="Nhập môn lập trình",
            method=Method.BY_HOURS,
            hours_per_credit=Decimal("27.5"),  # an ECTS-minded partner: 150 h → 5 credits
            min_grade=Decimal(90),
        ),
    )
    (strict,) = _evaluate(app, session, document)
    assert [r.value for r in strict.proposal.reasons] == ["grade_below_minimum"]
    words = in_language(app, "en", evaluation_reasons, strict)
    assert words == ["The grade is below the rule's minimum of 90 out of 100."]

    rules.edit_rule(
        session,
        rule,
        officer,
        RuleSpec(
            issuer_did=DID_KEY,
            code_pattern="CS1*",
            local_course_code="IT1010",
            local_course_title="Nhập môn lập trình",
            method=Method.BY_HOURS,
            hours_per_credit=Decimal("27.5"),
            min_grade=Decimal(80),
        ),
    )
    (granted,) = _evaluate(app, session, document)
    assert granted.proposal.recognised
    assert granted.proposal.credits == Decimal(5)


def test_a_tampered_external_record_is_not_verified(app: Flask, session: Session) -> None:
    officer = staff(session)
    set_up_partner(session, officer)
    trust.add_trusted_issuer(session, partner(session), officer, did=DID_KEY, name="HCMUS")
    document = _external()
    document["credentialSubject"]["creditsEarned"] = 30  # type: ignore[index]
    (evaluation,) = _evaluate(app, session, document)
    assert not evaluation.authentic
    assert [r.value for r in evaluation.proposal.reasons] == ["not_verified"]


def test_input_that_is_not_a_course_record_is_refused(app: Flask, session: Session) -> None:
    set_up_partner(session, staff(session))
    with pytest.raises(Invalid):
        _evaluate(app, session, "{not json")
    with pytest.raises(Invalid):
        _evaluate(app, session, json.dumps({"type": ["VerifiableCredential"]}))
    with pytest.raises(Invalid):
        _evaluate(app, session, "[1, 2, 3]")


def test_staff_evaluate_a_pasted_or_uploaded_record_on_the_page(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    record = issue(app, session, student(session), STATS)
    set_up_partner(session, staff(session, email="binh.outside@example.test"))
    session.commit()
    login(client, "binh.outside@example.test", "correct horse battery")
    url = "/university/dai-hoc-da-nang/evaluate"
    assert client.get(url).status_code == 200
    pasted = client.post(
        url, data={"csrf_token": csrf_from(client, url), "credential_json": record.document}
    )
    html = pasted.get_data(as_text=True)
    assert pasted.status_code == 200
    assert "Proposed: recognise as MA2020 Xác suất thống kê for 2 credits." in html
    assert (
        "Verified: authentic, unchanged, not revoked, and its issuer is on the trust list of "
        "Đại học Đà Nẵng." in html
    )
    uploaded = client.post(
        url,
        data={
            "csrf_token": csrf_from(client, url),
            "credential_file": (io.BytesIO(json.dumps(_external()).encode()), "record.json"),
        },
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 200
    assert (
        "The issuer is not on this university&#39;s list of trusted issuers."
        in uploaded.get_data(as_text=True)
    )
    empty = client.post(url, data={"csrf_token": csrf_from(client, url)})
    assert empty.status_code == 422
    garbage = client.post(
        url, data={"csrf_token": csrf_from(client, url), "credential_json": "hello"}
    )
    assert garbage.status_code == 422
    assert "not valid JSON" in garbage.get_data(as_text=True)
