"""The editor's SCORM pages: a teacher uploads a zip as a lecture of a section (a refused one
says why and adds nothing), then sets whether its score counts in the final grade."""

from __future__ import annotations

import io

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from mooc.accounts.models import User
from mooc.catalog.models import Course, Lecture, ScormPackage
from tests.factories import PASSWORD
from tests.helpers import csrf_from, login
from tests.scorm_packages import build_package, build_zip


def _upload(client: FlaskClient, course: Course, data: bytes, title: str = "") -> TestResponse:
    url = f"/author/courses/{course.slug}/sections/{course.sections[0].id}/scorm"
    form = {
        "csrf_token": csrf_from(client, url),
        "package": (io.BytesIO(data), "bai.zip"),
        "title": title,
    }
    return client.post(url, data=form, content_type="multipart/form-data")


def test_a_teacher_uploads_a_package_and_counts_its_score(
    session: Session, client: FlaskClient, teacher: User, course: Course
) -> None:
    login(client, teacher.email or "", PASSWORD)
    response = _upload(client, course, build_package("2004", "Gói mới"), title="Bài SCORM")
    assert response.status_code == 303
    lecture = session.scalars(
        select(Lecture).where(Lecture.course_id == course.id, Lecture.title == "Bài SCORM")
    ).one()
    settings = response.headers["Location"]
    assert settings.endswith(f"/lectures/{lecture.slug}/scorm")
    page = client.get(settings).get_data(as_text=True)
    assert "Gói mới" in page and "SCORM 2004" in page
    saved = client.post(
        settings,
        data={"csrf_token": csrf_from(client, settings), "counts_in_grade": "y", "weight": "3"},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303
    package = session.scalars(
        select(ScormPackage).where(ScormPackage.lecture_id == lecture.id)
    ).one()
    session.refresh(package)
    assert (package.counts_in_grade, package.weight) == (True, 3)
    structure = client.get(f"/author/courses/{course.slug}").get_data(as_text=True)
    assert f"/lectures/{lecture.slug}/scorm" in structure


def test_a_refused_upload_shows_the_reason_and_adds_no_lecture(
    session: Session, client: FlaskClient, teacher: User, course: Course
) -> None:
    login(client, teacher.email or "", PASSWORD)
    before = session.scalar(select(func.count()).select_from(Lecture))
    response = _upload(client, course, build_zip({"index.html": "<p>no manifest</p>"}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "không có tệp imsmanifest.xml ở thư mục gốc của tệp zip" in page  # the default language
    assert session.scalar(select(func.count()).select_from(Lecture)) == before


def test_a_vietnamese_teacher_reads_the_refusal_reason_in_vietnamese(
    session: Session, client: FlaskClient, teacher: User, course: Course
) -> None:
    teacher.locale = "vi"
    session.commit()
    login(client, teacher.email or "", PASSWORD)
    response = _upload(client, course, build_zip({"index.html": "<p>no manifest</p>"}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "không có tệp imsmanifest.xml ở thư mục gốc của tệp zip" in page
    assert "there is no imsmanifest.xml" not in page
    # A reason with its parameters: the path is kept as the zip wrote it.
    leaving = _upload(client, course, build_package(extra={"../tron.html": "x"}))
    assert leaving.status_code == 422
    assert "đường dẫn “../tron.html” đi ra ngoài gói (..)" in leaving.get_data(as_text=True)


def test_an_english_teacher_reads_the_refusal_reason_in_english(
    session: Session, client: FlaskClient, teacher: User, course: Course
) -> None:
    teacher.locale = "en"
    session.commit()
    login(client, teacher.email or "", PASSWORD)
    leaving = _upload(client, course, build_package(extra={"../tron.html": "x"}))
    assert leaving.status_code == 422
    assert "the path “../tron.html” leaves the package (..)" in leaving.get_data(as_text=True)
