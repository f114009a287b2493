"""The transfer API for a university's own systems: its token reads only its own items, each
operation needs its scope, a decision made through the API is the one staff and the student
see, and evaluating a record stores nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.api.models import ApiScope
from mooc.api.services import create_token
from mooc.credentials.issuers import institution_by_slug
from mooc.db import utcnow
from mooc.transfer import queries as transfer_queries
from mooc.transfer.models import Decision, ItemState, Outcome, RequestItem, TrustedIssuer
from mooc.transfer.services import trust
from tests.factories import PASSWORD
from tests.helpers import login
from tests.integration.api.tokens import PEPPER
from tests.integration.transfer.partner import (
    ISSUING,
    STATS,
    issue,
    partner,
    send,
    set_up_partner,
    staff,
    student,
)

TRANSFER_SCOPES = (ApiScope.REQUESTS_READ, ApiScope.DECISIONS_WRITE, ApiScope.RECORDS_EVALUATE)


pytestmark = pytest.mark.usefixtures("pepper")


@dataclass
class Setup:
    officer: User
    learner: User
    item: RequestItem
    record_document: dict[str, object]


def _setup(app: Flask, session: Session) -> Setup:
    """Đại học Đà Nẵng recognises the seed courses; a student sent it a statistics record."""
    officer, learner = staff(session), student(session)
    set_up_partner(session, officer)
    record = issue(app, session, learner, STATS)
    result = send(app, session, learner, record)
    session.commit()
    return Setup(officer, learner, result.request.items[0], json.loads(record.document))


def _token(
    session: Session,
    maker: User,
    slug: str = "dai-hoc-da-nang",
    scopes: tuple[ApiScope, ...] = TRANSFER_SCOPES,
) -> dict[str, str]:
    issued = create_token(
        session,
        institution=institution_by_slug(session, slug),
        name="Registrar",
        scopes=list(scopes),
        created_by=maker,
        pepper=PEPPER,
        now=utcnow(),
    )
    session.commit()
    return {"Authorization": f"Bearer {issued.plaintext}", "Accept-Language": "en"}


def _browser(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert login(client, user.email, PASSWORD).status_code == 303
    return client


def test_a_university_lists_and_reads_only_its_own_items(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    setup = _setup(app, session)
    mine = _token(session, setup.officer)
    listed = client.get("/api/v1/transfer/requests", headers=mine)
    assert listed.status_code == 200
    body = listed.get_json()
    assert body["total"] == 1 and body["page"] == 1
    (item,) = body["items"]
    assert item["id"] == setup.item.id
    assert item["requestId"] == setup.item.request_id
    assert item["state"] == "pending"
    assert item["student"] == {
        "name": setup.learner.name,
        "email": setup.learner.email,
        "username": None,
    }
    assert item["record"]["courseCode"] == "MAT2002"
    assert item["record"]["credits"] == 2
    assert item["record"]["issuer"].endswith(ISSUING)
    assert {check["status"] for check in item["checks"]} <= {"passed", "failed", "unknown"}
    assert item["proposal"]["recognised"] is True
    assert item["proposal"]["course"] == {"code": "MA2020", "title": "Xác suất thống kê"}
    assert item["proposal"]["reasons"] == ["matched"]
    assert item["decision"] is None
    assert client.get(f"/api/v1/transfer/items/{setup.item.id}", headers=mine).get_json() == item
    filtered = client.get("/api/v1/transfer/requests?state=accepted", headers=mine)
    assert filtered.get_json()["items"] == []

    # Another university's token sees nothing of it, and its id is as unknown as a missing one.
    others = _token(session, staff(session, ISSUING), slug=ISSUING)
    assert client.get("/api/v1/transfer/requests", headers=others).get_json()["items"] == []
    for url in (f"/api/v1/transfer/items/{setup.item.id}", "/api/v1/transfer/items/999999"):
        answer = client.get(url, headers=others)
        assert answer.status_code == 404
        assert answer.mimetype == "application/problem+json"
    decided = client.post(
        f"/api/v1/transfer/items/{setup.item.id}/decision",
        headers=others,
        json={"outcome": "reject", "comment": "not ours"},
    )
    assert decided.status_code == 404
    assert session.scalar(select(func.count()).select_from(Decision)) == 0


@pytest.mark.parametrize(
    "query", ["page=0", "page=x", "limit=0", "limit=201", "state=lost", "page=99999999999"]
)
def test_bad_paging_or_filters_answer_422(
    app: Flask, session: Session, client: FlaskClient, query: str
) -> None:
    setup = _setup(app, session)
    answer = client.get(
        f"/api/v1/transfer/requests?{query}", headers=_token(session, setup.officer)
    )
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"


def test_each_operation_needs_its_scope(app: Flask, session: Session, client: FlaskClient) -> None:
    setup = _setup(app, session)
    reader = _token(session, setup.officer, scopes=(ApiScope.REQUESTS_READ,))
    decider = _token(session, setup.officer, scopes=(ApiScope.DECISIONS_WRITE,))
    decision_url = f"/api/v1/transfer/items/{setup.item.id}/decision"
    body = {"verifiableCredential": setup.record_document}
    refused = [
        client.post(decision_url, headers=reader, json={"outcome": "accept"}),
        client.post("/api/v1/transfer/evaluate", headers=reader, json=body),
        client.get("/api/v1/transfer/requests", headers=decider),
        client.get(f"/api/v1/transfer/items/{setup.item.id}", headers=decider),
    ]
    assert [answer.status_code for answer in refused] == [403, 403, 403, 403]
    assert refused[0].get_json()["scope"] == "decisions:write"
    assert client.get("/api/v1/transfer/requests").status_code == 401
    assert session.get(RequestItem, setup.item.id).state == ItemState.PENDING  # type: ignore[union-attr]


def test_a_decision_through_the_api_is_the_one_staff_and_the_student_see(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    setup = _setup(app, session)
    headers = _token(session, setup.officer)
    answer = client.post(
        f"/api/v1/transfer/items/{setup.item.id}/decision",
        headers=headers,
        json={"outcome": "accept", "comment": "Recognised by the registry system"},
    )
    assert answer.status_code == 201, answer.get_json()
    made = answer.get_json()
    assert made["outcome"] == "accepted"
    assert made["course"] == {"code": "MA2020", "title": "Xác suất thống kê"}
    assert made["credits"] == 2
    assert made["decidedBy"] == setup.officer.name
    assert made["recognitionRecord"].startswith("urn:uuid:")
    decision = session.get(Decision, made["id"])
    assert decision is not None and decision.decided_by_id == setup.officer.id
    assert decision.outcome == Outcome.ACCEPTED

    again = client.post(
        f"/api/v1/transfer/items/{setup.item.id}/decision",
        headers=headers,
        json={"outcome": "accept", "comment": "Recognised by the registry system"},
    )
    assert again.status_code == 200 and again.get_json()["id"] == made["id"]
    read = client.get(f"/api/v1/transfer/items/{setup.item.id}", headers=headers).get_json()
    assert read["state"] == "accepted" and read["decision"] == made

    queue = _browser(app, setup.officer).get("/university/dai-hoc-da-nang?show=decided")
    assert queue.status_code == 200
    assert setup.item.name in queue.get_data(as_text=True)
    mine = _browser(app, setup.learner).get(f"/transfer/requests/{setup.item.request_id}")
    page = mine.get_data(as_text=True)
    assert mine.status_code == 200
    assert "MA2020" in page and "Recognised by the registry system" in page


def test_adjusting_needs_a_comment_and_is_recorded_with_it(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    setup = _setup(app, session)
    headers = _token(session, setup.officer)
    url = f"/api/v1/transfer/items/{setup.item.id}/decision"
    adjustment = {"outcome": "adjust", "credits": 1.5, "course": "MA2020"}
    for comment in ({}, {"comment": "   "}):
        answer = client.post(url, headers=headers, json={**adjustment, **comment})
        assert answer.status_code == 422
        assert answer.mimetype == "application/problem+json"
        assert "adjust" in answer.get_json()["detail"]
    for comment in ({}, {"comment": "   "}):  # a rejection says why: the student reads it
        answer = client.post(url, headers=headers, json={"outcome": "reject", **comment})
        assert answer.status_code == 422
        assert answer.mimetype == "application/problem+json"
        assert "reason for not recognising" in answer.get_json()["detail"]
    for wrong in (
        {"outcome": "maybe"},
        {**adjustment, "comment": "x", "credits": "two"},
        {**adjustment, "comment": "x", "credits": 0},
        {**adjustment, "comment": "x", "course": "MA 2020"},
        {"outcome": "reject", "comment": "nul\x00"},
        [],
    ):
        assert client.post(url, headers=headers, json=wrong).status_code == 422, wrong
    not_json = client.post(url, headers=headers, data="{", content_type="application/json")
    assert not_json.status_code == 400
    assert session.scalar(select(func.count()).select_from(Decision)) == 0

    answer = client.post(
        url, headers=headers, json={**adjustment, "comment": "Only part of the syllabus"}
    )
    assert answer.status_code == 201, answer.get_json()
    made = answer.get_json()
    assert made["outcome"] == "adjusted" and made["credits"] == 1.5
    assert made["course"] == {"code": "MA2020", "title": "Xác suất thống kê"}
    assert made["comment"] == "Only part of the syllabus"


def test_accepting_a_proposal_that_no_longer_recognises_the_record_is_a_conflict(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    setup = _setup(app, session)
    headers = _token(session, setup.officer)
    university = partner(session)
    for issuer in transfer_queries.live_issuers(session, university.id):
        trust.remove_trusted_issuer(session, university, setup.officer, issuer.id)
    session.commit()
    answer = client.post(
        f"/api/v1/transfer/items/{setup.item.id}/decision",
        headers=headers,
        json={"outcome": "accept"},
    )
    assert answer.status_code == 409
    assert answer.mimetype == "application/problem+json"
    assert session.scalar(select(func.count()).select_from(Decision)) == 0


def _counts(session: Session) -> tuple[int | None, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (RequestItem, Decision, TrustedIssuer)
    )


def test_evaluating_a_record_proposes_and_stores_nothing(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    setup = _setup(app, session)
    headers = _token(session, setup.officer)
    before = _counts(session)
    body = {"verifiableCredential": setup.record_document}
    answer = client.post("/api/v1/transfer/evaluate", headers=headers, json=body)
    assert answer.status_code == 200, answer.get_json()
    (evaluation,) = answer.get_json()["evaluations"]
    assert evaluation["verified"] is True
    assert evaluation["record"]["courseCode"] == "MAT2002"
    assert evaluation["proposal"]["recognised"] is True
    assert evaluation["proposal"]["credits"] == 2
    assert evaluation["proposal"]["course"] == {"code": "MA2020", "title": "Xác suất thống kê"}
    assert evaluation["proposal"]["reasons"] == ["matched"]
    assert {check["id"] for check in evaluation["checks"]} >= {"signature", "issuer-trusted"}
    assert _counts(session) == before

    university = partner(session)
    for issuer in transfer_queries.live_issuers(session, university.id):
        trust.remove_trusted_issuer(session, university, setup.officer, issuer.id)
    session.commit()
    untrusted = client.post("/api/v1/transfer/evaluate", headers=headers, json=body)
    (evaluation,) = untrusted.get_json()["evaluations"]
    assert evaluation["proposal"]["recognised"] is False
    assert evaluation["proposal"]["reasons"] == ["issuer_not_trusted"]
    assert evaluation["proposal"]["explanations"] == [
        "The issuer is not on this university's list of trusted issuers."
    ]


def test_evaluating_refuses_what_is_not_a_record(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    setup = _setup(app, session)
    headers = _token(session, setup.officer)
    url = "/api/v1/transfer/evaluate"
    not_json = client.post(url, headers=headers, data="{", content_type="application/json")
    assert not_json.status_code == 400
    for body in ({}, {"verifiableCredential": []}, {"verifiableCredential": {"type": "X"}}):
        answer = client.post(url, headers=headers, json=body)
        assert answer.status_code == 422, body
        assert answer.mimetype == "application/problem+json"
    limit = app.config["MOOC_SETTINGS"].verify_max_kb * 1024
    huge = {"verifiableCredential": {"padding": "x" * limit}}
    assert client.post(url, headers=headers, json=huge).status_code == 413


def test_evaluating_refuses_a_record_too_complex_to_verify(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    setup = _setup(app, session)
    headers = _token(session, setup.officer)
    record = dict(setup.record_document)
    record["type"] = [*record["type"], *(f"https://x.test/t{i}" for i in range(5_000))]
    answer = client.post(
        "/api/v1/transfer/evaluate",
        headers=headers,
        json={"verifiableCredential": record},
    )
    assert answer.status_code == 413
    assert answer.mimetype == "application/problem+json"
    assert "the list $.type has more than 256 entries" in answer.get_json()["detail"]
