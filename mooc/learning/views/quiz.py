"""Quiz pages: the quiz's rules and past attempts, taking an attempt, and its feedback."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mooc.accounts import queries as account_queries
from mooc.accounts.models import User
from mooc.accounts.signed_in import SignedIn
from mooc.assessment import queries as quiz_queries
from mooc.assessment import services as quizzes
from mooc.assessment.deadlines import quiz_due_at
from mooc.assessment.models import Quiz
from mooc.db import utcnow
from mooc.errors import NotFound, PermissionDenied
from mooc.extensions import db
from mooc.learning import queries, services
from mooc.learning.deadlines import NO_DUES, course_dues
from mooc.learning.queries import QuizVisit
from mooc.learning.views import flash_completion, own_session, reader_slots
from mooc.web import edge
from mooc.web.auth import current_account, login_required

bp = Blueprint("quiz", __name__)


def _quiz_session(user_id: str) -> SignedIn | User | None:
    """The quiz page's loader: the session checked in `queries.quiz_visit`."""
    args = request.view_args or {}
    if "quiz_slug" not in args:
        return account_queries.load_session_user(db.session, user_id)
    return own_session(
        user_id,
        "quiz_visit",
        lambda person_id: queries.quiz_visit(
            db.session, args["slug"], args["quiz_slug"], person_id
        ),
    )


# Pages whose own statement checks the session (mooc.factory's user loader asks them first).
SESSION_LOADERS = {"quiz.overview": _quiz_session}


def _enrolled_quiz(slug: str, quiz_slug: str, user_id: int) -> tuple[QuizVisit, Quiz]:
    """The course's quiz for a learner enrolled in it, from the statement the session's check
    read (else read now): no such course, not enrolled, no such quiz, in that order."""
    visit: QuizVisit | None = g.pop("quiz_visit", None)
    if visit is None:
        visit = queries.quiz_visit(db.session, slug, quiz_slug, user_id)
    if visit is None or not visit.course.is_published:
        raise NotFound(_("No such course."))
    if not visit.enrolled:
        raise PermissionDenied(_("Enrol in the course to take its quizzes."))
    if visit.quiz is None:  # retired quizzes are out of the course for learners
        raise NotFound(_("No such quiz."))
    return visit, visit.quiz


@bp.get("/courses/<slug>/quizzes/<quiz_slug>")
@login_required
def overview(slug: str, quiz_slug: str) -> ResponseReturnValue:
    """One statement for the session's check, the course, the quiz, its number of questions and
    the learner's enrolment; one for their attempts; their due dates."""
    person: SignedIn | User = current_user._get_current_object()
    visit, quiz = _enrolled_quiz(slug, quiz_slug, person.id)
    mine = quiz_queries.attempt_summary(db.session, person.id, quiz.id)
    dues = NO_DUES  # unless a class of theirs may set some (learning.deadlines.may_have_dues)
    if visit.may_have_dues:
        dues = course_dues(db.session, person.id, visit.course.id, utcnow())
    return render_template(
        "learning/quiz.html",
        course=visit.course,
        quiz=quiz,
        questions=visit.questions,
        attempts=mine.submitted,
        open_attempt=mine.open,
        left=mine.left(quiz),
        due_at=quiz_due_at(db.session, person.id, quiz.id),
        quiz_due=dues.items.get(("quiz", quiz.slug)),
        page_slots=reader_slots(person, visit.unread),
    )


@bp.post("/courses/<slug>/quizzes/<quiz_slug>/start")
@login_required
def start(slug: str, quiz_slug: str) -> ResponseReturnValue:
    user = current_account()
    _visit, quiz = _enrolled_quiz(slug, quiz_slug, user.id)
    attempt = quizzes.start_attempt(db.session, user, quiz)
    attempt_id = attempt.id  # read before the commit expires it
    db.session.commit()
    return redirect(url_for("quiz.attempt", attempt_id=attempt_id), 303)


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
    return redirect(url_for("quiz.result", attempt_id=attempt_id), 303)


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int) -> ResponseReturnValue:
    user = current_account()
    found = quiz_queries.attempt_for(db.session, user, attempt_id)
    if found.submitted_at is None:
        return redirect(url_for("quiz.attempt", attempt_id=found.id))
    score = quiz_queries.feedback(found)
    mine = quiz_queries.attempt_summary(db.session, user.id, found.quiz_id)
    due_at = quiz_due_at(db.session, user.id, found.quiz_id)
    return render_template(
        "learning/result.html",
        attempt=found,
        quiz=found.quiz,
        score=score,
        revealed=quiz_queries.answers_shown(db.session, found, summary=mine, due_at=due_at),
        due_at=due_at,
        course=found.quiz.course,
        left=mine.left(found.quiz),
        open_attempt=mine.open,
    )
