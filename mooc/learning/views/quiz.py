"""Quiz pages: the quiz's rules and past attempts, taking an attempt, and its feedback."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from mooc.assessment import queries as quiz_queries
from mooc.assessment import services as quizzes
from mooc.assessment.deadlines import quiz_due_at
from mooc.catalog import queries as catalog_queries
from mooc.catalog.models import Course
from mooc.db import utcnow
from mooc.extensions import db
from mooc.learning import permissions, services
from mooc.learning.deadlines import course_dues
from mooc.learning.views import flash_completion
from mooc.web import edge
from mooc.web.auth import current_account, login_required

bp = Blueprint("quiz", __name__)


def _enrolled_course(slug: str) -> Course:
    course = catalog_queries.course_by_slug(db.session, slug)
    message = _("Enrol in the course to take its quizzes.")
    permissions.require_enrolled(db.session, current_account(), course, message)
    return course


@bp.get("/courses/<slug>/quizzes/<quiz_slug>")
@login_required
def overview(slug: str, quiz_slug: str) -> ResponseReturnValue:
    course = _enrolled_course(slug)
    quiz = quiz_queries.quiz_by_slug(db.session, course.id, quiz_slug)
    user = current_account()
    return render_template(
        "learning/quiz.html",
        course=course,
        quiz=quiz,
        attempts=quiz_queries.submitted_attempts(db.session, user.id, quiz.id),
        open_attempt=quiz_queries.open_attempt(db.session, user.id, quiz.id),
        left=quiz_queries.remaining_attempts(db.session, user.id, quiz),
        due_at=quiz_due_at(db.session, user.id, quiz.id),
        quiz_due=course_dues(db.session, user.id, course.id, utcnow()).items.get(
            ("quiz", quiz.slug)
        ),
    )


@bp.post("/courses/<slug>/quizzes/<quiz_slug>/start")
@login_required
def start(slug: str, quiz_slug: str) -> ResponseReturnValue:
    course = _enrolled_course(slug)
    quiz = quiz_queries.quiz_by_slug(db.session, course.id, quiz_slug)
    attempt = quizzes.start_attempt(db.session, current_account(), quiz)
    db.session.commit()
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id), 303)


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int) -> ResponseReturnValue:
    found = quiz_queries.attempt_for(db.session, current_account(), attempt_id)
    if found.submitted_at is not None:
        return redirect(url_for("quiz.result", attempt_id=found.id))
    return render_template(
        "learning/attempt.html",
        attempt=found,
        quiz=found.quiz,
        seconds_left=quiz_queries.seconds_left(found),
    )


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int) -> ResponseReturnValue:
    user = current_account()
    found = quiz_queries.attempt_for(db.session, user, attempt_id)
    form = request.form.to_dict(flat=False)
    hints = quizzes.answers_to_rewrite(found, form)
    if hints:  # not graded, not consumed: the learner rewrites those answers
        flash(_("Some answers need rewriting before they can be graded; see the hints."), "error")
        return render_template(
            "learning/attempt.html", attempt=found, quiz=found.quiz, given=form, hints=hints
        ), 422
    responses = quizzes.parse_responses(found, form)
    submitted = services.submit_quiz(db.session, user, found, responses, base_url=edge.base_url())
    if submitted.newly_graded and found.late:
        flash(_("Time ran out before you submitted: this attempt scores 0."), "error")
    if submitted.completion is not None:
        flash_completion()
    db.session.commit()
    return redirect(url_for("quiz.result", attempt_id=found.id), 303)


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int) -> ResponseReturnValue:
    user = current_account()
    found = quiz_queries.attempt_for(db.session, user, attempt_id)
    if found.submitted_at is None:
        return redirect(url_for("quiz.attempt", attempt_id=found.id))
    score = quiz_queries.feedback(found)
    return render_template(
        "learning/result.html",
        attempt=found,
        quiz=found.quiz,
        score=score,
        revealed=quiz_queries.answers_shown(db.session, found),
        due_at=quiz_due_at(db.session, user.id, found.quiz_id),
        course=found.quiz.course,
        left=quiz_queries.remaining_attempts(db.session, user.id, found.quiz),
        open_attempt=quiz_queries.open_attempt(db.session, user.id, found.quiz_id),
    )
