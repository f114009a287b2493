"""A pupil's "Việc cần làm" (to do): the full list at /my/todo (the first few are on the dashboard,
`views.panels`), and opening an assignment (enrolling the pupil in its course).
Also tells assessment the due date a pupil has for a quiz (its "after the due date" reveal), and
learning the due dates a pupil has in a course (shown on its course and lecture pages)."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_timezone

from mooc.assessment.deadlines import register_due_date_provider
from mooc.catalog.models import Course
from mooc.db import utcnow
from mooc.extensions import db
from mooc.learning import queries as learning_queries
from mooc.learning.deadlines import register_course_due_provider
from mooc.schools.blueprint import bp
from mooc.schools.models import AssignmentKind
from mooc.schools.permissions import in_a_class
from mooc.schools.queries import todo
from mooc.schools.queries.pupil_work import pupil_work
from mooc.schools.services import assignments as service
from mooc.web.auth import current_account, login_required


@bp.get("/my/todo")
@login_required
def my_todo() -> ResponseReturnValue:
    work = pupil_work(db.session, current_account().id, zone=get_timezone(), now=utcnow())
    return render_template(
        "schools/todo.html", pending=work.pending, done=work.done, in_class=work.in_class
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


register_due_date_provider("class assignments", todo.quiz_due_for_pupil)
register_course_due_provider("class assignments", todo.pupil_course_dues, in_a_class)
