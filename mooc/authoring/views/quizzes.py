"""The quiz builder: settings, questions of every type with validation, and a preview."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from mooc.accounts.models import Role
from mooc.assessment.models import Question, Quiz
from mooc.authoring import queries
from mooc.authoring.core import options
from mooc.authoring.forms import ActionForm, QuestionForm, QuizForm
from mooc.authoring.permissions import editable_course
from mooc.authoring.services import quizzes
from mooc.catalog.models import Course
from mooc.errors import DomainError, NotFound
from mooc.extensions import db
from mooc.web.auth import current_account, role_required
from mooc.web.forms import require_submitted

bp = Blueprint("quizzes", __name__, url_prefix="/author/courses/<slug>/quizzes")


def _quiz(course: Course, slug: str) -> Quiz:
    found = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id, Quiz.slug == slug))
    if found is None:
        raise NotFound(_("No such quiz."))
    return found


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def question_draft(form: QuestionForm) -> quizzes.QuestionDraft:
    kind = form.kind.data or "single"
    data: dict[str, Any]
    if kind in ("single", "multiple"):
        data = {"options": options.parse_options(form.options.data or "")}
        if kind == "multiple":
            data["partial_credit"] = bool(form.partial_credit.data)
    elif kind == "numeric":
        data = {
            "answer": _number(form.answer.data),
            "tolerance": _number(form.tolerance.data) or 0,
            "thousands_dot": bool(form.thousands_dot.data),
        }
    else:
        answers = [a.strip() for a in (form.answers.data or "").splitlines() if a.strip()]
        data = {"answers": answers, "ignore_diacritics": bool(form.ignore_diacritics.data)}
    return quizzes.QuestionDraft(
        kind=kind,
        prompt=form.prompt.data or "",
        explanation=form.explanation.data or "",
        points=form.points.data or 1,
        data=data,
    )


def _fill(form: QuestionForm, question: Question) -> None:
    data = question.data
    form.kind.data = str(question.kind)
    form.prompt.data = question.prompt
    form.explanation.data = question.explanation
    form.points.data = question.points
    form.options.data = options.format_options(data.get("options", []))
    form.partial_credit.data = bool(data.get("partial_credit"))
    form.answer.data = Decimal(str(data["answer"])) if "answer" in data else None
    form.tolerance.data = Decimal(str(data.get("tolerance", 0)))
    form.thousands_dot.data = bool(data.get("thousands_dot"))
    form.answers.data = "\n".join(data.get("answers", []))
    form.ignore_diacritics.data = bool(data.get("ignore_diacritics"))


@bp.route("/<quiz>/edit", methods=["GET", "POST"])
@role_required(Role.TEACHER)
def edit(slug: str, quiz: str) -> ResponseReturnValue:
    course = editable_course(db.session, current_account(), slug)
    found = _quiz(course, quiz)
    form = QuizForm(obj=found if request.method == "GET" else None)
    if request.method == "GET":
        form.policy.data = str(found.policy)
    if form.validate_on_submit():
        try:
            quizzes.update_quiz(db.session, current_account(), found, form.settings())
        except DomainError as exc:
            getattr(form, exc.field or "title", form.title).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Quiz settings saved."), "success")
            return redirect(url_for(".edit", slug=slug, quiz=found.slug), 303)
    return render_template(
        "authoring/quiz_edit.html",
        course=course,
        quiz=found,
        form=form,
        question_form=QuestionForm(),
        action=ActionForm(),
    ), 422 if form.errors else 200


@bp.route("/<quiz>/questions/new", methods=["POST"])
@bp.route("/<quiz>/questions/<int:question_id>", methods=["GET", "POST"])
@role_required(Role.TEACHER)
def question(slug: str, quiz: str, question_id: int | None = None) -> ResponseReturnValue:
    course = editable_course(db.session, current_account(), slug)
    found = _quiz(course, quiz)
    existing = queries.question_of(db.session, found, question_id) if question_id else None
    form = QuestionForm()
    if request.method == "GET" and existing is not None:
        _fill(form, existing)
    status = 200
    if form.validate_on_submit():
        draft = question_draft(form)
        try:
            if existing is None:
                quizzes.add_question(db.session, current_account(), found, draft)
            else:
                quizzes.update_question(db.session, current_account(), existing, draft)
        except DomainError as exc:
            db.session.rollback()
            status = exc.status
            target = form.options if exc.field == "data" else getattr(form, exc.field or "prompt")
            target.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Question saved."), "success")
            return redirect(url_for(".edit", slug=slug, quiz=found.slug) + "#questions", 303)
    elif form.errors:
        status = 422
    return render_template(
        "authoring/question_edit.html", course=course, quiz=found, form=form, question=existing
    ), status


@bp.post("/<quiz>/questions/<int:question_id>/<action>")
@role_required(Role.TEACHER)
def question_action(slug: str, quiz: str, question_id: int, action: str) -> ResponseReturnValue:
    course = editable_course(db.session, current_account(), slug)
    found = _quiz(course, quiz)
    existing = queries.question_of(db.session, found, question_id)
    require_submitted(ActionForm())
    user = current_account()
    if action == "delete":
        quizzes.delete_question(db.session, user, existing)
    elif action in ("up", "down"):
        quizzes.move_question(db.session, user, existing, -1 if action == "up" else 1)
    else:
        raise NotFound(_("No such action."))
    db.session.commit()
    return redirect(url_for(".edit", slug=slug, quiz=found.slug) + "#questions", 303)


@bp.post("/<quiz>/delete")
@role_required(Role.TEACHER)
def delete(slug: str, quiz: str) -> ResponseReturnValue:
    course = editable_course(db.session, current_account(), slug)
    found = _quiz(course, quiz)
    require_submitted(ActionForm())
    removal = quizzes.delete_quiz(db.session, current_account(), found)
    db.session.commit()
    if removal == "retired":
        flash(
            _(
                "Learners have attempted this quiz, so it was retired: hidden from them, "
                "their attempts kept."
            ),
            "success",
        )
    else:
        flash(_("Quiz deleted."), "success")
    return redirect(url_for("authoring.courses.course", slug=slug) + "#structure", 303)
