"""A pupil's due dates in a course (`queries.todo.pupil_course_dues`), read in one statement, give
what the former reading (classes, assignments, their lectures, evidence and slugs apart, copied
below as the reference) gave, whatever the classes, the work set and what the pupil did."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from mooc.accounts.models import User
from mooc.assessment.models import Quiz
from mooc.catalog.models import Course, Lecture
from mooc.db import utcnow
from mooc.extensions import db
from mooc.learning import services as learning
from mooc.learning.deadlines import NO_DUES, CourseDues, Due, DueState
from mooc.learning.models import Completion
from mooc.schools.core.todo import latest_due
from mooc.schools.models import Assignment, AssignmentKind, ClassMember, ClassRole, SchoolClass
from mooc.schools.permissions import pupil_class_ids_of
from mooc.schools.queries.todo import (
    _due,
    _first_submissions,
    _lectures_done,
    pupil_course_dues,
    quiz_due_for_pupil,
)
from tests.factories import PASSWORD, make_pupil, make_user, seed_course
from tests.helpers import login
from tests.integration.schools.report_setup import (
    Classroom,
    add_pupil,
    assign,
    make_classroom,
    study,
    take_quiz,
)
from tests.querycount import counting

DAY = dt.timedelta(days=1)


def _current_assignments(session: Session, user_id: int) -> Select[Any] | None:
    """The current (not withdrawn) assignments of the pupil's classes; None for anyone in no
    class."""
    class_ids = pupil_class_ids_of(session, user_id)  # none for an unknown person
    if not class_ids:
        return None
    return select(Assignment).where(
        Assignment.class_id.in_(class_ids), Assignment.withdrawn_at.is_(None)
    )


def _reference(session: Session, user_id: int, course_id: int, now: dt.datetime) -> CourseDues:
    """The former `pupil_course_dues`, statement by statement (leaving out disabled classes, as
    the to-do does)."""
    current = _current_assignments(session, user_id)
    if current is None:
        return NO_DUES
    found = session.scalars(
        current.join(SchoolClass, SchoolClass.id == Assignment.class_id)
        .where(
            Assignment.course_id == course_id,
            Assignment.due_at.is_not(None),
            SchoolClass.disabled_at.is_(None),
        )
        .options(selectinload(Assignment.lectures))
    ).all()
    if not found:
        return NO_DUES
    lecture_dues: dict[int, list[dt.datetime | None]] = defaultdict(list)
    quiz_dues: dict[int, list[dt.datetime | None]] = defaultdict(list)
    for a in found:
        if a.kind is AssignmentKind.LECTURES:
            for row in a.lectures:
                lecture_dues[row.lecture_id].append(a.due_at)
        elif a.kind is AssignmentKind.QUIZ and a.quiz_id is not None:
            quiz_dues[a.quiz_id].append(a.due_at)
    items: dict[tuple[str, str], Due] = {}
    if lecture_dues:
        done = _lectures_done(session, [user_id], list(lecture_dues))
        slugs = session.execute(
            select(Lecture.id, Lecture.slug).where(Lecture.id.in_(list(lecture_dues)))
        )
        for lecture_id, slug in slugs:
            due = latest_due(lecture_dues[lecture_id])
            if due is not None:
                items[("lecture", slug)] = _due(due, done.get((user_id, lecture_id)), now)
    if quiz_dues:
        submitted = _first_submissions(session, [user_id], list(quiz_dues))
        slugs = session.execute(select(Quiz.id, Quiz.slug).where(Quiz.id.in_(list(quiz_dues))))
        for quiz_id, slug in slugs:
            due = latest_due(quiz_dues[quiz_id])
            if due is not None:
                items[("quiz", slug)] = _due(due, submitted.get((user_id, quiz_id)), now)
    course_due = latest_due(a.due_at for a in found if a.kind is AssignmentKind.COURSE)
    course = None
    if course_due is not None:
        completed = session.scalar(
            select(Completion.completed_at).where(
                Completion.course_id == course_id, Completion.user_id == user_id
            )
        )
        course = _due(course_due, completed, now)
    return CourseDues(course=course, items=items)


def _join(session: Session, room: Classroom, pupil: User) -> None:
    session.add(ClassMember(class_id=room.school_class.id, user_id=pupil.id, role=ClassRole.PUPIL))
    session.flush()


def _complete(session: Session, pupil: User, course: Course, at: dt.datetime) -> None:
    session.add(
        Completion(
            user_id=pupil.id,
            course_id=course.id,
            final_grade=90.0,
            completed_at=at,
            lecture_versions=[],
            quiz_attempts=[],
            pass_mark=50,
        )
    )
    session.flush()


def test_one_statement_gives_what_the_former_reading_gave(session: Session) -> None:
    now = utcnow()
    a, b = make_classroom(session, name="6A1"), make_classroom(session, name="6A2")
    disabled, left = make_classroom(session, name="6A3"), make_classroom(session, name="6A4")
    late_class = make_classroom(session, name="6A5")
    other_course = seed_course(session, "vat-ly-lop-10")
    lectures, quiz = a.lectures, a.quiz
    other_quiz = session.scalars(select(Quiz).where(Quiz.course_id == other_course.id)).first()
    assert other_quiz is not None and len(lectures) >= 6

    # One pupil of many classes; one of 6A1 alone; one of 6A5 alone; one in no class; a teacher.
    many = add_pupil(session, a, "Lê Văn An")
    for room in (b, disabled, left):
        _join(session, room, many)
    alone = add_pupil(session, a, "Phạm Thị Bình")
    latecomer = add_pupil(session, late_class, "Ngô Minh Châu")
    loner = make_user(session, name="Trần Một Mình")
    teacher = make_user(session, name="Đỗ Văn Dũng")
    session.add(ClassMember(class_id=b.school_class.id, user_id=teacher.id, role=ClassRole.TEACHER))

    # 6A1 and 6A2 set the same lectures and quiz with different due times: the latest wins.
    assign(session, a, AssignmentKind.LECTURES, due_at=now + 2 * DAY, lectures=lectures[:2])
    assign(session, b, AssignmentKind.LECTURES, due_at=now + 4 * DAY, lectures=lectures[1:3])
    assign(session, a, AssignmentKind.QUIZ, due_at=now - DAY)
    assign(session, b, AssignmentKind.QUIZ, due_at=now + 3 * DAY)
    assign(session, a, AssignmentKind.COURSE, due_at=now + 5 * DAY)
    assign(session, b, AssignmentKind.COURSE, due_at=now - 2 * DAY)
    assign(session, a, AssignmentKind.LECTURES, lectures=lectures[5:6])  # no due time
    assign(session, a, AssignmentKind.LECTURES, due_at=now + DAY)  # no lectures
    withdrawn = assign(session, a, AssignmentKind.LECTURES, due_at=now, lectures=lectures[4:5])
    withdrawn.withdrawn_at = now
    withdrawn_course = assign(session, b, AssignmentKind.COURSE, due_at=now + 20 * DAY)
    withdrawn_course.withdrawn_at = now
    assign(session, disabled, AssignmentKind.LECTURES, due_at=now - 3 * DAY, lectures=lectures[3:4])
    disabled.school_class.disabled_at = now
    assign(session, left, AssignmentKind.QUIZ, due_at=now + 10 * DAY)
    assign(session, left, AssignmentKind.LECTURES, due_at=now - DAY, lectures=lectures[4:5])
    for member in left.school_class.members:
        member.ended_at = now
    # Another course's work, in the same class.
    elsewhere = assign(session, a, AssignmentKind.COURSE, due_at=now + 7 * DAY)
    elsewhere.course_id = other_course.id
    elsewhere_quiz = assign(session, a, AssignmentKind.QUIZ, due_at=now - DAY, quiz=other_quiz)
    elsewhere_quiz.course_id = other_course.id
    # 6A5: everything due yesterday.
    assign(session, late_class, AssignmentKind.COURSE, due_at=now - DAY)
    assign(session, late_class, AssignmentKind.QUIZ, due_at=now - DAY)
    assign(session, late_class, AssignmentKind.LECTURES, due_at=now - DAY, lectures=lectures[:2])
    session.flush()

    # Evidence: done on time, done late, not done; a retake does not move the first submission.
    study(session, many, lectures[:2] + lectures[3:5])
    take_quiz(session, many, quiz, at=now - 2 * DAY)
    take_quiz(session, many, quiz, at=now)
    _complete(session, many, a.course, now)
    take_quiz(session, alone, quiz, at=now)
    take_quiz(session, alone, other_quiz, at=now - 2 * DAY)
    _complete(session, latecomer, a.course, now)
    study(session, latecomer, lectures[:1])
    session.flush()

    later = now + dt.timedelta(minutes=5)  # after the lectures were marked done
    for person in (many, alone, latecomer, loner, teacher):
        for course in (a.course, other_course):
            assert pupil_course_dues(session, person.id, course.id, later) == _reference(
                session, person.id, course.id, later
            ), (person.name, course.slug)

    def states(dues: CourseDues) -> tuple[DueState | None, dict[tuple[str, str], DueState]]:
        return (
            dues.course.state if dues.course else None,
            {key: due.state for key, due in dues.items.items()},
        )

    # A few by hand, so that the comparison is not of two empty answers.
    mine = pupil_course_dues(session, many.id, a.course.id, later)
    assert mine.course == Due(now + 5 * DAY, DueState.DONE)
    assert mine.items[("lecture", lectures[1].slug)] == Due(now + 4 * DAY, DueState.DONE)
    assert mine.items[("lecture", lectures[2].slug)] == Due(now + 4 * DAY, DueState.DUE)
    assert mine.items[("quiz", quiz.slug)] == Due(now + 3 * DAY, DueState.DONE)
    assert ("lecture", lectures[4].slug) not in mine.items  # withdrawn, or of a class left
    assert ("lecture", lectures[5].slug) not in mine.items  # set without a due time
    assert ("lecture", lectures[3].slug) not in mine.items  # set by a disabled class
    assert states(pupil_course_dues(session, alone.id, a.course.id, later)) == (
        DueState.DUE,
        {
            ("lecture", lectures[0].slug): DueState.DUE,
            ("lecture", lectures[1].slug): DueState.DUE,
            ("quiz", quiz.slug): DueState.DONE_LATE,
        },
    )
    assert states(pupil_course_dues(session, alone.id, other_course.id, later)) == (
        DueState.DUE,
        {("quiz", other_quiz.slug): DueState.DONE},
    )
    assert states(pupil_course_dues(session, latecomer.id, a.course.id, later)) == (
        DueState.DONE_LATE,
        {
            ("lecture", lectures[0].slug): DueState.DONE_LATE,
            ("lecture", lectures[1].slug): DueState.LATE,
            ("quiz", quiz.slug): DueState.LATE,
        },
    )
    assert pupil_course_dues(session, loner.id, a.course.id, later) == NO_DUES
    assert pupil_course_dues(session, teacher.id, a.course.id, later) == NO_DUES

    with counting(db.engine) as sent:
        pupil_course_dues(session, many.id, a.course.id, later)
    assert len(sent) == 1, sent

    # The quiz's due time for its "after the due date" reveal: one statement, as the former two
    # gave it (disabled classes count there: their due time still holds the answers back).
    for person in (many, alone, latecomer, loner, teacher):
        for target in (quiz, other_quiz):
            current = _current_assignments(session, person.id)
            former = (
                latest_due(
                    a.due_at
                    for a in session.scalars(current.where(Assignment.quiz_id == target.id))
                )
                if current is not None
                else None
            )
            assert quiz_due_for_pupil(session, person.id, target.id) == former, person.name
    assert quiz_due_for_pupil(session, many.id, quiz.id) == now + 3 * DAY
    assert quiz_due_for_pupil(session, latecomer.id, quiz.id) == now - DAY
    with counting(db.engine) as sent:
        quiz_due_for_pupil(session, many.id, quiz.id)
    assert len(sent) == 1, sent


# A pupil of a class with lectures, a quiz and the whole course set in it, warm. The due dates
# are one statement of these; read apart (classes, assignments, their lectures, lectures done,
# lecture slugs, first submissions, quiz slugs, completion) they made it 10, 9 and 12. The quiz
# page's due time for its answers' reveal is one more (two when it read the classes apart).
PAGE_BUDGETS = {"course": 3, "lecture": 2, "quiz": 4}


def test_a_pupils_pages_read_their_due_dates_in_one_statement(
    client: FlaskClient, session: Session
) -> None:
    room = make_classroom(session)
    pupil = make_pupil(session, room.school_class, "Trần Văn An", username="an.tran.dues")
    pupil.locale = "en"
    soon = utcnow() + 3 * DAY
    assign(session, room, AssignmentKind.LECTURES, due_at=soon, lectures=room.lectures[:2])
    assign(session, room, AssignmentKind.QUIZ, due_at=soon)
    assign(session, room, AssignmentKind.COURSE, due_at=soon)
    learning.enrol(session, pupil, room.course)
    session.commit()
    login(client, "an.tran.dues", PASSWORD)
    base = f"/courses/{room.course.slug}"
    urls = {
        "course": base,
        "lecture": f"{base}/lectures/{room.lectures[1].slug}",
        "quiz": f"{base}/quizzes/{room.quiz.slug}",
    }
    counts = {}
    for page, url in urls.items():
        client.get(url).close()  # warm
        with counting(db.engine) as sent:
            response = client.get(url)
            html = response.get_data(as_text=True)
        assert response.status_code == 200, page
        assert "Due" in html, page
        counts[page] = len(sent)
    assert counts == PAGE_BUDGETS
