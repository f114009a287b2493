"""A learner's path through the browser: enrol, read, mark done, take quizzes, complete a course."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment.models import Quiz, QuizAttempt, RevealPolicy
from mooc.catalog.models import Course, Lecture
from mooc.db import utcnow
from mooc.learning.models import Completion, Enrolment, LectureProgress, XapiStatement
from mooc.learning.queries import ordered_lectures
from mooc.learning.xapi import VERBS
from mooc.markup import render_inline
from tests.factories import seed_course
from tests.helpers import csrf_from
from tests.integration.learning.learners import (
    MATH,
    MATH_QUIZ,
    READING,
    READING_QUIZ,
    Browser,
    attempt,
    attempt_id,
    right_answers,
    wrong_answers,
)


def lectures(session: Session, slug: str) -> list[Lecture]:
    return ordered_lectures(session, seed_course(session, slug))


def lecture_url(slug: str, lecture: Lecture) -> str:
    return f"/courses/{slug}/lectures/{lecture.slug}"


def count(session: Session, model: type, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def statements(session: Session, user: User, verb: str) -> int:
    return count(
        session, XapiStatement, XapiStatement.user_id == user.id, XapiStatement.verb == VERBS[verb]
    )


def finish_lectures(browser: Browser, session: Session, slug: str) -> None:
    for lecture in lectures(session, slug):
        assert browser.post(f"{lecture_url(slug, lecture)}/done").status_code == 303


# --- enrolment ----------------------------------------------------------------------------


def test_enrolling_twice_leaves_one_enrolment(learner: Browser, session: Session) -> None:
    first = learner.enrol(MATH)
    assert first.status_code == 303
    assert first.location == f"/courses/{MATH}/resume"
    assert learner.enrol(MATH).status_code == 303
    rows = session.scalars(select(Enrolment).where(Enrolment.user_id == learner.user.id)).all()
    assert [(row.course_id, row.active) for row in rows] == [(seed_course(session, MATH).id, True)]
    page = learner.get(f"/courses/{MATH}").get_data(as_text=True)
    assert "Leave this course" in page
    assert "Enrol for free" not in page


def test_leaving_a_course_keeps_progress_and_closes_its_lectures(
    learner: Browser, session: Session
) -> None:
    learner.enrol(MATH)
    first, second = lectures(session, MATH)[:2]
    learner.post(f"{lecture_url(MATH, first)}/done")

    page = learner.get(f"/courses/{MATH}").get_data(as_text=True)
    assert f'<a class="button danger" href="/courses/{MATH}/unenrol">' in page
    asked = learner.get(f"/courses/{MATH}/unenrol")  # a confirmation page; nothing changes
    assert asked.status_code == 200
    assert "Your progress is kept" in asked.get_data(as_text=True)
    assert 'class="danger"' in asked.get_data(as_text=True)
    assert learner.get(f"/courses/{MATH}").get_data(as_text=True).count("Continue learning") == 1
    forged = learner.client.post(f"/courses/{MATH}/unenrol")  # no CSRF token
    assert forged.status_code == 400

    left = learner.post(f"/courses/{MATH}/unenrol")
    assert left.status_code == 303
    assert left.location == f"/courses/{MATH}"
    page = learner.get(f"/courses/{MATH}").get_data(as_text=True)
    assert "Enrol for free" in page
    assert "You have left the course" in page
    closed = learner.get(lecture_url(MATH, second))
    assert closed.status_code == 303
    assert closed.location == f"/courses/{MATH}"
    assert learner.post(f"{lecture_url(MATH, second)}/done").status_code == 403

    learner.enrol(MATH)  # coming back: the same row, the progress still there
    assert count(session, Enrolment, Enrolment.user_id == learner.user.id) == 1
    assert (
        count(
            session,
            LectureProgress,
            LectureProgress.user_id == learner.user.id,
            LectureProgress.done_at.is_not(None),
        )
        == 1
    )


def test_enrolling_needs_an_account(client: FlaskClient, session: Session) -> None:
    token = csrf_from(client, "/login")
    response = client.post(f"/courses/{MATH}/enrol", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.location.startswith("/login")
    assert count(session, Enrolment) == 0


# --- reading lectures ---------------------------------------------------------------------


def test_a_visitor_reads_the_first_lecture_but_logs_in_for_the_second(
    client: FlaskClient, session: Session
) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    first, second = lectures(session, MATH)[:2]
    preview = client.get(lecture_url(MATH, first))
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert html.escape(first.title, quote=False) in page
    assert "This is a free preview." in page
    assert "Mark as done" not in page

    locked = client.get(lecture_url(MATH, second))
    assert locked.status_code == 302
    assert locked.location.startswith("/login?next=")
    assert second.slug in locked.location


def test_a_logged_in_learner_not_enrolled_is_sent_to_the_course_page(
    learner: Browser, session: Session
) -> None:
    first, second = lectures(session, MATH)[:2]
    assert learner.get(lecture_url(MATH, first)).status_code == 200  # the preview is open
    response = learner.get(lecture_url(MATH, second))
    assert response.status_code == 303
    assert response.location == f"/courses/{MATH}"
    page = learner.get(response.location).get_data(as_text=True)
    assert "Enrol in the course to read this lecture." in page


def test_an_enrolled_learner_reads_every_lecture(learner: Browser, session: Session) -> None:
    learner.enrol(MATH)
    for lecture in lectures(session, MATH):
        response = learner.get(lecture_url(MATH, lecture))
        assert response.status_code == 200
        assert "Mark as done" in response.get_data(as_text=True)


def test_mark_as_done_needs_an_enrolment(learner: Browser, session: Session) -> None:
    first = lectures(session, MATH)[0]
    response = learner.post(f"{lecture_url(MATH, first)}/done")
    assert response.status_code == 403
    assert "Enrol in the course to record your progress." in response.get_data(as_text=True)
    assert count(session, LectureProgress, LectureProgress.user_id == learner.user.id) == 0
    assert statements(session, learner.user, "experienced") == 0


def test_mark_as_done_twice_records_it_once(learner: Browser, session: Session) -> None:
    learner.enrol(MATH)
    first, second = lectures(session, MATH)[:2]
    url = f"{lecture_url(MATH, first)}/done"
    response = learner.post(url)
    assert response.status_code == 303
    assert response.location == lecture_url(MATH, second)  # on to the next lecture
    assert learner.post(url).status_code == 303

    done = session.scalars(
        select(LectureProgress).where(
            LectureProgress.user_id == learner.user.id, LectureProgress.done_at.is_not(None)
        )
    ).all()
    assert [row.lecture_id for row in done] == [first.id]
    assert done[0].version_id == first.published_version_id
    assert statements(session, learner.user, "experienced") == 1
    page = learner.get(lecture_url(MATH, first)).get_data(as_text=True)
    assert "You have finished this lecture." in page
    assert "Mark as done" not in page


def test_the_lecture_page_answers_304_until_it_changes(learner: Browser, session: Session) -> None:
    learner.enrol(MATH)
    first = lectures(session, MATH)[0]
    url = lecture_url(MATH, first)
    welcomed = learner.get(url)
    # The page showing "you are enrolled" once has no validator: a later 304 would bring the
    # browser's copy, message and all, back.
    assert "You are enrolled" in welcomed.get_data(as_text=True)
    assert "ETag" not in welcomed.headers
    page = learner.get(url)
    assert page.status_code == 200
    etag = page.headers["ETag"]
    assert etag

    again = learner.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""

    learner.post(f"{url}/done")
    changed = learner.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "You have finished this lecture." in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != etag


def test_a_visitor_revisiting_the_preview_gets_304(client: FlaskClient, session: Session) -> None:
    url = lecture_url(MATH, lectures(session, MATH)[0])
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_resume_goes_to_the_last_opened_lecture(learner: Browser, session: Session) -> None:
    learner.enrol(MATH)
    all_lectures = lectures(session, MATH)
    assert learner.get(f"/courses/{MATH}/resume").location == lecture_url(MATH, all_lectures[0])
    learner.get(lecture_url(MATH, all_lectures[3]))
    assert learner.get(f"/courses/{MATH}/resume").location == lecture_url(MATH, all_lectures[3])
    learner.get(lecture_url(MATH, all_lectures[1]))
    assert learner.get(f"/courses/{MATH}/resume").location == lecture_url(MATH, all_lectures[1])


def test_resume_skips_a_last_lecture_already_done(learner: Browser, session: Session) -> None:
    learner.enrol(MATH)
    first, second = lectures(session, MATH)[:2]
    learner.get(lecture_url(MATH, first))
    learner.post(f"{lecture_url(MATH, first)}/done")
    assert learner.get(f"/courses/{MATH}/resume").location == lecture_url(MATH, second)


def test_resume_to_a_lecture_gone_since_goes_to_the_next_to_read(
    learner: Browser, session: Session
) -> None:
    """ "Resume" is a hint without a foreign key (a deleted lecture leaves it naming nothing):
    then the next lecture not done is where the reader goes."""
    learner.enrol(MATH)
    first, second = lectures(session, MATH)[:2]
    learner.post(f"{lecture_url(MATH, first)}/done")
    enrolment = session.scalars(
        select(Enrolment)
        .join(Course)
        .where(Course.slug == MATH, Enrolment.user_id == learner.user.id)
    ).one()
    enrolment.last_lecture_id = 987654321  # no lecture has it
    session.flush()
    assert learner.get(f"/courses/{MATH}/resume").location == lecture_url(MATH, second)


# --- quizzes: nothing given away before submission ----------------------------------------


def _form_without_prompts(page: str) -> str:
    """The attempt form minus what the learner must read: prompts, numbering and option texts."""
    form = page[page.index('<form method="post" action="/attempts/') :]
    form = form[: form.index("</form>")]
    form = re.sub(r'action="/attempts/\d+/submit"', "", form)  # an attempt id may equal an answer
    form = re.sub(r"<legend>.*?</legend>", "", form, flags=re.DOTALL)
    return re.sub(r'(<label class="option"><input [^>]*>).*?</label>', r"\1", form)


@pytest.mark.parametrize(("slug", "quiz_slug"), [(MATH, MATH_QUIZ), (READING, READING_QUIZ)])
def test_the_attempt_page_gives_away_no_answer(
    learner: Browser, session: Session, slug: str, quiz_slug: str
) -> None:
    learner.enrol(slug)
    overview = learner.get(f"/courses/{slug}/quizzes/{quiz_slug}").get_data(as_text=True)
    started = learner.start(slug, quiz_slug)
    found = attempt(session, started)
    page = learner.get(started.location).get_data(as_text=True)

    assert "Submit answers" in page
    for q in found.questions:
        assert f'name="q{q["id"]}"' in page
        if q["explanation"]:
            assert str(render_inline(q["explanation"])) not in page
    for text in (page, overview):
        assert not re.search(r"data-[\w-]*(correct|answer)", text, re.IGNORECASE)
        assert "correct" not in text.lower()
        assert "right answer" not in text.lower()

    # Option inputs carry their index and the form its CSRF token; no other value is filled in.
    rest = re.sub(r'value="(\d+|[\w.-]{20,})"', "", _form_without_prompts(page))
    assert "value=" not in rest
    for q in found.questions:
        if q["kind"] == "numeric":
            answer = q["data"]["answer"]
            assert not re.search(rf"(?<![\w.]){re.escape(str(answer))}(?![\w])", rest), answer
        elif q["kind"] == "text":
            for accepted in q["data"]["answers"]:
                assert f'"{accepted}"' not in rest and f">{accepted}<" not in rest


def test_the_lecture_page_has_no_quiz_answers(learner: Browser, session: Session) -> None:
    learner.enrol(MATH)
    page = learner.get(lecture_url(MATH, lectures(session, MATH)[-1])).get_data(as_text=True)
    quiz = session.scalars(select(Quiz).where(Quiz.slug == MATH_QUIZ)).one()
    assert "correct" not in page.lower()
    for question in quiz.questions:
        if question.explanation:
            assert str(render_inline(question.explanation)) not in page


def test_quizzes_are_for_enrolled_learners(learner: Browser) -> None:
    assert learner.get(f"/courses/{MATH}/quizzes/{MATH_QUIZ}").status_code == 403
    assert learner.start(MATH, MATH_QUIZ).status_code == 403


# --- quizzes: taking them -----------------------------------------------------------------


def test_starting_twice_opens_one_attempt(learner: Browser, session: Session) -> None:
    learner.enrol(MATH)
    first = learner.start(MATH, MATH_QUIZ)
    second = learner.start(MATH, MATH_QUIZ)
    assert first.status_code == second.status_code == 303
    assert attempt_id(first) == attempt_id(second)
    assert count(session, QuizAttempt, QuizAttempt.user_id == learner.user.id) == 1
    overview = learner.get(f"/courses/{MATH}/quizzes/{MATH_QUIZ}").get_data(as_text=True)
    assert "Continue your attempt" in overview


def test_fail_then_pass_with_attempts_counting_down(learner: Browser, session: Session) -> None:
    learner.enrol(MATH)
    overview_url = f"/courses/{MATH}/quizzes/{MATH_QUIZ}"
    assert "3 attempts left" in learner.get(overview_url).get_data(as_text=True)

    started = learner.start(MATH, MATH_QUIZ)
    found = attempt(session, started)
    submitted = learner.post(f"/attempts/{found.id}/submit", wrong_answers(found))
    assert submitted.status_code == 303
    assert submitted.location == f"/attempts/{found.id}/result"
    result = learner.get(submitted.location).get_data(as_text=True)
    assert "Not passed yet. The pass mark is 60%." in result
    assert "Attempt 1: 0%" in result
    session.refresh(found)
    assert found.passed is False
    assert found.score == 0.0

    overview = learner.get(overview_url).get_data(as_text=True)
    assert "2 attempts left" in overview
    assert "Not passed" in overview
    assert "Try again" in overview

    again = attempt(session, learner.start(MATH, MATH_QUIZ))
    assert again.id != found.id
    assert again.number == 2
    learner.post(f"/attempts/{again.id}/submit", right_answers(again))
    result = learner.get(f"/attempts/{again.id}/result").get_data(as_text=True)
    assert "Attempt 2: 100%" in result
    assert "Passed. The pass mark is 60%." in result
    session.refresh(again)
    assert again.passed is True
    assert again.score == 100.0
    assert "1 attempt left" in learner.get(overview_url).get_data(as_text=True)
    assert statements(session, learner.user, "failed") == 1
    assert statements(session, learner.user, "passed") == 1


def test_partial_answers_earn_partial_score(learner: Browser, session: Session) -> None:
    learner.enrol(MATH)
    found = attempt(session, learner.start(MATH, MATH_QUIZ))
    answers = right_answers(found)
    numeric = [q for q in found.questions if q["kind"] == "numeric"]
    for q in numeric:  # every numeric answer wrong: their points are lost
        answers[f"q{q['id']}"] = "-1"
    learner.post(f"/attempts/{found.id}/submit", answers)
    session.refresh(found)
    total = sum(q["points"] for q in found.questions)
    lost = sum(q["points"] for q in numeric)
    assert found.score == round(100 * (total - lost) / total, 2)
    assert found.passed is (found.score >= 60)


def test_replaying_a_submission_changes_nothing(learner: Browser, session: Session) -> None:
    learner.enrol(MATH)
    found = attempt(session, learner.start(MATH, MATH_QUIZ))
    url = f"/attempts/{found.id}/submit"
    wrong = wrong_answers(found)
    assert learner.post(url, wrong).status_code == 303
    replay = learner.post(url, wrong)
    assert replay.status_code == 303
    assert replay.location == f"/attempts/{found.id}/result"
    better = learner.post(url, right_answers(found))  # a doctored replay must not regrade
    assert better.location == f"/attempts/{found.id}/result"

    session.refresh(found)
    assert found.score == 0.0
    assert found.passed is False
    assert count(session, QuizAttempt, QuizAttempt.user_id == learner.user.id) == 1
    assert statements(session, learner.user, "failed") == 1
    page = learner.get(f"/courses/{MATH}/quizzes/{MATH_QUIZ}").get_data(as_text=True)
    assert "2 attempts left" in page


def test_the_attempt_limit_is_enforced(learner: Browser, session: Session) -> None:
    learner.enrol(MATH)
    for _ in range(3):
        found = attempt(session, learner.start(MATH, MATH_QUIZ))
        learner.post(f"/attempts/{found.id}/submit", wrong_answers(found))
    overview = learner.get(f"/courses/{MATH}/quizzes/{MATH_QUIZ}").get_data(as_text=True)
    assert "You have used all your attempts at this quiz." in overview
    assert "Try again" not in overview

    refused = learner.start(MATH, MATH_QUIZ)
    assert refused.status_code == 409
    assert "You have used all your attempts at this quiz." in refused.get_data(as_text=True)
    assert count(session, QuizAttempt, QuizAttempt.user_id == learner.user.id) == 3


def test_another_learners_attempt_is_not_found(
    learner: Browser, other: Browser, session: Session
) -> None:
    learner.enrol(MATH)
    other.enrol(MATH)
    found = attempt(session, learner.start(MATH, MATH_QUIZ))
    answers = right_answers(found)

    assert other.get(f"/attempts/{found.id}").status_code == 404
    assert other.post(f"/attempts/{found.id}/submit", answers).status_code == 404
    session.refresh(found)
    assert found.submitted_at is None  # the other learner could not submit it

    learner.post(f"/attempts/{found.id}/submit", answers)
    assert other.get(f"/attempts/{found.id}/result").status_code == 404
    assert learner.get(f"/attempts/{found.id}/result").status_code == 200
    assert other.get("/attempts/999999999").status_code == 404


def test_a_timed_attempt_submitted_after_its_deadline_scores_zero(
    learner: Browser, session: Session
) -> None:
    learner.enrol(MATH)
    found = attempt(session, learner.start(MATH, MATH_QUIZ))
    found.deadline_at = utcnow() - dt.timedelta(minutes=5)
    session.commit()

    learner.post(f"/attempts/{found.id}/submit", right_answers(found))
    session.refresh(found)
    assert found.late is True
    assert found.score == 0.0
    assert found.passed is False
    result = learner.get(f"/attempts/{found.id}/result").get_data(as_text=True)
    assert "Time ran out before you submitted: this attempt scores 0." in result
    assert "Attempt 1: 0%" in result


def test_a_timed_attempt_submitted_in_time_counts(learner: Browser, session: Session) -> None:
    learner.enrol(MATH)
    found = attempt(session, learner.start(MATH, MATH_QUIZ))
    found.deadline_at = utcnow() + dt.timedelta(minutes=5)
    session.commit()
    assert "Submit before" in learner.get(f"/attempts/{found.id}").get_data(as_text=True)

    learner.post(f"/attempts/{found.id}/submit", right_answers(found))
    session.refresh(found)
    assert found.late is False
    assert found.score == 100.0


def test_the_result_page_explains_every_question(learner: Browser, session: Session) -> None:
    learner.enrol(READING)
    found = attempt(session, learner.start(READING, READING_QUIZ))
    found.quiz.reveal = RevealPolicy.AFTER_EACH  # the default waits for the last attempt
    session.commit()
    learner.post(f"/attempts/{found.id}/submit", wrong_answers(found))
    page = learner.get(f"/attempts/{found.id}/result").get_data(as_text=True)
    for q in found.questions:
        assert str(render_inline(q["explanation"])) in page
    assert page.count('class="wrong"') == len(found.questions)
    assert "(right answer)" in page
    assert "Accepted: an" in page  # the one short-text item left in the grade 1 quiz
    assert "Expected: 29" in page


# --- completing a course ------------------------------------------------------------------


def test_finishing_lectures_and_passing_the_quiz_completes_the_course_once(
    learner: Browser, session: Session
) -> None:
    learner.enrol(READING)
    target = seed_course(session, READING)
    finish_lectures(learner, session, READING)
    assert count(session, Completion, Completion.user_id == learner.user.id) == 0

    found = attempt(session, learner.start(READING, READING_QUIZ))
    submitted = learner.post(f"/attempts/{found.id}/submit", right_answers(found))
    result = learner.get(submitted.location).get_data(as_text=True)
    assert "Congratulations! You have completed this course." in result

    completion = session.scalars(
        select(Completion).where(Completion.user_id == learner.user.id)
    ).one()
    assert completion.course_id == target.id
    assert completion.final_grade == 100.0
    assert completion.pass_mark == target.pass_mark
    assert completion.lecture_versions == sorted(
        lec.published_version_id for lec in lectures(session, READING)
    )
    assert completion.quiz_attempts == [found.id]
    assert statements(session, learner.user, "completed") == 1

    # Doing more afterwards does not complete it again.
    learner.post(f"{lecture_url(READING, lectures(session, READING)[0])}/done")
    again = attempt(session, learner.start(READING, READING_QUIZ))
    learner.post(f"/attempts/{again.id}/submit", right_answers(again))
    assert count(session, Completion, Completion.user_id == learner.user.id) == 1
    assert statements(session, learner.user, "completed") == 1


def test_the_course_completes_when_the_last_lecture_is_done_after_the_quiz(
    learner: Browser, session: Session
) -> None:
    learner.enrol(READING)
    found = attempt(session, learner.start(READING, READING_QUIZ))
    learner.post(f"/attempts/{found.id}/submit", right_answers(found))
    assert count(session, Completion, Completion.user_id == learner.user.id) == 0

    *first, last = lectures(session, READING)
    for lecture in first:
        learner.post(f"{lecture_url(READING, lecture)}/done")
    assert count(session, Completion, Completion.user_id == learner.user.id) == 0
    done = learner.post(f"{lecture_url(READING, last)}/done")
    assert done.location == f"/courses/{READING}"
    page = learner.get(done.location).get_data(as_text=True)
    assert "Congratulations! You have completed this course." in page
    assert "You completed this course on" in page
    assert count(session, Completion, Completion.user_id == learner.user.id) == 1
    # A finished course says so: no "continue", no progress bar as if it were under way.
    assert "Continue learning" not in page
    assert "Read the lectures again" in page
    assert "<progress" not in page


def test_the_dashboard_says_when_every_course_is_finished(
    learner: Browser, session: Session
) -> None:
    learner.enrol(READING)
    finish_lectures(learner, session, READING)
    found = attempt(session, learner.start(READING, READING_QUIZ))
    learner.post(f"/attempts/{found.id}/submit", right_answers(found))
    page = learner.get("/dashboard").get_data(as_text=True)
    assert "No course in progress: you have finished every course you enrolled in." in page
    assert "You are not taking any course yet." not in page


def test_a_failed_quiz_does_not_complete_the_course(learner: Browser, session: Session) -> None:
    learner.enrol(READING)
    finish_lectures(learner, session, READING)
    found = attempt(session, learner.start(READING, READING_QUIZ))
    learner.post(f"/attempts/{found.id}/submit", wrong_answers(found))
    assert count(session, Completion, Completion.user_id == learner.user.id) == 0
    assert statements(session, learner.user, "completed") == 0


def test_the_dashboard_shows_progress_and_completions(learner: Browser, session: Session) -> None:
    learner.enrol(READING)
    finish_lectures(learner, session, READING)
    found = attempt(session, learner.start(READING, READING_QUIZ))
    learner.post(f"/attempts/{found.id}/submit", right_answers(found))

    learner.enrol(MATH)
    first, second = lectures(session, MATH)[:2]
    learner.post(f"{lecture_url(MATH, first)}/done")
    learner.post(f"{lecture_url(MATH, second)}/done")

    page = learner.get("/dashboard").get_data(as_text=True)
    progress, done = page.split('id="done-heading"')
    math_title = html.escape(seed_course(session, MATH).title, quote=False)
    reading_title = html.escape(seed_course(session, READING).title, quote=False)

    assert math_title in progress
    assert reading_title not in progress
    # 2 of 7 lectures and 0 of 1 quiz: 2 of 8 items.
    assert '<progress max="100" value="25"' in progress
    assert "2 of 7 lectures done" in progress
    assert "0 of 1 quiz passed" in progress  # one quiz: the singular
    assert "25%</span>" in progress

    assert reading_title in done
    assert math_title not in done
    completion = session.scalars(
        select(Completion).where(Completion.user_id == learner.user.id)
    ).one()
    # the day it is in Vietnam (the default time zone), not in UTC
    at = completion.completed_at
    at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at  # SQLite keeps no zone
    day = at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert f"{day:%b} {day.day}, {day.year}" in done
    assert "100/100" in done


def test_an_empty_dashboard_invites_to_find_a_course(learner: Browser) -> None:
    page = learner.get("/dashboard").get_data(as_text=True)
    assert "You are not taking any course yet." in page
    assert "No completed course yet." in page


def test_a_thousand_typed_with_a_dot_is_sent_back_with_a_hint_not_graded(
    learner: Browser, session: Session
) -> None:
    learner.enrol(MATH)
    found = attempt(session, learner.start(MATH, MATH_QUIZ))
    numeric = next(q for q in found.questions if q["kind"] == "numeric")
    answers = right_answers(found)
    answers[f"q{numeric['id']}"] = "1.000"
    refused = learner.post(f"/attempts/{found.id}/submit", answers)
    assert refused.status_code == 422
    page = html.unescape(refused.get_data(as_text=True))
    assert "Is 1.000 a thousand-style number?" in page
    assert 'value="1.000"' in page  # what the learner typed is kept for rewriting
    session.refresh(found)
    assert found.submitted_at is None and found.score is None  # neither graded nor consumed
    assert count(session, QuizAttempt, QuizAttempt.user_id == learner.user.id) == 1

    submitted = learner.post(f"/attempts/{found.id}/submit", right_answers(found))
    assert submitted.status_code == 303
    session.refresh(found)
    assert found.score == 100.0


def test_a_question_reading_dots_as_thousands_says_so_and_grades_1_000_as_a_thousand(
    learner: Browser, session: Session
) -> None:
    learner.enrol(MATH)
    quiz = session.scalars(select(Quiz).where(Quiz.slug == MATH_QUIZ)).one()
    question = next(q for q in quiz.questions if q.kind == "numeric")
    question.data = {"answer": 1000, "tolerance": 0, "thousands_dot": True}
    session.commit()
    started = learner.start(MATH, MATH_QUIZ)
    found = attempt(session, started)
    page = html.unescape(learner.get(started.location).get_data(as_text=True))
    assert "A dot separates thousands (1.000 is one thousand)" in page
    answers = right_answers(found)
    answers[f"q{question.id}"] = "1.000"
    assert learner.post(f"/attempts/{found.id}/submit", answers).status_code == 303
    session.refresh(found)
    assert found.score == 100.0


def test_after_the_deadline_an_ambiguous_number_is_not_sent_back_but_the_attempt_ends(
    learner: Browser, session: Session
) -> None:
    learner.enrol(MATH)
    found = attempt(session, learner.start(MATH, MATH_QUIZ))
    found.deadline_at = utcnow() - dt.timedelta(minutes=5)
    session.commit()
    numeric = next(q for q in found.questions if q["kind"] == "numeric")
    answers = right_answers(found)
    answers[f"q{numeric['id']}"] = "1.000"
    assert learner.post(f"/attempts/{found.id}/submit", answers).status_code == 303
    session.refresh(found)
    assert found.submitted_at is not None and found.late is True  # rewriting cannot save time
