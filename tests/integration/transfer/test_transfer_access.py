"""Who sees what: a university's staff only their own queue, setup and items; students only
their own requests; visitors are sent to log in."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from tests.factories import make_user
from tests.helpers import csrf_from, login
from tests.integration.transfer.partner import (
    ISSUING,
    STATS,
    issue,
    send,
    set_up_partner,
    staff,
    student,
)

PASSWORD = "correct horse battery"
STAFF_PAGES = (
    "",
    "?show=decided",
    "/trust",
    "/agreements",
    "/evaluate",
    "/export",
    "/audit",
    "/students",
)


pytestmark = pytest.mark.usefixtures("signing")


@pytest.fixture
def sent(app: Flask, session: Session) -> dict[str, int]:
    """Mai's record sent to Đại học Đà Nẵng, whose staff member is Bình."""
    learner = student(session, email="mai.access@example.test")
    officer = staff(session, email="binh.access@example.test")
    agreement = set_up_partner(session, officer)
    record = issue(app, session, learner, STATS)
    request = send(app, session, learner, record).request
    session.commit()
    return {
        "request": request.id,
        "item": request.items[0].id,
        "agreement": agreement.id,
        "rule": agreement.rules[0].id,
    }


def test_visitors_are_sent_to_log_in(client: FlaskClient, sent: dict[str, int]) -> None:
    for url in (
        "/university/dai-hoc-da-nang",
        f"/university/dai-hoc-da-nang/items/{sent['item']}",
        "/records/send",
        f"/transfer/requests/{sent['request']}",
    ):
        answer = client.get(url)
        assert answer.status_code == 302, url
        assert "/login" in answer.headers["Location"]


def test_staff_of_another_university_never_see_this_ones_pages(
    session: Session, client: FlaskClient, sent: dict[str, int]
) -> None:
    staff(session, slug=ISSUING, email="other.staff@example.test")
    session.commit()
    login(client, "other.staff@example.test", PASSWORD)
    base = "/university/dai-hoc-da-nang"
    for suffix in (
        *STAFF_PAGES,
        f"/items/{sent['item']}",
        f"/agreements/{sent['agreement']}",
        f"/rules/{sent['rule']}",
        "/export?start=2020-01-01&format=csv",
    ):
        assert client.get(base + suffix).status_code == 403, suffix
    token = csrf_from(client, "/university/dai-hoc-mo-ha-noi")
    for action in ("accept", "reject", "adjust", "recheck"):
        answer = client.post(f"{base}/items/{sent['item']}/{action}", data={"csrf_token": token})
        assert answer.status_code == 403, action
    # Their own university's pages do not show the other's items either.
    own = client.get(f"/university/dai-hoc-mo-ha-noi/items/{sent['item']}")
    assert own.status_code == 404
    assert "Xác suất" not in client.get("/university/dai-hoc-mo-ha-noi").get_data(as_text=True)
    assert client.get(f"/university/dai-hoc-mo-ha-noi/rules/{sent['rule']}").status_code == 404


def test_students_and_teachers_have_no_recognition_desk(
    session: Session, client: FlaskClient, sent: dict[str, int]
) -> None:
    make_user(session, (ISSUING, Role.TEACHER), email="teacher.access@example.test")
    session.commit()
    for email in ("mai.access@example.test", "teacher.access@example.test"):
        login(client, email, PASSWORD)
        for suffix in STAFF_PAGES:
            assert client.get("/university/dai-hoc-da-nang" + suffix).status_code == 403
        client.post("/logout", data={"csrf_token": csrf_from(client, "/")})


def test_a_student_sees_only_their_own_requests(
    session: Session, client: FlaskClient, sent: dict[str, int]
) -> None:
    student(session, email="an.access@example.test")
    session.commit()
    login(client, "an.access@example.test", PASSWORD)
    assert client.get(f"/transfer/requests/{sent['request']}").status_code == 404
    token = csrf_from(client, "/transfer/requests")
    withdraw = client.post(
        f"/transfer/requests/{sent['request']}/withdraw", data={"csrf_token": token}
    )
    assert withdraw.status_code == 404
    assert "Xác suất" not in client.get("/transfer/requests").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    login(client, "mai.access@example.test", PASSWORD)
    assert client.get(f"/transfer/requests/{sent['request']}").status_code == 200


def test_the_staff_member_reaches_the_queue(client: FlaskClient, sent: dict[str, int]) -> None:
    login(client, "binh.access@example.test", PASSWORD)
    landing = client.get("/university")
    assert landing.status_code == 302
    assert landing.headers["Location"].endswith("/university/dai-hoc-da-nang")
    queue = client.get("/university/dai-hoc-da-nang").get_data(as_text=True)
    assert "Xác suất và Thống kê" in queue
    assert "mai.access@example.test" in queue
    assert client.get("/university/no-such-place").status_code == 404
