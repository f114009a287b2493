"""Registrar exports: recognised credits per student and per period, as spreadsheet-safe CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.transfer.exports import DETAIL_HEADER, safe_cell
from mooc.transfer.models import Outcome
from mooc.transfer.services.decisions import decide
from tests.helpers import context, login
from tests.integration.transfer.partner import (
    INTRO,
    STATS,
    TODAY,
    issue,
    partner,
    send,
    set_up_partner,
    staff,
    student,
    verifier,
)

pytestmark = pytest.mark.usefixtures("signing")


def _recognise(app: Flask, session: Session, officer, learner, *records, outcome=Outcome.ACCEPTED):  # type: ignore[no-untyped-def]
    request = send(app, session, learner, *records).request
    for item in request.items:
        decide(
            session,
            officer,
            partner(session),
            item,
            outcome=outcome,
            comment="Not part of our programme." if outcome == Outcome.REJECTED else "",
            verifier=verifier(app, session),
            context=context(app),
            today=TODAY,
        )


def _rows(body: str) -> list[dict[str, str]]:
    assert body.startswith("\ufeff")  # spreadsheets then read UTF-8 (Vietnamese names)
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


def test_cells_a_spreadsheet_would_run_are_made_text() -> None:
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for dangerous in ("+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(dangerous).startswith("'")
    assert safe_cell("Nguyễn Văn An") == "Nguyễn Văn An"
    assert safe_cell(Decimal("2.0")) == "2"
    assert safe_cell(Decimal("1.5")) == "1.5"
    assert safe_cell(None) == ""


def test_the_registrar_downloads_recognised_credits_by_period(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    officer = staff(session, email="binh.csv@example.test")
    set_up_partner(session, officer)
    mai = student(session, email="mai.csv@example.test")
    mai.name = "=cmd|' /C calc'!A0"  # a name a spreadsheet would run
    an = student(session, email="an.csv@example.test")
    an.name = "Nguyễn Văn An"
    _recognise(
        app, session, officer, mai, issue(app, session, mai, STATS), issue(app, session, mai, INTRO)
    )
    _recognise(app, session, officer, an, issue(app, session, an, STATS), outcome=Outcome.REJECTED)
    session.commit()
    login(client, "binh.csv@example.test", "correct horse battery")
    today = TODAY.isoformat()
    url = f"/university/dai-hoc-da-nang/export?start={today}&end={today}&totals=detail&format=csv"
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = _rows(answer.get_data(as_text=True))
    assert list(rows[0]) == list(DETAIL_HEADER)
    assert len(rows) == 2  # the rejected record is not recognised credit
    assert {row["local_course_code"]: row["credits"] for row in rows} == {
        "MA2020": "2",
        "IT1010": "3",
    }
    assert all(row["student_name"] == "'=cmd|' /C calc'!A0" for row in rows)
    assert all(row["recognition_record_id"].startswith("urn:uuid:") for row in rows)
    assert all(row["decided_by"] == "binh.csv@example.test" for row in rows)

    totals = _rows(client.get(url.replace("totals=detail", "totals=totals")).get_data(as_text=True))
    assert totals == [
        {
            "student_email": "mai.csv@example.test",
            "student_name": "'=cmd|' /C calc'!A0",
            "courses": "2",
            "credits": "5",
        }
    ]
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    later = client.get(
        f"/university/dai-hoc-da-nang/export?start={tomorrow}&totals=detail&format=csv"
    )
    assert _rows(later.get_data(as_text=True)) == []
    page = client.get(
        f"/university/dai-hoc-da-nang/export?start={today}&end={today}&totals=detail&format=html"
    )
    assert "IT1010" in page.get_data(as_text=True)
    bad = client.get("/university/dai-hoc-da-nang/export?start=not-a-date&format=csv")
    assert bad.status_code == 422
