"""A pupil's class work read in one statement (`queries.pupil_work`): their classes, the work set,
what is done and when, as the to-do rule reads it — and only their own classes' work."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.db import utcnow
from mooc.schools.core.todo import TodoState
from mooc.schools.models import AssignmentKind, ClassMember, ClassRole
from mooc.schools.queries.pupil_work import WorkItem, pupil_work
from mooc.schools.queries.todo import done_times_of
from tests.factories import PASSWORD, make_user
from tests.helpers import login
from tests.integration.schools.report_setup import (
    add_pupil,
    assign,
    make_classroom,
    study,
    take_quiz,
)

ZONE = dt.UTC


def _by_assignment(entries: list) -> dict[int, TodoState]:  # type: ignore[type-arg]
    return {entry.ref.assignment_id: entry.state for entry in entries}


def test_a_pupil_in_no_class_has_no_class_work(session: Session) -> None:
    loner = make_user(session, name="Trần Một Mình")
    work = pupil_work(session, loner.id, zone=ZONE, now=utcnow())
    assert not work.in_class and work.classes == [] and work.pending == [] and work.done == []


def test_work_due_and_done_follow_the_to_do_rule(session: Session) -> None:
    now = utcnow()
    room = make_classroom(session)
    pupil = add_pupil(session, room, "Lê Văn An")
    quiz = assign(session, room, AssignmentKind.QUIZ, due_at=now + dt.timedelta(days=3))
    first_two = assign(session, room, AssignmentKind.LECTURES, lectures=room.lectures[:2])
    three = assign(session, room, AssignmentKind.LECTURES, lectures=room.lectures[:3])
    course = assign(session, room, AssignmentKind.COURSE, due_at=now - dt.timedelta(days=1))
    late_start = assign(session, room, AssignmentKind.COURSE)
    late_start.starts_at = now + dt.timedelta(days=5)  # not started yet: left out
    withdrawn = assign(session, room, AssignmentKind.QUIZ)
    withdrawn.withdrawn_at = now  # withdrawn: left out
    take_quiz(session, pupil, room.quiz, right=1)
    study(session, pupil, room.lectures[:2])
    session.flush()

    work = pupil_work(session, pupil.id, zone=ZONE, now=now)

    assert work.in_class
    assert [(c.name, c.homeroom, c.year) for c in work.classes] == [("6A1", "Cô Lan", "2026–2027")]
    done, pending = _by_assignment(work.done), _by_assignment(work.pending)
    assert done == {quiz.id: TodoState.DONE, first_two.id: TodoState.DONE}
    assert pending == {three.id: TodoState.OPEN, course.id: TodoState.LATE}
    items = {e.ref.assignment_id: e.ref for e in work.done + work.pending}
    assert all(isinstance(item, WorkItem) for item in items.values())
    assert items[three.id].lecture_count == 3 and items[three.id].kind is AssignmentKind.LECTURES
    assert items[quiz.id].quiz is not None and items[quiz.id].quiz.title == room.quiz.title
    assert items[course.id].course.title == room.course.title and items[course.id].quiz is None
    # Done as the class report's rule reads it.
    times = done_times_of(session, [quiz, first_two, three, course], [pupil.id])
    assert {a for a, t in times.items() if pupil.id in t} == set(done)


def test_done_late_when_finished_after_the_due_time(session: Session) -> None:
    now = utcnow()
    room = make_classroom(session)
    pupil = add_pupil(session, room, "Phạm Thị Bình")
    due = now - dt.timedelta(days=2)
    quiz = assign(session, room, AssignmentKind.QUIZ, due_at=due)
    take_quiz(session, pupil, room.quiz, at=now - dt.timedelta(days=1))
    work = pupil_work(session, pupil.id, zone=ZONE, now=now)
    assert _by_assignment(work.done) == {quiz.id: TodoState.DONE_LATE}


def test_a_pupil_sees_only_their_own_classes_work(session: Session) -> None:
    mine, theirs = make_classroom(session, name="6A1"), make_classroom(session, name="6A2")
    pupil = add_pupil(session, mine, "Ngô Minh Châu")
    other = add_pupil(session, theirs, "Đỗ Văn Dũng")
    own = assign(session, mine, AssignmentKind.COURSE)
    elsewhere = assign(session, theirs, AssignmentKind.COURSE)
    # Teaching a class (not being its pupil) shows none of its work either.
    session.add(
        ClassMember(class_id=theirs.school_class.id, user_id=pupil.id, role=ClassRole.TEACHER)
    )
    session.flush()
    work = pupil_work(session, pupil.id, zone=ZONE, now=utcnow())
    assert [c.name for c in work.classes] == ["6A1"]
    assert set(_by_assignment(work.pending)) == {own.id}
    assert set(_by_assignment(pupil_work(session, other.id, zone=ZONE, now=utcnow()).pending)) == {
        elsewhere.id
    }


def test_a_left_or_disabled_class_shows_no_work(session: Session) -> None:
    left, disabled = make_classroom(session, name="5A"), make_classroom(session, name="6A")
    pupil = add_pupil(session, left, "Vũ Thị Em")
    add_pupil(session, disabled, "Vũ Thị Em 2")
    session.add(
        ClassMember(class_id=disabled.school_class.id, user_id=pupil.id, role=ClassRole.PUPIL)
    )
    assign(session, left, AssignmentKind.COURSE)
    assign(session, disabled, AssignmentKind.COURSE)
    for member in left.school_class.members:
        member.ended_at = utcnow()
    disabled.school_class.disabled_at = utcnow()
    session.flush()
    work = pupil_work(session, pupil.id, zone=ZONE, now=utcnow())
    # Still a pupil of a (disabled) class: the to-do page says "nothing to do", not "no class".
    assert work.in_class and work.classes == [] and work.pending == [] and work.done == []


def test_the_to_do_page_and_the_dashboard_show_the_pupils_work(
    client: FlaskClient, session: Session
) -> None:
    mine, theirs = make_classroom(session, name="6A1"), make_classroom(session, name="6A2")
    pupil = add_pupil(session, mine, "Hoàng Gia", email="gia@school.test")
    pupil.locale = "en"
    own = assign(session, mine, AssignmentKind.QUIZ, due_at=utcnow() + dt.timedelta(days=2))
    own.note = "Mine to do"
    elsewhere = assign(session, theirs, AssignmentKind.COURSE)
    elsewhere.note = "Not mine"
    session.commit()
    login(client, "gia@school.test", PASSWORD)
    for url in ("/my/todo", "/dashboard"):
        page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert "Mine to do" in page and "Not mine" not in page, url
        assert f"/my/assignments/{own.id}" in page and f"/my/assignments/{elsewhere.id}" not in page
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Class 6A1" in dashboard and "Cô Lan" in dashboard and "Class 6A2" not in dashboard
