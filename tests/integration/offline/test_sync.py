"""The sync of what a pupil did offline: log-in and CSRF required, each item received once (a
replayed batch changes nothing), quizzes graded by the server whatever the device says, timed
and online-only quizzes refused, and completion run as online."""

from __future__ import annotations

import uuid

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.assessment.models import QuizAttempt
from mooc.learning.models import Completion, LectureProgress, XapiStatement
from mooc.learning.queries import ordered_lectures
from mooc.offline.models import OfflineReceipt
from tests.factories import seed_course
from tests.integration.learning.learners import MATH, MATH_QUIZ, READING, Browser
from tests.integration.offline.pupils import (
    answers,
    done_item,
    make_offline,
    quiz,
    quiz_item,
    sync,
)


def count(session: Session, model: type, *where: object) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def test_sync_needs_a_signed_in_pupil_and_a_csrf_token(
    client: FlaskClient, learner: Browser, session: Session
) -> None:
    math = seed_course(session, MATH)
    body = {"items": [done_item(math.id, ordered_lectures(session, math)[0].slug)]}
    anonymous = client.application.test_client()
    assert anonymous.get("/offline/token").status_code == 401
    assert anonymous.post("/offline/sync", json=body).status_code == 400  # no CSRF token
    learner.enrol(MATH)
    no_token = learner.client.post(
        "/offline/sync", json=body, headers={"Accept": "application/json"}
    )
    assert no_token.status_code == 400
    assert no_token.mimetype == "application/problem+json"
    forged = learner.client.post("/offline/sync", json=body, headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 400
    assert count(session, LectureProgress, LectureProgress.user_id == learner.user.id) == 0


@pytest.mark.parametrize(
    "body",
    [
        "none",
        [{"id": "not-a-uuid", "kind": "done", "course": 1, "slug": "x"}],
        [{"id": str(uuid.uuid4()), "kind": "delete", "course": 1, "slug": "x"}],
        [{"id": str(uuid.uuid4()), "kind": "done", "course": "1", "slug": "x"}],
        [{"id": str(uuid.uuid4()), "kind": "quiz", "course": 1, "slug": "x"}],
        [
            {
                "id": str(uuid.uuid4()),
                "kind": "quiz",
                "course": 1,
                "slug": "x",
                "revision": 1,
                "answers": {"q1": [{"x": 1}]},
            }
        ],
        [{"id": str(uuid.uuid4()), "kind": "done", "course": 1, "slug": "x"}] * 201,
    ],
)
def test_malformed_batches_are_refused_whole(learner: Browser, body: object) -> None:
    response = sync(learner, body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("language", "items", "detail"),
    [
        (
            "en",
            [{"id": "x", "kind": "done", "course": 1, "slug": "x"}],
            "Each item needs an id that is a UUID.",
        ),
        (
            "vi",
            [{"id": "x", "kind": "done", "course": 1, "slug": "x"}],
            "Mỗi mục cần một mã định danh dạng UUID.",
        ),
        ("vi", "none", "Yêu cầu phải là một đối tượng JSON có danh sách các mục."),
        (
            "en",
            [{"id": str(uuid.uuid4()), "kind": "done", "course": 1, "slug": "x"}] * 201,
            "At most 200 items can be sent at once.",
        ),
        (
            "vi",
            [{"id": str(uuid.uuid4()), "kind": "done", "course": 1, "slug": "x"}] * 201,
            "Mỗi lần gửi được tối đa 200 mục.",
        ),
    ],
)
def test_malformed_batches_are_refused_in_the_pupils_language(
    learner: Browser, language: str, items: object, detail: str
) -> None:
    learner.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = sync(learner, items)
    assert response.status_code == 422
    assert response.get_json()["detail"] == detail


def test_a_malformed_offline_quiz_form_is_refused_in_the_pupils_language(
    learner: Browser, session: Session
) -> None:
    math = seed_course(session, MATH)
    found = quiz(session, math.id, MATH_QUIZ)
    make_offline(session, found)
    learner.enrol(MATH)
    learner.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "vi"
    response = learner.post(
        f"/offline/courses/{math.id}/quizzes/{found.slug}",
        {"client_id": "not-a-uuid", "revision": str(found.revision)},
    )
    assert response.status_code == 422
    assert "Mỗi mục cần một mã định danh dạng UUID." in response.get_data(as_text=True)
    assert count(session, QuizAttempt, QuizAttempt.user_id == learner.user.id) == 0


def test_lectures_done_offline_are_recorded_once(learner: Browser, session: Session) -> None:
    math = seed_course(session, MATH)
    learner.enrol(MATH)
    first, second = ordered_lectures(session, math)[:2]
    items = [done_item(math.id, first.slug), done_item(math.id, second.slug)]
    response = sync(learner, items)
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [(r["id"], r["outcome"], r["replay"]) for r in results] == [
        (items[0]["id"], "done", False),
        (items[1]["id"], "done", False),
    ]
    mine = LectureProgress.user_id == learner.user.id
    assert count(session, LectureProgress, mine, LectureProgress.done_at.is_not(None)) == 2
    statements = count(session, XapiStatement, XapiStatement.user_id == learner.user.id)
    receipts = count(session, OfflineReceipt)

    replay = sync(learner, items).get_json()["results"]
    assert [(r["outcome"], r["replay"]) for r in replay] == [("done", True), ("done", True)]
    assert count(session, LectureProgress, mine, LectureProgress.done_at.is_not(None)) == 2
    assert count(session, XapiStatement, XapiStatement.user_id == learner.user.id) == statements
    assert count(session, OfflineReceipt) == receipts
    # The device's clock is kept for the record, in UTC.
    receipt = session.scalars(
        select(OfflineReceipt).where(OfflineReceipt.client_id == items[0]["id"])
    ).one()
    assert receipt.device_time is not None and receipt.device_time.hour == 1


def test_the_server_grades_offline_quizzes(learner: Browser, session: Session) -> None:
    math = seed_course(session, MATH)
    found = quiz(session, math.id, MATH_QUIZ)
    make_offline(session, found)
    learner.enrol(MATH)
    wrong = quiz_item(found, answers(found, right=False), score=100, passed=True)
    right = quiz_item(found, answers(found))
    results = sync(learner, [wrong, right]).get_json()["results"]
    assert [r["outcome"] for r in results] == ["graded", "graded"]
    attempts = session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == learner.user.id)
        .order_by(QuizAttempt.number)
    ).all()
    assert [(a.number, a.score, a.passed) for a in attempts] == [(1, 0.0, False), (2, 100.0, True)]
    assert results[1]["result_url"] == f"/attempts/{attempts[1].id}/result"
    # A replay grades nothing again and uses no attempt.
    again = sync(learner, [wrong, right]).get_json()["results"]
    assert [(r["outcome"], r["replay"]) for r in again] == [("graded", True), ("graded", True)]
    assert count(session, QuizAttempt, QuizAttempt.user_id == learner.user.id) == 2


def test_online_only_and_changed_quizzes_are_refused(learner: Browser, session: Session) -> None:
    physics = seed_course(session, "vat-ly-lop-10")
    timed = quiz(session, physics.id, "kiem-tra-dong-hoc-dong-luc-hoc")
    make_offline(session, timed)
    math = seed_course(session, MATH)
    not_flagged = quiz(session, math.id, MATH_QUIZ)
    learner.enrol("vat-ly-lop-10")
    learner.enrol(MATH)
    results = sync(
        learner,
        [quiz_item(timed, answers(timed)), quiz_item(not_flagged, answers(not_flagged))],
    ).get_json()["results"]
    assert [r["outcome"] for r in results] == ["refused", "refused"]
    assert all(r["message"] for r in results)
    make_offline(session, not_flagged)
    stale = quiz_item(not_flagged, answers(not_flagged), revision=not_flagged.revision - 1)
    assert sync(learner, [stale]).get_json()["results"][0]["outcome"] == "stale"
    assert count(session, QuizAttempt, QuizAttempt.user_id == learner.user.id) == 0


def test_items_of_a_course_not_enrolled_in_are_refused(learner: Browser, session: Session) -> None:
    reading = seed_course(session, READING)
    item = done_item(reading.id, ordered_lectures(session, reading)[0].slug)
    unknown = done_item(999_999, "x")
    results = sync(learner, [item, unknown]).get_json()["results"]
    assert [r["outcome"] for r in results] == ["refused", "refused"]
    assert count(session, LectureProgress, LectureProgress.user_id == learner.user.id) == 0


def test_another_accounts_queue_is_not_credited(
    learner: Browser, other: Browser, session: Session
) -> None:
    math = seed_course(session, MATH)
    learner.enrol(MATH)
    item = done_item(math.id, ordered_lectures(session, math)[0].slug)
    response = sync(learner, [item], user=other.user.id)
    assert response.status_code == 409
    assert count(session, LectureProgress, LectureProgress.user_id == learner.user.id) == 0
    # One pupil's client id is no other's: each account has its own receipts.
    other.enrol(MATH)
    assert sync(other, [item]).get_json()["results"][0] == {
        "id": item["id"],
        "outcome": "done",
        "replay": False,
        "completed": False,
        "message": "",
    }
    assert sync(learner, [item]).get_json()["results"][0]["replay"] is False


def test_a_course_finished_offline_is_completed_at_the_sync(
    learner: Browser, session: Session
) -> None:
    math = seed_course(session, MATH)
    found = quiz(session, math.id, MATH_QUIZ)
    make_offline(session, found)
    learner.enrol(MATH)
    items = [done_item(math.id, lec.slug) for lec in ordered_lectures(session, math)]
    items.append(quiz_item(found, answers(found)))
    results = sync(learner, items).get_json()["results"]
    assert [r["outcome"] for r in results] == ["done"] * (len(items) - 1) + ["graded"]
    assert results[-1]["completed"] is True
    completions = count(session, Completion, Completion.user_id == learner.user.id)
    assert completions == 1
    sync(learner, items)
    assert count(session, Completion, Completion.user_id == learner.user.id) == 1


def test_the_offline_quiz_form_works_without_scripts(learner: Browser, session: Session) -> None:
    math = seed_course(session, MATH)
    found = quiz(session, math.id, MATH_QUIZ)
    make_offline(session, found)
    learner.enrol(MATH)
    url = f"/offline/courses/{math.id}/quizzes/{MATH_QUIZ}"
    page = learner.get(url).get_data(as_text=True)
    client_id = page.split('name="client_id" value="')[1].split('"')[0]
    form = {"client_id": client_id, "revision": str(found.revision), **answers(found)}
    sent = learner.post(url, form)  # type: ignore[arg-type]
    assert sent.status_code == 303
    assert sent.location.startswith("/attempts/")
    assert learner.post(url, form).location == sent.location  # type: ignore[arg-type]
    assert count(session, QuizAttempt, QuizAttempt.user_id == learner.user.id) == 1
