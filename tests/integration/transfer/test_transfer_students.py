"""A university's staff set the numbers it knows its students by: a page of that university's
students (paged, searchable without diacritics), a form per student to set or clear the number
(one student per number, a clash is a 409 naming it), each change in the university's change
log; nobody else reaches them."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from mooc.accounts.models import Membership, Role, User
from mooc.transfer.models import TransferAuditEntry
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from, login
from tests.integration.transfer.partner import ISSUING, PARTNER, partner, staff

PAGE = f"/university/{PARTNER}/students"
OFFICER = "binh.students@example.test"


@pytest.fixture
def students(session: Session) -> dict[str, User]:
    """Two students of Đại học Đà Nẵng, one of the issuing university, and the partner's staff."""
    people = {
        "mai": make_user(session, (PARTNER, Role.STUDENT), name="Lò Thị Mai"),
        "an": make_user(session, (PARTNER, Role.STUDENT), name="Nguyễn Văn An"),
        "other": make_user(session, (ISSUING, Role.STUDENT), name="Trần Minh Khoa"),
    }
    staff(session, email=OFFICER)
    session.commit()
    return people


def _number(session: Session, user: User) -> str | None:
    session.expire_all()
    return session.scalar(
        select(Membership.student_number).where(
            Membership.user_id == user.id, Membership.institution_id == partner(session).id
        )
    )


def _set(client: FlaskClient, user: User, number: str, url: str = PAGE) -> TestResponse:
    token = csrf_from(client, url)
    return client.post(
        url,
        data={"csrf_token": token, "student": str(user.id), f"s{user.id}-student_number": number},
    )


def _log(session: Session) -> list[tuple[str, str]]:
    rows = session.scalars(
        select(TransferAuditEntry)
        .where(TransferAuditEntry.institution_id == partner(session).id)
        .order_by(TransferAuditEntry.id)
    )
    return [(row.action, row.summary) for row in rows]


def test_staff_see_their_students_and_find_them_without_diacritics(
    client: FlaskClient, students: dict[str, User]
) -> None:
    login(client, OFFICER, PASSWORD)
    queue = client.get(f"/university/{PARTNER}").get_data(as_text=True)
    assert f'href="{PAGE}"' in queue  # linked from the staff navigation
    page = client.get(PAGE).get_data(as_text=True)
    assert "Lò Thị Mai" in page and "Nguyễn Văn An" in page
    assert "Trần Minh Khoa" not in page  # another university's student
    assert "2 students" in page
    found = client.get(f"{PAGE}?q=lo+thi").get_data(as_text=True)
    assert "Lò Thị Mai" in found and "Nguyễn Văn An" not in found
    assert "No student found." in client.get(f"{PAGE}?q=khoa").get_data(as_text=True)


def test_the_list_is_paged(client: FlaskClient, session: Session) -> None:
    for n in range(26):
        make_user(session, (PARTNER, Role.STUDENT), name=f"Sinh Viên {n:02d}")
    staff(session, email=OFFICER)
    session.commit()
    login(client, OFFICER, PASSWORD)
    first = client.get(PAGE).get_data(as_text=True)
    assert "26 students" in first and "Page 1 of 2" in first
    assert "Sinh Viên 24" in first and "Sinh Viên 25" not in first
    second = client.get(f"{PAGE}?page=2").get_data(as_text=True)
    assert "Sinh Viên 25" in second and "Sinh Viên 00" not in second


def test_staff_set_and_clear_a_number_and_the_change_is_logged(
    client: FlaskClient, session: Session, students: dict[str, User]
) -> None:
    mai = students["mai"]
    login(client, OFFICER, PASSWORD)
    saved = _set(client, mai, "  DN2025 001 ", url=f"{PAGE}?q=mai")
    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"{PAGE}?q=mai")
    assert _number(session, mai) == "DN2025 001"  # trimmed
    shown = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "The student number of Lò Thị Mai is DN2025 001." in shown
    assert 'value="DN2025 001"' in shown

    assert _set(client, mai, "DN2025-002").status_code == 303
    cleared = _set(client, mai, "   ")
    assert cleared.status_code == 303
    assert _number(session, mai) is None
    assert "is cleared" in client.get(PAGE).get_data(as_text=True)
    assert _log(session) == [
        ("student-number", "student number of Lò Thị Mai: DN2025 001"),
        ("student-number", "student number of Lò Thị Mai: DN2025-002 (was DN2025 001)"),
        ("student-number", "student number of Lò Thị Mai cleared (was DN2025-002)"),
    ]
    assert "student number of Lò Thị Mai cleared" in client.get(
        f"/university/{PARTNER}/audit"
    ).get_data(as_text=True)
    assert _set(client, mai, "").status_code == 303  # clearing again changes nothing …
    assert len(_log(session)) == 3  # … and logs nothing


def test_an_administrators_number_changes_are_in_the_universitys_change_log_too(
    app: Flask, client: FlaskClient, session: Session, students: dict[str, User]
) -> None:
    """The university's staff see every change of their students' numbers, whoever made it:
    an administrator's grant with a number, its replacement and the role's removal."""
    admin = make_user(session, ("bo-giao-duc", Role.ADMIN), name="Quản Trị Viên")
    khoa = make_user(session, name="Hà Văn Khoa")
    session.commit()
    university = partner(session)
    login(client, admin.email, PASSWORD)
    url = f"/admin/people/{khoa.id}"
    form = {"institution": str(university.id), "role": "student"}
    for number in ("DN-7", "DN-8", "DN-8"):  # the same number again changes nothing
        token = csrf_from(client, url)
        granted = client.post(url, data={**form, "student_number": number, "csrf_token": token})
        assert granted.status_code == 303
    token = csrf_from(client, url)
    assert client.post(f"{url}/revoke", data={**form, "csrf_token": token}).status_code == 303

    assert _log(session) == [
        ("student-number", "student number of Hà Văn Khoa: DN-7"),
        ("student-number", "student number of Hà Văn Khoa: DN-8 (was DN-7)"),
        ("student-number", "student number of Hà Văn Khoa cleared (was DN-8)"),
    ]
    actors = session.scalars(
        select(TransferAuditEntry.actor_id).where(
            TransferAuditEntry.institution_id == university.id
        )
    ).all()
    assert set(actors) == {admin.id}
    officer = app.test_client()
    login(officer, OFFICER, PASSWORD)
    shown = officer.get(f"/university/{PARTNER}/audit").get_data(as_text=True)
    assert "student number of Hà Văn Khoa: DN-8 (was DN-7)" in shown
    assert "Quản Trị Viên" in shown


def test_a_number_another_student_has_is_a_conflict(
    client: FlaskClient, session: Session, students: dict[str, User]
) -> None:
    login(client, OFFICER, PASSWORD)
    assert _set(client, students["mai"], "DN001").status_code == 303
    clash = _set(client, students["an"], "DN001")
    assert clash.status_code == 409
    page = clash.get_data(as_text=True)
    assert "Another student of Đại học Đà Nẵng has the number DN001." in page
    assert re.search(r'aria-invalid="true"', page)
    assert _number(session, students["an"]) is None
    assert _number(session, students["mai"]) == "DN001"


def test_a_number_too_long_is_refused(
    client: FlaskClient, session: Session, students: dict[str, User]
) -> None:
    login(client, OFFICER, PASSWORD)
    refused = _set(client, students["mai"], "9" * 41)
    assert refused.status_code == 422
    assert "40" in refused.get_data(as_text=True)
    assert _number(session, students["mai"]) is None
    assert _set(client, students["mai"], "9" * 40).status_code == 303


def test_nobody_else_sets_numbers_and_no_other_student_is_reached(
    client: FlaskClient, session: Session, students: dict[str, User]
) -> None:
    staff(session, slug=ISSUING, email="other.students@example.test")
    session.commit()
    # Anonymous: sent to log in.
    assert client.get(PAGE).status_code == 302
    # Staff of another university, and a student of this one: 403, nothing changed.
    for email in ("other.students@example.test", str(students["mai"].email)):
        login(client, email, PASSWORD)
        assert client.get(PAGE).status_code == 403
        token = csrf_from(client, "/")
        refused = client.post(
            PAGE,
            data={
                "csrf_token": token,
                "student": str(students["an"].id),
                f"s{students['an'].id}-student_number": "X1",
            },
        )
        assert refused.status_code == 403
        client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    assert _number(session, students["an"]) is None
    # This university's staff reach only its students: another's, or nobody, is not found.
    login(client, OFFICER, PASSWORD)
    assert _set(client, students["other"], "X2").status_code == 404
    token = csrf_from(client, PAGE)
    for student in ("999999", "abc", ""):
        answer = client.post(PAGE, data={"csrf_token": token, "student": student})
        assert answer.status_code == 404, student
    # Without the CSRF token, nothing is saved.
    answer = client.post(
        PAGE, data={"student": str(students["an"].id), f"s{students['an'].id}-student_number": "Y"}
    )
    assert answer.status_code == 400
    assert _number(session, students["an"]) is None
    assert _log(session) == []
