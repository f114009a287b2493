"""Assignments: a teacher sets work for a class with dates in their own time zone; bad dates,
foreign quizzes and other people's classes are refused; pupils see it under "to do"."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.db import utcnow
from mooc.learning.queries import is_enrolled
from mooc.schools.models import Assignment, AssignmentKind, ClassMember, ClassRole
from tests.factories import make_user
from tests.integration.schools.classrooms import (
    MATH,
    MATH_QUIZ,
    Browser,
    Classroom,
    browser_of,
    course,
    local_input,
    make_classroom,
    quiz,
    right_answers,
)

NEW = "/classes/{}/assignments/new?course={}"


def _token(page: str) -> str:
    match = re.search(r'name="token" type="hidden" value="([^"]+)"', page) or re.search(
        r'id="token" name="token" type="hidden" value="([^"]+)"', page
    )
    assert match, "no form token on the page"
    return match.group(1)


def _assign_quiz(
    session: Session, teacher: Browser, room: Classroom, due: dt.datetime | None, **extra: str
) -> tuple[int, str]:
    url = NEW.format(room.school_class.id, course(session).id)
    page = teacher.get(url).get_data(as_text=True)
    data = {
        "token": _token(page),
        "kind": "quiz",
        "quiz_id": str(quiz(session).id),
        "due_at": local_input(due) if due else "",
        "note": "Làm bài trước buổi học sau.",
        **extra,
    }
    response = teacher.post(url, data)
    return response.status_code, response.get_data(as_text=True)


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Assignment)) or 0


def test_a_teacher_assigns_a_quiz_and_pupils_see_it_to_do(
    app: Flask, session: Session, classroom: Classroom
) -> None:
    teacher = browser_of(app, classroom.teacher)
    page = teacher.get(f"/classes/{classroom.school_class.id}/assignments/new")
    assert page.status_code == 200
    listed = page.get_data(as_text=True)
    # Courses of the class's grade come first.
    assert (
        listed.index("Toán lớp 6") < listed.index("Vật lí lớp 10")
        if "Vật lí lớp 10" in listed
        else True
    )

    due = utcnow() + dt.timedelta(days=3)
    status, _ = _assign_quiz(session, teacher, classroom, due)
    assert status == 303
    found = session.scalars(select(Assignment)).one()
    assert found.kind is AssignmentKind.QUIZ
    # Typed in Vietnam's time (UTC+7) to the minute, stored as the same instant in UTC.
    assert found.due_at == due.replace(second=0, microsecond=0)
    for pupil in classroom.pupils:
        assert is_enrolled(session, pupil.id, course(session).id)

    listing = teacher.get(f"/classes/{classroom.school_class.id}/assignments")
    text = listing.get_data(as_text=True)
    assert "Kiểm tra tổng hợp Toán lớp 6" in text
    assert "0 of 2" in text
    assert "(GMT+07:00)" in text or "Indochina" in text

    pupil = browser_of(app, classroom.pupils[0])
    dashboard = pupil.get("/dashboard").get_data(as_text=True)
    assert "To do" in dashboard and "Kiểm tra tổng hợp Toán lớp 6" in dashboard
    todo = pupil.get("/my/todo").get_data(as_text=True)
    assert "Làm bài trước buổi học sau." in todo
    opened = pupil.get(f"/my/assignments/{found.id}")
    assert opened.location.endswith(f"/courses/{MATH}/quizzes/{MATH_QUIZ}")
    overview = pupil.get(opened.location).get_data(as_text=True)
    assert "Due " in overview


def test_doing_the_quiz_moves_it_to_done(
    app: Flask, session: Session, classroom: Classroom
) -> None:
    teacher = browser_of(app, classroom.teacher)
    _assign_quiz(session, teacher, classroom, utcnow() + dt.timedelta(days=1))
    pupil = browser_of(app, classroom.pupils[0])
    started = pupil.post(f"/courses/{MATH}/quizzes/{MATH_QUIZ}/start")
    attempt_id = int(started.location.rsplit("/", 1)[1])
    from mooc.assessment.models import QuizAttempt

    attempt = session.get(QuizAttempt, attempt_id)
    assert attempt is not None
    pupil.post(f"/attempts/{attempt_id}/submit", right_answers(attempt))
    todo = pupil.get("/my/todo").get_data(as_text=True)
    pending, _, done = todo.partition('<details class="done-list">')
    assert "Kiểm tra tổng hợp Toán lớp 6" not in pending
    assert "Kiểm tra tổng hợp Toán lớp 6" in done
    assert "Done (1)" in done
    listing = teacher.get(f"/classes/{classroom.school_class.id}/assignments")
    assert "1 of 2" in listing.get_data(as_text=True)


def test_a_due_time_before_the_start_is_refused(
    app: Flask, session: Session, classroom: Classroom
) -> None:
    teacher = browser_of(app, classroom.teacher)
    due = utcnow() + dt.timedelta(days=2)
    status, page = _assign_quiz(
        session, teacher, classroom, due, starts_at=local_input(due + dt.timedelta(hours=1))
    )
    assert status == 422
    assert "The due time must come after the start time." in page
    assert _count(session) == 0


def test_a_due_time_in_the_past_is_refused_a_start_in_the_past_is_not(
    app: Flask, session: Session, classroom: Classroom
) -> None:
    teacher = browser_of(app, classroom.teacher)
    status, page = _assign_quiz(session, teacher, classroom, utcnow() - dt.timedelta(hours=2))
    assert status == 422
    assert "The due time has already passed" in page
    assert _count(session) == 0
    status, _ = _assign_quiz(
        session,
        teacher,
        classroom,
        utcnow() + dt.timedelta(days=1),
        starts_at=local_input(utcnow() - dt.timedelta(days=1)),
    )
    assert status == 303
    assert _count(session) == 1


def test_a_quiz_of_another_course_is_refused(
    app: Flask, session: Session, classroom: Classroom
) -> None:
    teacher = browser_of(app, classroom.teacher)
    other_quiz = quiz(session, "grade-12-review-quiz")
    status, page = _assign_quiz(
        session, teacher, classroom, utcnow() + dt.timedelta(days=1), quiz_id=str(other_quiz.id)
    )
    assert status == 422
    assert "Choose a quiz of this course." in page
    assert _count(session) == 0


def test_submitting_the_same_form_twice_assigns_once(
    app: Flask, session: Session, classroom: Classroom
) -> None:
    teacher = browser_of(app, classroom.teacher)
    url = NEW.format(classroom.school_class.id, course(session).id)
    token = _token(teacher.get(url).get_data(as_text=True))
    data = {"token": token, "kind": "quiz", "quiz_id": str(quiz(session).id)}
    assert teacher.post(url, data).status_code == 303
    assert teacher.post(url, data).status_code == 303
    assert _count(session) == 1


def test_lectures_are_assigned_and_open_at_the_first_not_done(
    app: Flask, session: Session, classroom: Classroom
) -> None:
    from mooc.learning.queries import ordered_lectures

    teacher = browser_of(app, classroom.teacher)
    lectures = ordered_lectures(session, course(session))[:2]
    url = NEW.format(classroom.school_class.id, course(session).id)
    token = _token(teacher.get(url).get_data(as_text=True))
    response = teacher.client.post(
        url,
        data={
            "csrf_token": teacher.token,
            "token": token,
            "kind": "lectures",
            "lecture_ids": [str(lec.id) for lec in lectures],
        },
    )
    assert response.status_code == 303
    found = session.scalars(select(Assignment)).one()
    assert sorted(row.lecture_id for row in found.lectures) == sorted(lec.id for lec in lectures)
    pupil = browser_of(app, classroom.pupils[1])
    opened = pupil.get(f"/my/assignments/{found.id}")
    assert opened.location.endswith(f"/lectures/{lectures[0].slug}")


def test_no_lecture_chosen_is_refused(app: Flask, session: Session, classroom: Classroom) -> None:
    teacher = browser_of(app, classroom.teacher)
    url = NEW.format(classroom.school_class.id, course(session).id)
    token = _token(teacher.get(url).get_data(as_text=True))
    response = teacher.post(url, {"token": token, "kind": "lectures"})
    assert response.status_code == 422
    assert "Choose at least one lecture." in response.get_data(as_text=True)


def test_editing_and_withdrawing(app: Flask, session: Session, classroom: Classroom) -> None:
    teacher = browser_of(app, classroom.teacher)
    _assign_quiz(session, teacher, classroom, utcnow() + dt.timedelta(days=1))
    found = session.scalars(select(Assignment)).one()
    base = f"/classes/{classroom.school_class.id}/assignments/{found.id}"
    later = utcnow() + dt.timedelta(days=5)
    response = teacher.post(
        f"{base}/edit", {"due_at": local_input(later), "note": "Thêm thời gian"}
    )
    assert response.status_code == 303
    session.refresh(found)
    assert found.due_at == later.replace(second=0, microsecond=0)
    assert found.note == "Thêm thời gian"
    # The form shows the due time back in the teacher's time zone.
    assert local_input(later) in teacher.get(f"{base}/edit").get_data(as_text=True)

    confirm = teacher.get(f"{base}/withdraw")
    assert confirm.status_code == 200 and "Withdraw this work?" in confirm.get_data(as_text=True)
    assert teacher.post(f"{base}/withdraw").status_code == 303
    session.refresh(found)
    assert found.withdrawn_at is not None
    pupil = browser_of(app, classroom.pupils[0])
    assert "Kiểm tra tổng hợp" not in pupil.get("/my/todo").get_data(as_text=True)
    assert pupil.get(f"/my/assignments/{found.id}").status_code == 404


def test_withdrawing_needs_the_csrf_token(
    app: Flask, session: Session, classroom: Classroom
) -> None:
    teacher = browser_of(app, classroom.teacher)
    _assign_quiz(session, teacher, classroom, None)
    found = session.scalars(select(Assignment)).one()
    url = f"/classes/{classroom.school_class.id}/assignments/{found.id}/withdraw"
    assert teacher.client.post(url).status_code == 400
    session.refresh(found)
    assert found.withdrawn_at is None


def test_other_classes_are_not_found(app: Flask, session: Session, classroom: Classroom) -> None:
    other = make_classroom(session, name="7B2", grade=7)
    session.commit()
    teacher = browser_of(app, classroom.teacher)
    _assign_quiz(session, teacher, classroom, None)
    mine = session.scalars(select(Assignment)).one()

    stranger = browser_of(app, other.teacher)  # a teacher at another school
    cid = classroom.school_class.id
    for url in (
        f"/classes/{cid}/assignments",
        f"/classes/{cid}/assignments/new",
        f"/classes/{cid}/assignments/{mine.id}/edit",
        f"/classes/{cid}/assignments/{mine.id}/withdraw",
    ):
        assert stranger.get(url).status_code == 404, url
    # Their own class id with my assignment's id: still not found.
    theirs = f"/classes/{other.school_class.id}/assignments/{mine.id}"
    assert stranger.get(f"{theirs}/edit").status_code == 404
    assert stranger.post(f"{theirs}/withdraw").status_code == 404

    pupil = browser_of(app, classroom.pupils[0])
    assert pupil.get(f"/classes/{cid}/assignments").status_code == 404
    outsider = browser_of(app, other.pupils[0])
    assert outsider.get(f"/my/assignments/{mine.id}").status_code == 404
    assert "Kiểm tra tổng hợp" not in outsider.get("/my/todo").get_data(as_text=True)


def test_school_staff_may_assign(app: Flask, session: Session, classroom: Classroom) -> None:
    from mooc.accounts.models import Role

    staff = make_user(session, (classroom.school.slug, Role.STAFF))
    session.commit()
    browser = browser_of(app, staff)
    assert browser.get(f"/classes/{classroom.school_class.id}/assignments").status_code == 200


def test_a_pupil_who_left_the_class_no_longer_sees_its_work(
    app: Flask, session: Session, classroom: Classroom
) -> None:
    teacher = browser_of(app, classroom.teacher)
    _assign_quiz(session, teacher, classroom, None)
    pupil = classroom.pupils[0]
    member = session.scalars(
        select(ClassMember).where(
            ClassMember.user_id == pupil.id, ClassMember.role == ClassRole.PUPIL
        )
    ).one()
    member.ended_at = utcnow()
    session.commit()
    browser = browser_of(app, pupil)
    assert "To do" not in browser.get("/dashboard").get_data(as_text=True)


def test_a_closed_class_gets_no_new_work(
    app: Flask, session: Session, classroom: Classroom
) -> None:
    teacher = browser_of(app, classroom.teacher)
    classroom.school_class.disabled_at = utcnow()
    session.commit()
    status, page = _assign_quiz(session, teacher, classroom, None)
    assert status == 422
    assert "This class is closed" in page
    assert _count(session) == 0
