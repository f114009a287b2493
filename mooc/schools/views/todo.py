"""A pupil's "Việc cần làm" (to do): the full list at /my/todo, the first few on the dashboard
(a panel registered at import), and opening an assignment (enrolling the pupil in its course).
Also tells assessment the due date a pupil has for a quiz (its "after the due date" reveal), and
learning the due dates a pupil has in a course (shown on its course and lecture pages)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_timezone
from markupsafe import Markup

from mooc.assessment.deadlines import register_due_date_provider
from mooc.catalog.models import Course
from mooc.extensions import db
from mooc.learning import queries as learning_queries
from mooc.learning.deadlines import register_course_due_provider
from mooc.schools.blueprint import bp
from mooc.schools.core.todo import TodoState
from mooc.schools.models import AssignmentKind
from mooc.schools.permissions import in_a_class, pupil_class_ids
from mooc.schools.queries import todo
from mooc.schools.services import assignments as service
from mooc.web.auth import current_account, login_required
from mooc.web.dashboard_panels import register_panel

DASHBOARD_ITEMS = 5


@bp.get("/my/todo")
@login_required
def my_todo() -> ResponseReturnValue:
    pupil = current_account()
    class_ids = pupil_class_ids(db.session, pupil)
    pending, done = todo.pupil_todo(db.session, pupil, zone=get_timezone(), class_ids=class_ids)
    return render_template(
        "schools/todo.html", pending=pending, done=done, in_class=bool(class_ids)
    )


@bp.get("/my/assignments/<int:assignment_id>")
@login_required
def open_assignment(assignment_id: int) -> ResponseReturnValue:
    """Where the work is: the quiz, the first lecture not done, or the course. Enrols the pupil
    (idempotent), so a link in the to-do list always opens."""
    pupil = current_account()
    found = service.open_for_pupil(db.session, pupil, assignment_id)
    db.session.commit()
    course = db.session.get(Course, found.course_id)
    assert course is not None
    if found.kind is AssignmentKind.QUIZ and found.quiz_id is not None:
        quiz = todo.course_quizzes(db.session, course)
        slug = next((q.slug for q in quiz if q.id == found.quiz_id), None)
        if slug is not None:
            return redirect(url_for("quiz.overview", slug=course.slug, quiz_slug=slug))
    if found.kind is AssignmentKind.LECTURES:
        done = learning_queries.done_lecture_ids(db.session, pupil.id, course.id)
        lectures = todo.assignment_lectures(db.session, found)
        target = next((lec for lec in lectures if lec.id not in done and lec.section_id), None)
        if target is not None:
            return redirect(url_for("learning.lecture", slug=course.slug, lecture_slug=target.slug))
    return redirect(url_for("learning.resume", slug=course.slug))


def todo_panel(user: Any) -> Markup | None:
    """The dashboard's "to do" panel: for pupils of a class only."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    class_ids = pupil_class_ids(db.session, user)
    if not class_ids:
        return None
    pending, done = todo.pupil_todo(db.session, user, zone=get_timezone(), class_ids=class_ids)
    html = render_template(
        "schools/_todo_panel.html",
        pending=pending[:DASHBOARD_ITEMS],
        more=max(0, len(pending) - DASHBOARD_ITEMS),
        done_count=len(done),
        done_late_count=sum(1 for e in done if e.state is TodoState.DONE_LATE),
    )
    return Markup(html)  # noqa: S704 - an autoescaped template of ours


register_panel("todo", todo_panel, order=20)
register_due_date_provider("class assignments", todo.quiz_due_for_pupil)
register_course_due_provider("class assignments", todo.pupil_course_dues, in_a_class)
