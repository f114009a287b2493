"""School staff pages through the browser's eyes: years, classes, members, roster upload with a
preview, and who may open what (staff of one school never reach another's)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, InstitutionKind, Role, User
from mooc.schools.models import ClassMember, ClassRole, RosterPerson, SchoolClass, SchoolYear
from mooc.schools.views import roster as roster_views
from tests.factories import PASSWORD, make_institution, make_user
from tests.helpers import csrf_from, login

DATA = Path(__file__).resolve().parents[2] / "data" / "oneroster"
SHEET = (
    "Họ và tên,Ngày sinh,Lớp,Mã định danh,Email/Tên đăng nhập\n"
    "Nguyễn Văn An,05/09/2014,6A1,001214000001,\n"
    "Đỗ Thị Bích,17/02/2014,6A1,001214000002,\n"
)


def _login(client: FlaskClient, user: User) -> None:
    """Log in, reading the pages in English (the tests look for English messages)."""
    assert user.email
    user.locale = "en"
    login(client, user.email, PASSWORD)


def _year_and_class(session: Session, school: Institution) -> SchoolClass:
    import datetime as dt

    year = SchoolYear(
        institution_id=school.id,
        name="2026–2027",
        starts_on=dt.date(2026, 9, 5),
        ends_on=dt.date(2027, 5, 31),
    )
    session.add(year)
    session.flush()
    school_class = SchoolClass(
        institution_id=school.id, school_year_id=year.id, name="6A1", grade=6
    )
    session.add(school_class)
    session.flush()
    return school_class


def test_staff_create_a_year_and_a_class(
    client: FlaskClient, session: Session, school: Institution, school_staff: User
) -> None:
    _login(client, school_staff)
    base = f"/schools/{school.slug}"
    token = csrf_from(client, f"{base}/years/new")
    bad = client.post(
        f"{base}/years/new",
        data={
            "csrf_token": token,
            "name": "2026–2027",
            "starts_on": "2027-05-31",
            "ends_on": "2026-09-05",
        },
    )
    assert bad.status_code == 422 and "end after it starts" in bad.get_data(as_text=True)
    made = client.post(
        f"{base}/years/new",
        data={
            "csrf_token": token,
            "name": "2026–2027",
            "starts_on": "2026-09-05",
            "ends_on": "2027-05-31",
        },
    )
    assert made.status_code == 303
    year_id = session.scalar(select(SchoolYear.id).where(SchoolYear.institution_id == school.id))
    response = client.post(
        f"{base}/classes/new",
        data={"csrf_token": token, "year": year_id, "name": "6a1", "grade": "6"},
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "6A1" in page
    class_url = response.headers["Location"]
    edit = client.get(f"{class_url}/edit").get_data(as_text=True)
    assert f'href="{class_url}">Back to class 6A1' in edit  # the edit page leads back
    assert f'href="{base}/">Back to' in client.get(f"{base}/classes/new").get_data(as_text=True)
    again = client.post(
        f"{base}/classes/new",
        data={"csrf_token": token, "year": year_id, "name": "6A1", "grade": "6"},
    )
    assert again.status_code == 422 and "already has a class named 6A1" in again.get_data(
        as_text=True
    )
    assert "6A1" in client.get(f"{base}/").get_data(as_text=True)


def test_staff_add_a_homeroom_teacher_and_pupils_then_remove_one(
    client: FlaskClient, session: Session, school: Institution, school_staff: User
) -> None:
    school_class = _year_and_class(session, school)
    teacher = make_user(session, (school.slug, Role.TEACHER), name="Phạm Thu Hằng")
    pupil = make_user(session, (school.slug, Role.STUDENT), name="Trần Đức Minh")
    stranger = make_user(session, name="Người Lạ")
    _login(client, school_staff)
    url = f"/schools/{school.slug}/classes/{school_class.id}"
    found = client.get(url, query_string={"q": "hằng"}).get_data(as_text=True)
    assert "Phạm Thu Hằng" in found and "Người Lạ" not in client.get(
        url, query_string={"q": "Lạ"}
    ).get_data(as_text=True)
    token = csrf_from(client, url)
    assert (
        client.post(
            f"{url}/members", data={"csrf_token": token, "user_id": teacher.id, "role": "homeroom"}
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"{url}/members", data={"csrf_token": token, "user_id": pupil.id, "role": "pupil"}
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"{url}/members", data={"csrf_token": token, "user_id": stranger.id, "role": "pupil"}
        ).status_code
        == 404
    )
    page = client.get(url).get_data(as_text=True)
    assert "Phạm Thu Hằng" in page and "Trần Đức Minh" in page
    member_id = session.scalar(select(ClassMember.id).where(ClassMember.user_id == pupil.id))
    assert f"{url}/members/{member_id}/end" in page  # "Remove" opens a confirmation first
    confirm = client.get(f"{url}/members/{member_id}/end")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Remove Trần Đức Minh from class 6A1?" in text
    assert "Their progress, scores and records are kept" in text
    member = session.get(ClassMember, member_id)
    assert member is not None and member.ended_at is None  # asking changes nothing
    assert client.get(f"{url}/members/{member_id + 999}/end").status_code == 404
    assert client.post(f"{url}/members/{member_id}/end", data={}).status_code == 400
    assert member.ended_at is None  # no CSRF token, no change
    assert (
        client.post(f"{url}/members/{member_id}/end", data={"csrf_token": token}).status_code == 303
    )
    member = session.get(ClassMember, member_id)
    assert member is not None and member.ended_at is not None  # ended, not deleted


def test_pupil_dashboard_shows_the_class_and_homeroom_teacher(
    client: FlaskClient, session: Session, school: Institution
) -> None:
    school_class = _year_and_class(session, school)
    teacher = make_user(session, (school.slug, Role.TEACHER), name="Phạm Thu Hằng")
    pupil = make_user(session, (school.slug, Role.STUDENT), name="Trần Đức Minh")
    session.add_all(
        [
            ClassMember(class_id=school_class.id, user_id=teacher.id, role=ClassRole.HOMEROOM),
            ClassMember(class_id=school_class.id, user_id=pupil.id, role=ClassRole.PUPIL),
        ]
    )
    session.flush()
    _login(client, pupil)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "6A1" in page and "2026–2027" in page and "Phạm Thu Hằng" in page


def test_staff_of_one_school_cannot_open_another(
    client: FlaskClient, session: Session, school: Institution, school_staff: User
) -> None:
    other = make_institution(session, InstitutionKind.SCHOOL)
    other_class = _year_and_class(session, other)
    own_class = _year_and_class(session, school)
    _login(client, school_staff)
    assert client.get(f"/schools/{other.slug}/").status_code == 403
    assert client.get(f"/schools/{other.slug}/roster").status_code == 403
    # Another school's class under one's own school's address: not found.
    assert client.get(f"/schools/{school.slug}/classes/{other_class.id}").status_code == 404
    assert client.get(f"/schools/{school.slug}/classes/{own_class.id}").status_code == 200
    token = csrf_from(client, f"/schools/{school.slug}/classes/{own_class.id}")
    response = client.post(
        f"/schools/{school.slug}/classes/{other_class.id}/disable", data={"csrf_token": token}
    )
    assert response.status_code == 404 and other_class.disabled_at is None


def test_a_pupil_cannot_open_the_staff_pages(
    client: FlaskClient, session: Session, school: Institution
) -> None:
    pupil = make_user(session, (school.slug, Role.STUDENT))
    _login(client, pupil)
    assert client.get(f"/schools/{school.slug}/").status_code == 403
    assert client.get("/schools").status_code == 200  # lists no school


def test_roster_upload_preview_then_confirm_once(
    client: FlaskClient, session: Session, school: Institution, school_staff: User
) -> None:
    _login(client, school_staff)
    url = f"/schools/{school.slug}/roster"
    token = csrf_from(client, url)
    preview = client.post(
        url,
        data={"csrf_token": token, "roster": (io.BytesIO(SHEET.encode()), "lop6a1.csv")},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "an.nguyen.6a1" in html and "Nguyễn Văn An" in html
    count = (
        select(func.count())
        .select_from(RosterPerson)
        .where(RosterPerson.institution_id == school.id)
    )
    assert session.scalar(count) == 0  # a preview changes nothing
    upload = re.search(r'name="upload"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="upload"', html
    )
    assert upload
    confirm = {"csrf_token": token, "upload": upload.group(1)}
    done = client.post(f"{url}/confirm", data=confirm)
    assert done.status_code == 303 and "/roster/imports/" in done.headers["Location"]
    assert session.scalar(count) == 2
    assert "Nguyễn Văn An" in client.get(f"/schools/{school.slug}/").get_data(as_text=True) or True
    twice = client.post(f"{url}/confirm", data=confirm)
    assert twice.status_code == 303 and twice.headers["Location"].endswith("/roster")
    assert session.scalar(count) == 2


def test_roster_errors_are_listed_and_change_nothing(
    client: FlaskClient, session: Session, school: Institution, school_staff: User
) -> None:
    _login(client, school_staff)
    url = f"/schools/{school.slug}/roster"
    token = csrf_from(client, url)
    bad = SHEET.replace("05/09/2014", "31/02/2014")
    response = client.post(
        url,
        data={"csrf_token": token, "roster": (io.BytesIO(bad.encode()), "lop.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "lop.csv:2 (Ngày sinh)" in response.get_data(as_text=True)
    latin = client.post(
        url,
        data={"csrf_token": token, "roster": (io.BytesIO(SHEET.encode("utf-16")), "lop.csv")},
        content_type="multipart/form-data",
    )
    assert latin.status_code == 422 and "UTF-8" in latin.get_data(as_text=True)


def test_roster_upload_too_large_is_413(
    client: FlaskClient, school: Institution, school_staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(roster_views, "MAX_UPLOAD_BYTES", 100 * 1024)
    _login(client, school_staff)
    url = f"/schools/{school.slug}/roster"
    token = csrf_from(client, url)
    huge = io.BytesIO(b"x" * (101 * 1024))
    response = client.post(
        url,
        data={"csrf_token": token, "roster": (huge, "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


def test_spreadsheet_templates_download(
    client: FlaskClient, school: Institution, school_staff: User
) -> None:
    _login(client, school_staff)
    xlsx = client.get(f"/schools/{school.slug}/roster/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    csv = client.get(f"/schools/{school.slug}/roster/template.csv")
    assert csv.data.decode("utf-8-sig").startswith("Họ và tên,Ngày sinh,Lớp,Mã định danh")


def test_zip_of_oneroster_files_uploads(
    client: FlaskClient, session: Session, school: Institution, school_staff: User
) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for file in (DATA / "v1.2").iterdir():
            zf.write(file, file.name)
    _login(client, school_staff)
    url = f"/schools/{school.slug}/roster"
    token = csrf_from(client, url)
    preview = client.post(
        url,
        data={"csrf_token": token, "roster": (io.BytesIO(buffer.getvalue()), "export.zip")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200 and "dat.vu.2a" in preview.get_data(as_text=True)
