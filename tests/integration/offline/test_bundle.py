"""A course's offline bundle: only its enrolled pupils get it (no other course by id), it lists
the course page, every published lecture, the media they show and the quizzes available offline,
and its revision changes with them; the offline quiz page holds no answer key."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from mooc.catalog.models import CourseTeacher
from mooc.learning.models import Enrolment
from mooc.learning.queries import ordered_lectures
from mooc.offline.models import OfflineQuiz
from tests.factories import PASSWORD, make_user, seed_course
from tests.helpers import csrf_from, login
from tests.integration.learning.learners import MATH, MATH_QUIZ, READING, Browser
from tests.integration.offline.pupils import make_offline, quiz


def bundle_url(course_id: int) -> str:
    return f"/offline/courses/{course_id}/manifest.json"


def test_only_enrolled_pupils_get_a_course_bundle(
    client: FlaskClient, learner: Browser, session: Session
) -> None:
    math, reading = seed_course(session, MATH), seed_course(session, READING)
    anonymous = client.application.test_client().get(bundle_url(math.id))
    assert anonymous.status_code == 401
    assert anonymous.mimetype == "application/problem+json"
    assert learner.get(bundle_url(math.id)).status_code == 403
    learner.enrol(MATH)
    assert learner.get(bundle_url(math.id)).status_code == 200
    # Enrolled in one course, asking for another by its id: refused, nothing of it shown.
    refused = learner.get(bundle_url(reading.id))
    assert refused.status_code == 403
    assert reading.title not in refused.get_data(as_text=True)
    assert learner.get(bundle_url(999_999)).status_code == 404
    # Leaving the course closes its bundle too.
    learner.post(f"/courses/{MATH}/unenrol")
    assert learner.get(bundle_url(math.id)).status_code == 403


def test_the_bundle_lists_pages_media_and_offline_quizzes(
    learner: Browser, session: Session
) -> None:
    math = seed_course(session, MATH)
    learner.enrol(MATH)
    response = learner.get(bundle_url(math.id))
    assert response.headers["Cache-Control"] == "no-store"
    doc = response.get_json()
    urls = [p["url"] for p in doc["parts"]]
    lectures = [f"/courses/{MATH}/lectures/{lec.slug}" for lec in ordered_lectures(session, math)]
    assert urls[0] == f"/courses/{MATH}"
    assert urls[1 : 1 + len(lectures)] == lectures
    assert f"/courses/{MATH}/media/tia-so.svg" in urls  # the number line a lecture shows
    assert not [p for p in doc["parts"] if p["kind"] == "quiz"]  # none offline by default
    assert doc["total_bytes"] == sum(p["size"] for p in doc["parts"]) > 0
    assert doc["user"] == learner.user.id
    first = doc["revision"]

    found = quiz(session, math.id, MATH_QUIZ)
    make_offline(session, found)
    doc = learner.get(bundle_url(math.id)).get_json()
    quizzes = [p for p in doc["parts"] if p["kind"] == "quiz"]
    assert quizzes == [
        {
            "url": f"/offline/courses/{math.id}/quizzes/{MATH_QUIZ}",
            "serves": f"/courses/{MATH}/quizzes/{MATH_QUIZ}",
            "kind": "quiz",
            "size": quizzes[0]["size"],
        }
    ]
    assert doc["revision"] != first
    # A change of the course (its content revision) changes the revision again.
    math.content_revision += 1
    session.commit()
    assert learner.get(bundle_url(math.id)).get_json()["revision"] != doc["revision"]


def test_the_offline_quiz_page_has_no_answer_key(learner: Browser, session: Session) -> None:
    math = seed_course(session, MATH)
    found = quiz(session, math.id, MATH_QUIZ)
    learner.enrol(MATH)
    url = f"/offline/courses/{math.id}/quizzes/{MATH_QUIZ}"
    assert learner.get(url).status_code == 404  # not made available offline
    make_offline(session, found)
    page = learner.get(url).get_data(as_text=True)
    assert "data-offline-quiz" in page
    assert all(f'name="q{q.id}"' in page for q in found.questions)
    for q in found.questions:
        if q.explanation:
            assert q.explanation[:30] not in page
        assert "correct" not in page.lower()
        if q.kind.value == "numeric":
            # An empty field: the number expected is nowhere in it.
            field = (
                f'<input id="q{q.id}" name="q{q.id}" inputmode="decimal" autocomplete="off" '
                'maxlength="40">'
            )
            assert field in page
        if q.kind.value == "text":
            assert q.data["answers"][0] not in page


def test_timed_quizzes_are_never_offline(learner: Browser, session: Session) -> None:
    physics = seed_course(session, "vat-ly-lop-10")
    timed = quiz(session, physics.id, "kiem-tra-dong-hoc-dong-luc-hoc")
    assert timed.time_limit_minutes
    make_offline(session, timed)  # a flag set before the time limit was: still online only
    learner.enrol("vat-ly-lop-10")
    doc = learner.get(bundle_url(physics.id)).get_json()
    assert not [p for p in doc["parts"] if p["kind"] == "quiz"]
    assert learner.get(f"/offline/courses/{physics.id}/quizzes/{timed.slug}").status_code == 404


def test_downloading_a_lecture_is_not_reading_it(learner: Browser, session: Session) -> None:
    math = seed_course(session, MATH)
    learner.enrol(MATH)
    last = ordered_lectures(session, math)[-1]
    url = f"/courses/{MATH}/lectures/{last.slug}"
    assert learner.get(url, headers={"Purpose": "prefetch"}).status_code == 200
    enrolment = session.scalars(select(Enrolment).where(Enrolment.user_id == learner.user.id)).one()
    session.refresh(enrolment)
    assert enrolment.last_lecture_id is None
    learner.get(url)
    session.refresh(enrolment)
    assert enrolment.last_lecture_id == last.id


def test_a_downloaded_page_keeps_no_message_meant_for_the_pupil_now(
    learner: Browser, session: Session
) -> None:
    """A message waiting to be shown ("You are enrolled") is not spent on a page the download
    stores (where it would stay for good): the next page the pupil opens shows it."""
    math = seed_course(session, MATH)
    learner.enrol(MATH)  # its message waits for the next page
    first = ordered_lectures(session, math)[0]
    stored = learner.get(f"/courses/{MATH}/lectures/{first.slug}", headers={"Purpose": "prefetch"})
    assert stored.status_code == 200
    assert "You are enrolled" not in stored.get_data(as_text=True)
    assert 'class="flashes"' not in stored.get_data(as_text=True)
    assert "You are enrolled" in learner.get("/dashboard").get_data(as_text=True)


def test_teachers_choose_the_quizzes_available_offline(learner: Browser, session: Session) -> None:
    math = seed_course(session, MATH)
    found = quiz(session, math.id, MATH_QUIZ)
    page = learner.get(f"/offline/teach/{MATH}")
    assert page.status_code == 403
    refused = learner.post(f"/offline/teach/{MATH}", {"quiz": str(found.id)})
    assert refused.status_code == 403
    assert session.get(OfflineQuiz, found.id) is None


def test_a_teacher_turns_a_quiz_offline_and_back(client: FlaskClient, session: Session) -> None:
    math = seed_course(session, MATH)
    teacher = make_user(session, (math.institution.slug, Role.TEACHER))
    session.add(CourseTeacher(course_id=math.id, user_id=teacher.id))
    session.commit()
    login(client, teacher.email, PASSWORD)
    found = quiz(session, math.id, MATH_QUIZ)
    token = csrf_from(client, f"/offline/teach/{MATH}")
    saved = client.post(f"/offline/teach/{MATH}", data={"csrf_token": token, "quiz": str(found.id)})
    assert saved.status_code == 303
    assert session.get(OfflineQuiz, found.id) is not None
    client.post(f"/offline/teach/{MATH}", data={"csrf_token": token})
    session.expire_all()
    assert session.get(OfflineQuiz, found.id) is None
    physics = seed_course(session, "vat-ly-lop-10")
    timed = quiz(session, physics.id, "kiem-tra-dong-hoc-dong-luc-hoc")
    assert (
        client.post(
            f"/offline/teach/{MATH}", data={"csrf_token": token, "quiz": str(timed.id)}
        ).status_code
        == 422
    )  # another course's quiz
    assert (
        client.post(f"/offline/teach/{MATH}", data={"csrf_token": token, "quiz": "x"}).status_code
        == 400
    )
