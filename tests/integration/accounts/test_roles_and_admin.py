"""Who may administer, and what administrators do: people, roles and institutions."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, InstitutionKind, Membership, Role, User
from mooc.accounts.queries import get_institution
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from, login

ADMIN_PAGES = ["/admin/people", "/admin/institutions"]


@pytest.fixture
def admin(client: FlaskClient, session: Session) -> FlaskClient:
    """The client, logged in (in English) as an administrator of the ministry."""
    person = make_user(session, ("bo-giao-duc", Role.ADMIN), name="Quản Trị Viên")
    session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert login(client, person.email, PASSWORD).status_code == 303
    return client


def memberships(session: Session, user: User) -> set[tuple[str, Role]]:
    rows = session.execute(
        select(Institution.slug, Membership.role)
        .join(Membership.institution)
        .where(Membership.user_id == user.id)
    ).all()
    return {(slug, role) for slug, role in rows}


# --- who may come in -------------------------------------------------------------------------


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_a_visitor_is_sent_to_log_in_and_back(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    target = urlsplit(response.location)
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == [url]


@pytest.mark.parametrize("url", [*ADMIN_PAGES, "/admin/people/1"])
@pytest.mark.parametrize(
    "roles", [(), (("thcs-ba-dinh", Role.STUDENT),)], ids=["no-role", "student"]
)
def test_a_person_without_the_admin_role_is_forbidden(
    client: FlaskClient, session: Session, url: str, roles: tuple[tuple[str, Role], ...]
) -> None:
    person = make_user(session, *roles)
    session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, person.email, PASSWORD)
    response = client.get(url)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "You do not have access to this page" in page
    assert "Administration" not in client.get("/").get_data(as_text=True)


def test_a_teacher_cannot_grant_roles(client: FlaskClient, session: Session) -> None:
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER))
    session.commit()
    login(client, teacher.email, PASSWORD)
    school = get_institution(session, "thcs-ba-dinh")
    response = client.post(
        f"/admin/people/{teacher.id}",
        data={
            "institution": str(school.id),
            "role": "admin",
            "csrf_token": csrf_from(client, "/"),
        },
    )
    assert response.status_code == 403
    assert memberships(session, teacher) == {("thcs-ba-dinh", Role.TEACHER)}


# --- people ----------------------------------------------------------------------------------


def test_the_admin_sees_the_list_of_people(admin: FlaskClient, session: Session) -> None:
    make_user(session, name="Đặng Thu Thảo", email="thao@example.test")
    session.commit()
    home = admin.get("/").get_data(as_text=True)
    assert 'href="/admin/people"' in home
    response = admin.get("/admin/people")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Đặng Thu Thảo" in page
    assert "thao@example.test" in page
    assert "Quản Trị Viên" in page
    assert "Administrator (bo-giao-duc)" in page


def test_searching_people_by_name_or_email(admin: FlaskClient, session: Session) -> None:
    make_user(session, name="Đặng Thu Thảo", email="thao@example.test")
    make_user(session, name="Hoàng Văn Minh", email="minh@school.test")
    session.commit()
    by_email = admin.get("/admin/people?q=SCHOOL.test").get_data(as_text=True)
    assert "Hoàng Văn Minh" in by_email
    assert "Đặng Thu Thảo" not in by_email
    assert "1 person" in by_email
    by_name = admin.get("/admin/people?q=thu+th").get_data(as_text=True)
    assert "thao@example.test" in by_name
    assert "minh@school.test" not in by_name
    nobody = admin.get("/admin/people?q=zzz-nobody").get_data(as_text=True)
    assert "0 people" in nobody


def test_opening_a_person_shows_their_roles(admin: FlaskClient, session: Session) -> None:
    person = make_user(session, name="Đặng Thu Thảo")
    session.commit()
    list_page = admin.get("/admin/people?q=thu").get_data(as_text=True)
    assert f'href="/admin/people/{person.id}"' in list_page
    page = admin.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert "Đặng Thu Thảo" in page
    assert person.email in page
    assert "No roles: this person can learn, but not teach or administer." in page
    assert admin.get("/admin/people/999999").status_code == 404


def test_granting_and_revoking_a_role(
    app: Flask, admin: FlaskClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mooc.accounts.services")
    person = make_user(session, name="Đặng Thu Thảo")
    session.commit()
    school = get_institution(session, "thcs-ba-dinh")
    url = f"/admin/people/{person.id}"
    token = csrf_from(admin, url)

    granted = admin.post(
        url, data={"institution": str(school.id), "role": "teacher", "csrf_token": token}
    )
    assert granted.status_code == 303
    assert granted.location == url
    page = admin.get(url).get_data(as_text=True)
    assert "Role granted." in page
    assert "Trường THCS Ba Đình — Teacher" in page
    assert memberships(session, person) == {("thcs-ba-dinh", Role.TEACHER)}
    admin_id = session.scalar(select(Membership.user_id).where(Membership.role == Role.ADMIN))
    granted_line = (
        f"admin {admin_id} granted the role teacher at institution {school.id} "
        f"to account {person.id}"
    )
    assert granted_line in caplog.messages

    # The new teacher can now open the teaching pages.
    teacher = app.test_client()
    login(teacher, person.email, PASSWORD)
    assert teacher.get("/teach/").status_code == 200

    revoked = admin.post(
        f"{url}/revoke",
        data={"institution": str(school.id), "role": "teacher", "csrf_token": token},
    )
    assert revoked.status_code == 303
    page = admin.get(url).get_data(as_text=True)
    assert "Role removed." in page
    assert "No roles" in page
    assert memberships(session, person) == set()
    assert teacher.get("/teach/").status_code == 403
    revoked_line = (
        f"admin {admin_id} revoked the role teacher at institution {school.id} "
        f"from account {person.id}"
    )
    assert revoked_line in caplog.messages


def test_granting_the_same_role_twice_keeps_one(admin: FlaskClient, session: Session) -> None:
    person = make_user(session)
    session.commit()
    school = get_institution(session, "thpt-chu-van-an")
    url = f"/admin/people/{person.id}"
    token = csrf_from(admin, url)
    for _ in range(2):
        response = admin.post(
            url, data={"institution": str(school.id), "role": "staff", "csrf_token": token}
        )
        assert response.status_code == 303
    assert memberships(session, person) == {("thpt-chu-van-an", Role.STAFF)}


@pytest.mark.parametrize(
    ("role", "institution"),
    [("emperor", "school"), ("", "school"), ("teacher", "not-a-number")],
)
def test_revoking_with_a_bogus_role_is_a_bad_request(
    admin: FlaskClient, session: Session, role: str, institution: str
) -> None:
    school = get_institution(session, "thcs-ba-dinh")
    person = make_user(session, ("thcs-ba-dinh", Role.TEACHER))
    session.commit()
    url = f"/admin/people/{person.id}"
    response = admin.post(
        f"{url}/revoke",
        data={
            "institution": str(school.id) if institution == "school" else institution,
            "role": role,
            "csrf_token": csrf_from(admin, url),
        },
    )
    assert response.status_code == 400
    assert memberships(session, person) == {("thcs-ba-dinh", Role.TEACHER)}


# --- institutions ----------------------------------------------------------------------------


def test_creating_an_institution(admin: FlaskClient, session: Session) -> None:
    token = csrf_from(admin, "/admin/institutions")
    response = admin.post(
        "/admin/institutions",
        data={
            "slug": "thcs-le-loi",
            "name": "Trường THCS Lê Lợi",
            "kind": "school",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    page = admin.get("/admin/institutions").get_data(as_text=True)
    assert "Institution saved." in page
    assert "Trường THCS Lê Lợi" in page
    assert "<code>thcs-le-loi</code>" in page
    created = get_institution(session, "thcs-le-loi")
    assert (created.name, created.kind) == ("Trường THCS Lê Lợi", InstitutionKind.SCHOOL)

    # The new institution is offered when granting a role.
    person = make_user(session)
    session.commit()
    assert "Trường THCS Lê Lợi" in admin.get(f"/admin/people/{person.id}").get_data(as_text=True)


@pytest.mark.parametrize("slug", ["Bad Slug", "trường-lê-lợi", "-leading-hyphen", "a_b"])
def test_an_institution_with_a_bad_slug_is_refused(
    admin: FlaskClient, session: Session, slug: str
) -> None:
    before = session.scalars(select(Institution.slug)).all()
    response = admin.post(
        "/admin/institutions",
        data={
            "slug": slug,
            "name": "Trường Lê Lợi",
            "kind": "school",
            "csrf_token": csrf_from(admin, "/admin/institutions"),
        },
    )
    assert response.status_code == 422
    assert "Use lowercase letters, digits and hyphens." in response.get_data(as_text=True)
    assert session.scalars(select(Institution.slug)).all() == before


def test_granting_a_student_role_with_the_universitys_student_number(
    admin: FlaskClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mooc.accounts.services")
    person, other = make_user(session, name="Vũ Minh Khoa"), make_user(session)
    session.commit()
    university = get_institution(session, "dai-hoc-mo-ha-noi")
    url = f"/admin/people/{person.id}"
    token = csrf_from(admin, url)
    form = {"institution": str(university.id), "role": "student", "csrf_token": token}

    assert admin.post(url, data={**form, "student_number": "SV20260001"}).status_code == 303
    page = admin.get(url).get_data(as_text=True)
    assert "Trường Đại học Mở Hà Nội — Student, student number SV20260001" in page
    # granting again with another number replaces it, still one membership
    assert admin.post(url, data={**form, "student_number": "SV20260002"}).status_code == 303
    rows = session.execute(
        select(Membership.student_number).where(Membership.user_id == person.id)
    ).all()
    assert [row[0] for row in rows] == ["SV20260002"]
    # Each change is logged with who made it (the number itself, personal data, is not).
    changes = [m for m in caplog.messages if f"account {person.id}" in m]
    assert [m.split(" ", 2)[2] for m in changes] == [
        f"granted the role student at institution {university.id} to account {person.id}"
        ", with a student number",
        f"replaced the student number of account {person.id} at institution {university.id}",
    ]
    assert not any("SV2026" in m for m in caplog.messages)
    # granting again with the same number changes nothing, and logs nothing
    assert admin.post(url, data={**form, "student_number": "SV20260002"}).status_code == 303
    assert len([m for m in caplog.messages if f"account {person.id}" in m]) == 2

    taken = admin.post(
        f"/admin/people/{other.id}",
        data={
            **form,
            "csrf_token": csrf_from(admin, f"/admin/people/{other.id}"),
            "student_number": "SV20260002",
        },
    )
    assert taken.status_code == 409
    assert "has the number SV20260002" in taken.get_data(as_text=True)
    staff = admin.post(
        f"/admin/people/{other.id}",
        data={
            **form,
            "role": "staff",
            "csrf_token": csrf_from(admin, f"/admin/people/{other.id}"),
            "student_number": "X1",
        },
    )
    assert staff.status_code == 422
    assert "students have a student number." in staff.get_data(as_text=True)
    assert memberships(session, other) == set()
