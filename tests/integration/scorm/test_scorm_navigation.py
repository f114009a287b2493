"""Moving between the SCOs of a multi-SCO package, over HTTP on SQLite and PostgreSQL: launch
says what adl.nav.request_valid answers for each SCO; navigate honours the requests a SCO leaves
at Terminate and the player's previous/next/table of contents; the lecture is done when every
counted SCO is completed or passed."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.authoring.services.scorm import add_scorm_lecture
from mooc.catalog.models import Course, Lecture
from mooc.learning import services as learning
from mooc.learning.models import LectureProgress
from mooc.scorm.core.archive import Limits
from mooc.storage import Storage
from tests.factories import PASSWORD, make_user
from tests.helpers import login
from tests.scorm_packages import build_package

_DATA_CSRF = re.compile(r'data-csrf="([^"]+)"')
SCOS = (("mo-dau", "Mở đầu"), ("bai-tap", "Bài tập"), ("tong-ket", "Tổng kết"))


def _lecture(
    session: Session, teacher: User, course: Course, storage: Storage, data: bytes
) -> Lecture:
    found = add_scorm_lecture(
        session,
        teacher,
        course.sections[0],
        data,
        storage=storage,
        limits=Limits(max_bytes=10 * 1024 * 1024),
    )
    session.commit()
    return found


@pytest.fixture
def lecture(session: Session, teacher: User, course: Course, storage: Storage) -> Lecture:
    return _lecture(session, teacher, course, storage, build_package("2004", "Ba phần", SCOS))


def _enrolled(
    session: Session, client: FlaskClient, course: Course, lecture: Lecture
) -> tuple[User, dict[str, str], str]:
    user = make_user(session)
    learning.enrol(session, user, course)
    session.commit()
    login(client, user.email or "", PASSWORD)
    page = client.get(f"/courses/{course.slug}/lectures/{lecture.slug}").get_data(as_text=True)
    match = _DATA_CSRF.search(page)
    assert match and "data-navigate=" in page and "scorm-next" in page
    headers = {"X-CSRFToken": match.group(1), "Accept": "application/json"}
    return user, headers, f"/courses/{course.slug}/lectures/{lecture.slug}/scorm"


def test_launch_says_what_request_valid_answers_for_each_sco(
    session: Session, client: FlaskClient, course: Course, lecture: Lecture
) -> None:
    _user, headers, base = _enrolled(session, client, course, lecture)
    scos = client.post(f"{base}/launch", json={}, headers=headers).get_json()["scos"]
    assert [(s["valid"]["previous"], s["valid"]["continue"]) for s in scos] == [
        ("false", "true"),
        ("true", "true"),
        ("true", "false"),
    ]
    assert scos[0]["valid"]["choice"] == ["mo-dau", "bai-tap", "tong-ket"]
    assert all(s["choice"] for s in scos)


@pytest.mark.parametrize(
    ("current", "wanted", "action", "target"),
    [
        (None, "continue", "launch", "mo-dau"),
        ("mo-dau", "continue", "launch", "bai-tap"),
        ("tong-ket", "previous", "launch", "bai-tap"),
        ("mo-dau", "{target=tong-ket}choice", "launch", "tong-ket"),
        ("bai-tap", "exit", "stay", None),
        ("bai-tap", "_none_", "stay", None),
        ("bai-tap", "exitAll", "end", None),
        ("bai-tap", "suspendAll", "suspend", None),
    ],
)
def test_navigate_follows_the_request(
    session: Session,
    client: FlaskClient,
    course: Course,
    lecture: Lecture,
    current: str | None,
    wanted: str,
    action: str,
    target: str | None,
) -> None:
    _user, headers, base = _enrolled(session, client, course, lecture)
    response = client.post(
        f"{base}/navigate", json={"sco": current, "request": wanted}, headers=headers
    )
    assert response.status_code == 200
    assert response.get_json() == {"action": action, "sco": target}


def test_navigate_refuses_what_cannot_be_done_with_problem_details(
    session: Session, client: FlaskClient, course: Course, lecture: Lecture
) -> None:
    _user, headers, base = _enrolled(session, client, course, lecture)
    url = f"{base}/navigate"
    last = client.post(url, json={"sco": "tong-ket", "request": "continue"}, headers=headers)
    assert last.status_code == 409
    assert last.headers["Content-Type"].startswith("application/problem+json")
    assert "phần cuối cùng" in last.get_json()["detail"]  # the default language
    first = client.post(url, json={"sco": "mo-dau", "request": "previous"}, headers=headers)
    assert first.status_code == 409
    missing = client.post(
        url, json={"sco": "mo-dau", "request": "{target=x}choice"}, headers=headers
    )
    assert missing.status_code == 404
    assert (
        client.post(url, json={"sco": "nope", "request": "continue"}, headers=headers).status_code
        == 404
    )
    assert (
        client.post(url, json={"sco": "mo-dau", "request": "next"}, headers=headers).status_code
        == 422
    )
    for bad in ([1], {"sco": 1, "request": "continue"}, {"sco": "mo-dau"}):
        assert client.post(url, json=bad, headers=headers).status_code == 400
    no_csrf = client.post(
        url, json={"sco": None, "request": "continue"}, headers={"Accept": "application/json"}
    )
    assert no_csrf.status_code == 400


def test_an_english_learner_reads_why_in_english(
    session: Session, client: FlaskClient, course: Course, lecture: Lecture
) -> None:
    user, headers, base = _enrolled(session, client, course, lecture)
    user.locale = "en"
    session.commit()
    response = client.post(
        f"{base}/navigate", json={"sco": "tong-ket", "request": "continue"}, headers=headers
    )
    assert response.status_code == 409
    assert response.get_json()["detail"] == "This is the last part of the lesson."


def test_a_written_control_mode_limits_the_moves(
    session: Session, client: FlaskClient, teacher: User, course: Course, storage: Storage
) -> None:
    data = build_package("2004", "Chỉ đi tới", SCOS, control='choice="false" forwardOnly="true"')
    lecture = _lecture(session, teacher, course, storage, data)
    _user, headers, base = _enrolled(session, client, course, lecture)
    scos = client.post(f"{base}/launch", json={}, headers=headers).get_json()["scos"]
    assert [s["valid"]["previous"] for s in scos] == ["false", "false", "false"]
    assert [s["choice"] for s in scos] == [False, False, False]
    url = f"{base}/navigate"
    chosen = client.post(
        url, json={"sco": "mo-dau", "request": "{target=tong-ket}choice"}, headers=headers
    )
    assert chosen.status_code == 409
    onward = client.post(url, json={"sco": "mo-dau", "request": "continue"}, headers=headers)
    assert onward.get_json() == {"action": "launch", "sco": "bai-tap"}


def _finish(client: FlaskClient, base: str, headers: dict[str, str], sco: str) -> dict:
    cmi = {"cmi": {"completion_status": "completed", "success_status": "passed"}}
    response = client.post(
        f"{base}/track", json={"sco": sco, "sequence": 1, "cmi": cmi}, headers=headers
    )
    assert response.status_code == 200
    body: dict = response.get_json()
    return body


def _done(session: Session, user: User, lecture: Lecture) -> bool:
    session.expire_all()
    row = session.scalar(
        select(LectureProgress).where(
            LectureProgress.user_id == user.id, LectureProgress.lecture_id == lecture.id
        )
    )
    return row is not None and row.done_at is not None


def test_the_lecture_is_done_when_every_sco_is_finished(
    session: Session, client: FlaskClient, course: Course, lecture: Lecture
) -> None:
    user, headers, base = _enrolled(session, client, course, lecture)
    assert _finish(client, base, headers, "mo-dau")["lecture_done"] is False
    assert _finish(client, base, headers, "tong-ket")["lecture_done"] is False
    assert not _done(session, user, lecture)
    assert _finish(client, base, headers, "bai-tap")["lecture_done"] is True
    assert _done(session, user, lecture)


def test_a_sco_that_does_not_roll_up_is_not_waited_for(
    session: Session, client: FlaskClient, teacher: User, course: Course, storage: Storage
) -> None:
    rollup = (
        '<imsss:rollupRules rollupObjectiveSatisfied="false" rollupProgressCompletion="false"/>'
    )
    data = build_package("2004", "Phần thêm", SCOS, item_sequencing={"tong-ket": rollup})
    lecture = _lecture(session, teacher, course, storage, data)
    user, headers, base = _enrolled(session, client, course, lecture)
    assert _finish(client, base, headers, "mo-dau")["lecture_done"] is False
    assert _finish(client, base, headers, "bai-tap")["lecture_done"] is True
    assert _done(session, user, lecture)


def test_scorm_12_packages_move_between_scos_with_previous_and_next(
    session: Session, client: FlaskClient, teacher: User, course: Course, storage: Storage
) -> None:
    lecture = _lecture(
        session, teacher, course, storage, build_package("1.2", "Hai phần", SCOS[:2])
    )
    _user, headers, base = _enrolled(session, client, course, lecture)
    url = f"{base}/navigate"
    onward = client.post(url, json={"sco": "mo-dau", "request": "continue"}, headers=headers)
    assert onward.get_json() == {"action": "launch", "sco": "bai-tap"}
    back = client.post(url, json={"sco": "bai-tap", "request": "previous"}, headers=headers)
    assert back.get_json() == {"action": "launch", "sco": "mo-dau"}
