"""Quiz pages: the quiz's rules and past attempts, taking an attempt, and its feedback."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from mooc.assessment import services as quizzes
from mooc.catalog import queries as catalog_queries
from mooc.catalog.models import Course
from mooc.errors import PermissionDenied
from mooc.extensions import db
from mooc.learning import services, xapi
from mooc.learning.views import flash_completion
from mooc.web import edge
from mooc.web.auth import current_account

bp = Blueprint("quiz", __name__)


def _enrolled_course(slug: str) -> Course:
    course = catalog_queries.course_by_slug(db.session, slug)
    if not services.is_enrolled(db.session, current_account().id, course.id):
        raise PermissionDenied(_("Enrol in the course to take its quizzes."))
    return course


@bp.get("/courses/<slug>/quizzes/<quiz_slug>")
@login_required
def overview(slug: str, quiz_slug: str) -> ResponseReturnValue:
    course = _enrolled_course(slug)
    quiz = quizzes.quiz_by_slug(db.session, course.id, quiz_slug)
    user = current_account()
    return render_template(
        "learning/quiz.html",
        course=course,
        quiz=quiz,
        attempts=quizzes.submitted_attempts(db.session, user.id, quiz.id),
        open_attempt=quizzes.open_attempt(db.session, user.id, quiz.id),
        left=quizzes.remaining_attempts(db.session, user.id, quiz),
    )


@bp.post("/courses/<slug>/quizzes/<quiz_slug>/start")
@login_required
def start(slug: str, quiz_slug: str) -> ResponseReturnValue:
    course = _enrolled_course(slug)
    quiz = quizzes.quiz_by_slug(db.session, course.id, quiz_slug)
    attempt = quizzes.start_attempt(db.session, current_account(), quiz)
    db.session.commit()
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id), 303)


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int) -> ResponseReturnValue:
    found = quizzes.attempt_for(db.session, current_account(), attempt_id)
    if found.submitted_at is not None:
        return redirect(url_for("quiz.result", attempt_id=found.id))
    return render_template(
        "learning/attempt.html",
        attempt=found,
        quiz=found.quiz,
        seconds_left=quizzes.seconds_left(found),
    )


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int) -> ResponseReturnValue:
    user = current_account()
    found = quizzes.attempt_for(db.session, user, attempt_id)
    form = request.form.to_dict(flat=False)
    hints = quizzes.answers_to_rewrite(found, form)
    if hints:  # not graded, not consumed: the learner rewrites those answers
        flash(_("Some answers need rewriting before they can be graded; see the hints."), "error")
        return render_template(
            "learning/attempt.html", attempt=found, quiz=found.quiz, given=form, hints=hints
        ), 422
    responses = quizzes.parse_responses(found, form)
    submission = quizzes.submit_attempt(db.session, found, responses)
    if submission.newly_graded and submission.score is not None:
        base_url = edge.base_url()
        when = found.submitted_at
        assert when is not None
        for question in found.questions:
            grade = submission.score.grades[int(question["id"])]
            statement = xapi.question_answered(
                user,
                found.quiz,
                question,
                responses.get(int(question["id"])),
                grade.fraction,
                base_url=base_url,
                when=when,
            )
            xapi.record(db.session, statement, user_id=user.id)
        xapi.record(
            db.session,
            xapi.quiz_result(user, found.quiz, found, base_url=base_url, when=when),
            user_id=user.id,
        )
        if found.late:
            flash(_("Time ran out before you submitted: this attempt scores 0."), "error")
        course = found.quiz.course
        if services.complete_course_if_earned(db.session, user, course, base_url=base_url):
            flash_completion()
    db.session.commit()
    return redirect(url_for("quiz.result", attempt_id=found.id), 303)


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int) -> ResponseReturnValue:
    user = current_account()
    found = quizzes.attempt_for(db.session, user, attempt_id)
    if found.submitted_at is None:
        return redirect(url_for("quiz.attempt", attempt_id=found.id))
    score = quizzes.feedback(found)
    return render_template(
        "learning/result.html",
        attempt=found,
        quiz=found.quiz,
        score=score,
        course=found.quiz.course,
        left=quizzes.remaining_attempts(db.session, user.id, found.quiz),
        open_attempt=quizzes.open_attempt(db.session, user.id, found.quiz_id),
    )
