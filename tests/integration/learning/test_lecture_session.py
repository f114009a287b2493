"""The lecture page checks the session in its own statement (mooc.accounts.signed_in): logging
out everywhere, a deactivation, a password to choose and a changed role count on the very next
page, as on every other page; a teacher who is not enrolled still reads through their row."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.accounts import services as account_services
from mooc.accounts.models import Role, User
from mooc.accounts.queries import get_institution
from mooc.catalog.models import Course
from tests.integration.lecture_courses import generated_course, pupil_of, sign_in, teacher_of


def _course(app: Flask, session: Session, tmp_path: Path) -> Course:
    return generated_course(session, app.extensions["mooc_storage"], tmp_path, 3)


def _get(client: FlaskClient, url: str) -> tuple[int, str]:
    response = client.get(url, headers={"Accept-Language": "en"})
    return response.status_code, response.get_data(as_text=True)


def _url(course: Course, n: int) -> str:
    return f"/courses/{course.slug}/lectures/bai-{n}"


def _signed_in_reader(
    app: Flask, session: Session, tmp_path: Path, client: FlaskClient
) -> tuple[Course, User]:
    course = _course(app, session, tmp_path)
    pupil = pupil_of(session, course)
    sign_in(client, pupil)
    status, page = _get(client, _url(course, 2))
    assert status == 200 and "Học sinh" in page and "Log out" in page
    return course, pupil


def test_logging_out_everywhere_ends_the_session_on_the_next_lecture_page(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    course, pupil = _signed_in_reader(app, session, tmp_path, client)
    account_services.end_sessions(pupil)
    session.commit()
    response = client.get(_url(course, 2), headers={"Accept-Language": "en"})
    assert response.status_code == 302 and "/login" in response.location
    status, page = _get(client, _url(course, 1))  # the preview: read as a visitor
    assert status == 200 and "Học sinh" not in page and "Log in" in page


def test_a_deactivated_pupil_is_signed_out_on_the_next_lecture_page(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    course, pupil = _signed_in_reader(app, session, tmp_path, client)
    pupil.is_active = False
    session.commit()
    response = client.get(_url(course, 2), headers={"Accept-Language": "en"})
    assert response.status_code == 302 and "/login" in response.location
    status, page = _get(client, _url(course, 1))
    assert status == 200 and "Học sinh" not in page


def test_a_role_granted_or_taken_shows_in_the_header_at_once(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    course, pupil = _signed_in_reader(app, session, tmp_path, client)
    school = get_institution(session, "thcs-ba-dinh")
    assert "Teaching" not in _get(client, _url(course, 2))[1]
    account_services.grant_role(session, pupil, school, Role.TEACHER)
    account_services.grant_role(session, pupil, school, Role.STAFF)
    session.commit()
    page = _get(client, _url(course, 2))[1]
    assert "Teaching" in page and "Credit recognition" in page and ">School<" in page
    account_services.revoke_role(session, pupil, school, Role.TEACHER)
    account_services.revoke_role(session, pupil, school, Role.STAFF)
    session.commit()
    page = _get(client, _url(course, 2))[1]
    assert "Teaching" not in page and "Credit recognition" not in page and ">School<" not in page


def test_a_password_to_choose_comes_first_on_the_lecture_page(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    course, pupil = _signed_in_reader(app, session, tmp_path, client)
    pupil.must_change_password = True
    session.commit()
    response = client.get(_url(course, 2), headers={"Accept-Language": "en"})
    assert response.status_code == 303 and "/account/choose-password" in response.location


def test_a_teacher_not_enrolled_reads_and_a_stranger_is_sent_to_enrol(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    course = _course(app, session, tmp_path)
    sign_in(client, teacher_of(session, course))
    status, page = _get(client, _url(course, 2))
    assert status == 200 and "Cô Hoa" in page and "Teaching" in page
    stranger = app.test_client()
    elsewhere = generated_course(session, app.extensions["mooc_storage"], tmp_path, 4)
    other = pupil_of(session, elsewhere)  # enrolled in another course only
    sign_in(stranger, other)
    response = stranger.get(_url(course, 2), headers={"Accept-Language": "en"})
    assert response.status_code == 303 and response.location.endswith(f"/courses/{course.slug}")


def test_an_unknown_course_is_a_404_with_the_reader_still_signed_in(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    _signed_in_reader(app, session, tmp_path, client)
    status, page = _get(client, "/courses/no-such-course/lectures/bai-1")
    assert status == 404 and "Học sinh" in page
