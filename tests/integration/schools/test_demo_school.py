"""The demo school (`flask demo load`): class 6A1 with 30 pupils, its homeroom teacher, and the
school's staff account; loading twice adds nothing."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.schools.models import ClassMember, ClassRole, SchoolClass
from tests.helpers import login, signing_settings


def test_demo_school_class_6a1(app: Flask, session: Session, client: FlaskClient) -> None:
    with signing_settings(app, demo=True):
        first = app.test_cli_runner().invoke(args=["demo", "load"])
        assert first.exit_code == 0, first.output
        assert "hs.6a1.30" in first.output
        second = app.test_cli_runner().invoke(args=["demo", "load"])
        assert second.exit_code == 0, second.output
        assert "hs.6a1" not in second.output
    class_id = session.scalars(select(SchoolClass.id).where(SchoolClass.name == "6A1")).one()
    pupils = session.scalar(
        select(func.count())
        .select_from(ClassMember)
        .where(ClassMember.class_id == class_id, ClassMember.role == ClassRole.PUPIL)
    )
    assert pupils == 30
    pupil = session.scalars(select(User).where(User.username == "hs.6a1.07")).one()
    assert pupil.email is None
    login(client, "school@demo.test", "demo-password")
    page = client.get(f"/schools/thcs-ba-dinh/classes/{class_id}").get_data(as_text=True)
    assert "Nguyễn Văn An" in page  # teacher@demo.test, the homeroom teacher
    assert "hs.6a1.07" in page and pupil.name in page
