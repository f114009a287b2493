"""The demo: after `flask demo load` the demo student's completed university course has its
signed record, which verifies and shows on the student's records page."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.credentials.models import IssuedCredential
from mooc.demo.accounts import DEMO_PASSWORD
from tests.helpers import login, platform_verifier, signing_settings


def test_demo_load_gives_the_demo_student_a_signed_record(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    with signing_settings(app, demo=True):
        result = app.test_cli_runner().invoke(args=["demo", "load"])
        again = app.test_cli_runner().invoke(args=["demo", "load"])

        assert result.exit_code == 0, result.output
        assert "1 signed record(s)" in result.output
        assert again.exit_code == 0 and "signed record" not in again.output
        student = session.scalars(select(User).where(User.email == "student@demo.test")).one()
        [record] = session.scalars(
            select(IssuedCredential).where(IssuedCredential.user_id == student.id)
        ).all()
        document = json.loads(record.document)
        assert document["credentialSubject"]["achievement"]["name"] == "Xác suất và Thống kê"
        # the university's record names the student and states the number it knows her by
        stated = {
            i["identityType"]: i["identityHash"]
            for i in document["credentialSubject"]["identifier"]
            if i["hashed"] is False
        }
        assert stated == {"name": "Lò Thị Mai", "ext:studentId": "SV20260517"}
        assert platform_verifier(app, session).verify(document).verified

        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        login(client, "student@demo.test", DEMO_PASSWORD)
        items = client.get("/api/v1/me/credentials").get_json()
        assert [item["name"] for item in items] == ["Xác suất và Thống kê"]
