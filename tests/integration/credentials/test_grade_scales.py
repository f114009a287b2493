"""Grades on the scales learners and registrars use: 10-point everywhere, and at university the
letter grade and 4-point value of TT08/2021 — in the signed record and on every page showing it."""

from __future__ import annotations

import html
import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.catalog.models import Course
from mooc.credentials.models import IssuedCredential
from mooc.credentials.services.issuing import issue_completion_record
from mooc.learning import queries as learning_queries
from tests.factories import complete
from tests.helpers import context, csrf_from, login
from tests.integration.transfer.partner import (
    STATS,
    send,
    set_up_partner,
    staff,
    student,
    verifier,
)

SCHOOL = "tieng-viet-lop-1"
PASSWORD = "correct horse battery"


pytestmark = pytest.mark.usefixtures("signing")


def graded_record(
    app: Flask, session: Session, user: User, grade: float, slug: str = STATS
) -> IssuedCredential:
    """`user` completes `slug`; the final grade is set to `grade` before the record is signed."""
    complete(session, user, slug)
    course = session.scalars(select(Course).where(Course.slug == slug)).one()
    completion = learning_queries.completion(session, user.id, course.id)
    assert completion is not None
    completion.final_grade = grade
    record = issue_completion_record(session, completion, context(app))
    session.commit()
    return record


def text(markup: str) -> str:
    """What a reader sees: no tags, entities decoded, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split()).replace(" /", "/")


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return text(response.get_data(as_text=True))


def test_a_university_record_states_the_grade_on_every_tt08_scale_and_verifies(
    app: Flask, session: Session
) -> None:
    record = graded_record(app, session, student(session), 84.5)
    subject = json.loads(record.document)["credentialSubject"]
    results = subject["result"]
    assert [r["value"] for r in results] == ["84.5", "8.5", "A", "4.0"]  # 8.45 rounds up to 8.5
    kinds = {d["id"]: d["resultType"] for d in subject["achievement"]["resultDescription"]}
    assert [kinds[r["resultDescription"]] for r in results[1:]] == [
        "ScaledScore",
        "LetterGrade",
        "GradePointAverage",
    ]
    letters = next(
        d for d in subject["achievement"]["resultDescription"] if d["resultType"] == "LetterGrade"
    )
    assert [level["name"] for level in letters["rubricCriterionLevel"]] == [
        "A",
        "B+",
        "B",
        "C+",
        "C",
        "D+",
        "D",
        "F",
    ]
    assert results[2]["achievedLevel"].endswith("#letter-grade-A")
    assert letters["requiredLevel"].endswith("#letter-grade-D")
    assert verifier(app, session).verify(json.loads(record.document)).verified


def test_a_school_record_states_the_ten_point_grade_only(app: Flask, session: Session) -> None:
    record = graded_record(app, session, student(session), 79.5, SCHOOL)
    results = json.loads(record.document)["credentialSubject"]["result"]
    assert [r["value"] for r in results] == ["79.5", "8.0"]


def test_dashboard_course_and_record_pages_show_the_scales(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    learner = student(session, email="an.scales@example.test")
    record = graded_record(app, session, learner, 84.5)
    login(client, "an.scales@example.test", PASSWORD)
    shown = "8.5/10 · A · 4.0/4 (84.5/100)"
    assert shown in page(client, "/dashboard")
    assert f"with a final grade of {shown}" in page(client, f"/courses/{STATS}")
    assert shown in page(client, f"/records/{record.uuid}")


def test_vietnamese_pages_write_scores_with_a_decimal_comma(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    learner = student(session, email="lan.scales@example.test", locale="vi")
    graded_record(app, session, learner, 84.5, SCHOOL)
    login(client, "lan.scales@example.test", PASSWORD)
    dashboard = page(client, "/dashboard")
    assert "8,5/10" in dashboard
    assert "/4" not in dashboard  # no letter or 4-point value for school courses


def test_transfer_pages_show_the_grade_the_record_states(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    learner = student(session, email="mai.scales@example.test")
    officer = staff(session, email="binh.scales@example.test")
    record = graded_record(app, session, learner, 72.0)
    set_up_partner(session, officer)
    sent = send(app, session, learner, record)
    session.commit()
    shown = "7.2/10 · B · 3.0/4 (72/100)"
    login(client, "mai.scales@example.test", PASSWORD)
    assert shown in page(client, f"/transfer/requests/{sent.request.id}")
    client.get("/logout")
    login(client, "binh.scales@example.test", PASSWORD)
    item = sent.request.items[0]
    assert shown in page(client, f"/university/dai-hoc-da-nang/items/{item.id}")
    evaluate = "/university/dai-hoc-da-nang/evaluate"
    evaluated = client.post(
        evaluate,
        data={"csrf_token": csrf_from(client, evaluate), "credential_json": record.document},
    )
    assert shown in text(evaluated.get_data(as_text=True))
