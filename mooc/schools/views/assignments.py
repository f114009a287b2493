"""A class's teachers set work: the list of assignments, a new one (choose a course, then what
of it and when), changing one, withdrawing one (confirmed, never deleted)."""

from __future__ import annotations

import datetime as dt
import secrets

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import SelectChoice

from mooc.assessment.models import Quiz
from mooc.catalog.models import Course
from mooc.errors import DomainError, Invalid
from mooc.extensions import db
from mooc.learning.queries import ordered_lectures
from mooc.schools.blueprint import bp
from mooc.schools.core.todo import local_to_utc, utc_to_local
from mooc.schools.forms import (
    AssignmentEditForm,
    AssignmentForm,
    AssignmentTimesForm,
    ConfirmForm,
)
from mooc.schools.models import Assignment, AssignmentKind, SchoolClass
from mooc.schools.permissions import taught_class
from mooc.schools.queries import todo
from mooc.schools.services import assignments as service
from mooc.web.auth import current_account, login_required
from mooc.web.i18n import select_timezone


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return local_to_utc(value, select_timezone()) if value else None


def _show_error(form: AssignmentTimesForm, exc: DomainError) -> None:
    field = getattr(form, exc.field or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, exc.message]
    else:
        flash(exc.message, "error")


@bp.get("/classes/<int:class_id>/assignments")
@login_required
def assignments(class_id: int) -> ResponseReturnValue:
    school_class = taught_class(db.session, current_account(), class_id)
    return render_template(
        "schools/assignments.html",
        school_class=school_class,
        rows=todo.class_assignments(db.session, school_class),
    )


def _chosen_course(school_class: SchoolClass) -> Course | None:
    raw = request.values.get("course", "")
    if not raw:
        return None
    course = db.session.get(Course, int(raw)) if raw.isdigit() else None
    if course is None or not course.is_published:
        raise Invalid(_("Choose a published course."), field="course")
    return course


@bp.route("/classes/<int:class_id>/assignments/new", methods=["GET", "POST"])
@login_required
def new_assignment(class_id: int) -> ResponseReturnValue:
    teacher = current_account()
    school_class = taught_class(db.session, teacher, class_id)
    course = _chosen_course(school_class)
    if course is None:  # step 1: which course (a GET form, works without JavaScript)
        return render_template(
            "schools/assignment_course.html",
            school_class=school_class,
            courses=todo.assignable_courses(db.session, school_class),
        )
    form = AssignmentForm()
    quizzes = todo.course_quizzes(db.session, course)
    form.quiz_id.choices = [SelectChoice(q.id, q.title) for q in quizzes]
    lectures = ordered_lectures(db.session, course)
    form.lecture_ids.choices = [SelectChoice(lec.id, lec.title) for lec in lectures]
    if request.method == "GET":
        form.token.data = secrets.token_urlsafe(24)
        form.kind.data = "quiz" if quizzes else "lectures"
    status = 200
    if form.validate_on_submit():
        draft = service.AssignmentDraft(
            course_id=course.id,
            kind=form.kind.data or "",
            quiz_id=form.quiz_id.data,
            lecture_ids=form.lecture_ids.data or [],
            note=form.note.data or "",
            starts_at=_utc(form.starts_at.data),
            due_at=_utc(form.due_at.data),
        )
        try:
            __, created = service.create_assignment(
                db.session, teacher, school_class, draft, token=form.token.data or ""
            )
        except DomainError as exc:
            db.session.rollback()
            _show_error(form, exc)
            status = exc.status
        else:
            db.session.commit()
            if created:
                flash(
                    _("The work is assigned to class %(name)s.", name=school_class.name), "success"
                )
            return redirect(url_for("schools.assignments", class_id=school_class.id), 303)
    elif form.errors:
        status = 422
    return render_template(
        "schools/assignment_new.html",
        school_class=school_class,
        course=course,
        form=form,
        has_quizzes=bool(quizzes),
        timezone=select_timezone(),
    ), status


def _quiz(assignment: Assignment) -> Quiz | None:
    return db.session.get(Quiz, assignment.quiz_id) if assignment.quiz_id else None


def _assignment(class_id: int, assignment_id: int) -> tuple[SchoolClass, Assignment]:
    school_class = taught_class(db.session, current_account(), class_id)
    return school_class, service.assignment_of_class(db.session, school_class, assignment_id)


@bp.route("/classes/<int:class_id>/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_assignment(class_id: int, assignment_id: int) -> ResponseReturnValue:
    school_class, found = _assignment(class_id, assignment_id)
    course = db.session.get(Course, found.course_id)
    assert course is not None
    form = AssignmentEditForm()
    is_lectures = found.kind is AssignmentKind.LECTURES
    if is_lectures:
        form.lecture_ids.choices = [
            SelectChoice(lec.id, lec.title) for lec in ordered_lectures(db.session, course)
        ]
    if request.method == "GET":
        zone = select_timezone()
        form.starts_at.data = utc_to_local(found.starts_at, zone) if found.starts_at else None
        form.due_at.data = utc_to_local(found.due_at, zone) if found.due_at else None
        form.note.data = found.note or ""
        form.lecture_ids.data = [row.lecture_id for row in found.lectures]
    status = 200
    if form.validate_on_submit():
        try:
            service.update_assignment(
                db.session,
                current_account(),
                found,
                note=form.note.data or "",
                starts_at=_utc(form.starts_at.data),
                due_at=_utc(form.due_at.data),
                lecture_ids=(form.lecture_ids.data or []) if is_lectures else None,
            )
        except DomainError as exc:
            db.session.rollback()
            _show_error(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(_("Assignment saved."), "success")
            return redirect(url_for("schools.assignments", class_id=school_class.id), 303)
    elif form.errors:
        status = 422
    return render_template(
        "schools/assignment_edit.html",
        school_class=school_class,
        assignment=found,
        course=course,
        assignment_quiz=_quiz(found),
        form=form,
        is_lectures=is_lectures,
        timezone=select_timezone(),
    ), status


@bp.route(
    "/classes/<int:class_id>/assignments/<int:assignment_id>/withdraw", methods=["GET", "POST"]
)
@login_required
def withdraw_assignment(class_id: int, assignment_id: int) -> ResponseReturnValue:
    """GET asks for confirmation; POST (with its CSRF token) withdraws."""
    school_class, found = _assignment(class_id, assignment_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        service.withdraw_assignment(db.session, current_account(), found)
        db.session.commit()
        flash(_("The work is withdrawn; the pupils' work on it is kept."), "success")
        return redirect(url_for("schools.assignments", class_id=school_class.id), 303)
    return render_template(
        "schools/assignment_withdraw.html",
        school_class=school_class,
        assignment=found,
        course=db.session.get(Course, found.course_id),
        assignment_quiz=_quiz(found),
        form=form,
    ), 400 if request.method == "POST" else 200
