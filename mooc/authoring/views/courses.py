"""Authoring pages for courses: my courses, new course, settings, structure and publishing."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from mooc.accounts.models import Institution, Role
from mooc.assessment.models import Quiz
from mooc.authoring import queries
from mooc.authoring.forms import ActionForm, CourseForm, QuizForm, TitleForm
from mooc.authoring.permissions import editable_course
from mooc.authoring.services import courses, quizzes
from mooc.catalog.levels import outcomes_field_label
from mooc.catalog.models import Course, Lecture, MediaAsset, Section
from mooc.errors import BadRequest, DomainError, NotFound
from mooc.extensions import db
from mooc.learning.syllabus import syllabus
from mooc.schools.queries.reports import taught_classes
from mooc.scorm import queries as scorm_queries
from mooc.web.auth import current_account, role_required
from mooc.web.forms import require_submitted

bp = Blueprint("courses", __name__, url_prefix="/author")


def _section(course: Course, section_id: int) -> Section:
    section = db.session.get(Section, section_id)
    if section is None or section.course_id != course.id:
        raise NotFound(_("No such section in this course."))
    return section


def _institution_choices() -> list[SelectChoice]:
    user = current_account()
    stmt = select(Institution).order_by(Institution.name)
    if not user.is_admin:
        stmt = stmt.where(Institution.id.in_(user.institution_ids(Role.TEACHER)))
    return [SelectChoice(i.id, i.name) for i in db.session.scalars(stmt)]


def _media_choices(course: Course | None) -> list[SelectChoice]:
    choices = [SelectChoice("", _("No cover image"))]
    if course is not None:
        names = db.session.scalars(
            select(MediaAsset.name)
            .where(MediaAsset.course_id == course.id, MediaAsset.content_type.like("image/%"))
            .order_by(MediaAsset.name)
        )
        choices += [SelectChoice(name, name) for name in names]
    return choices


@bp.get("/")
@role_required(Role.TEACHER)
def index() -> ResponseReturnValue:
    return render_template(
        "authoring/index.html",
        courses=queries.taught_courses(db.session, current_account()),
        classes=taught_classes(db.session, current_account()),
    )


@bp.route("/courses/new", methods=["GET", "POST"])
@role_required(Role.TEACHER)
def new_course() -> ResponseReturnValue:
    form = CourseForm()
    form.institution.choices = _institution_choices()
    form.cover_media.choices = _media_choices(None)
    if form.validate_on_submit():
        institution = db.session.get(Institution, form.institution.data)
        if institution is None:
            raise BadRequest(_("No such institution."))
        try:
            course = courses.create_course(
                db.session, current_account(), institution, form.slug.data or "", form.settings()
            )
        except DomainError as exc:
            getattr(form, exc.field or "title", form.title).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The course is created as a draft."), "success")
            return redirect(url_for("authoring.courses.course", slug=course.slug), 303)
    return render_template("authoring/new_course.html", form=form), 422 if form.errors else 200


@bp.route("/courses/<slug>", methods=["GET", "POST"])
@role_required(Role.TEACHER)
def course(slug: str) -> ResponseReturnValue:
    found = editable_course(db.session, current_account(), slug)
    form = CourseForm(obj=found if request.method == "GET" else None)
    del form.slug, form.institution
    form.outcomes.label.text = outcomes_field_label(found.level)
    form.cover_media.choices = _media_choices(found)
    if request.method == "GET":
        form.outcomes.data = "\n".join(found.outcomes)
        form.level.data = str(found.level)
        form.cover_media.data = found.cover_media or ""
    if form.validate_on_submit():
        try:
            courses.update_course(db.session, current_account(), found, form.settings())
        except DomainError as exc:
            getattr(form, exc.field or "title", form.title).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Course settings saved."), "success")
            return redirect(url_for("authoring.courses.course", slug=slug), 303)
    return render_template(
        "authoring/course.html",
        course=found,
        form=form,
        syllabus=syllabus(db.session, found),
        sections=found.sections,
        items=_structure(found),
        retired=queries.retired_items(db.session, found.id),
        scorm_lectures=set(scorm_queries.packages_of_course(db.session, found.id)),
        title_form=TitleForm(),
        quiz_form=QuizForm(),
        action=ActionForm(),
    ), 422 if form.errors else 200


def _structure(course: Course) -> dict[int, list[Lecture | Quiz]]:
    return {s.id: queries.section_items(db.session, s.id) for s in course.sections}


@bp.post("/courses/<slug>/publish")
@role_required(Role.TEACHER)
def publish(slug: str) -> ResponseReturnValue:
    found = editable_course(db.session, current_account(), slug)
    publish_it = request.form.get("state") != "draft"
    if ActionForm().validate_on_submit():
        try:
            courses.set_published(db.session, current_account(), found, publish_it)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(
                _("The course is published.") if publish_it else _("The course is hidden."),
                "success",
            )
    return redirect(url_for("authoring.courses.course", slug=slug), 303)


@bp.post("/courses/<slug>/sections")
@role_required(Role.TEACHER)
def add_section(slug: str) -> ResponseReturnValue:
    found = editable_course(db.session, current_account(), slug)
    form = TitleForm()
    if form.validate_on_submit():
        courses.add_section(db.session, current_account(), found, form.title.data or "")
        db.session.commit()
    else:
        flash(_("A section needs a title."), "error")
    return redirect(url_for("authoring.courses.course", slug=slug) + "#structure", 303)


@bp.post("/courses/<slug>/sections/<int:section_id>/<action>")
@role_required(Role.TEACHER)
def section_action(slug: str, section_id: int, action: str) -> ResponseReturnValue:
    found = editable_course(db.session, current_account(), slug)
    section = _section(found, section_id)
    require_submitted(ActionForm())
    title = request.form.get("title", "")
    try:
        return _section_action(slug, section, action, title)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("authoring.courses.course", slug=slug) + "#structure", 303)


def _section_action(slug: str, section: Section, action: str, title: str) -> ResponseReturnValue:
    user = current_account()
    if action == "rename":
        courses.rename_section(db.session, user, section, title)
    elif action == "delete":
        courses.delete_section(db.session, user, section)
    elif action in ("up", "down"):
        courses.move_section(db.session, user, section, -1 if action == "up" else 1)
    elif action == "lecture":
        lecture = courses.create_lecture(db.session, user, section, title)
        db.session.commit()
        return redirect(url_for("authoring.lectures.edit", slug=slug, lecture=lecture.slug), 303)
    elif action == "quiz":
        form = QuizForm()
        if not form.validate():
            flash(_("Check the quiz settings."), "error")
            return redirect(url_for("authoring.courses.course", slug=slug) + "#structure", 303)
        quiz = quizzes.create_quiz(db.session, user, section, form.settings())
        db.session.commit()
        return redirect(url_for("authoring.quizzes.edit", slug=slug, quiz=quiz.slug), 303)
    else:
        raise NotFound(_("No such action."))
    db.session.commit()
    return redirect(url_for("authoring.courses.course", slug=slug) + "#structure", 303)


@bp.post("/courses/<slug>/items/<kind>/<int:item_id>/move")
@role_required(Role.TEACHER)
def move_item(slug: str, kind: str, item_id: int) -> ResponseReturnValue:
    found = editable_course(db.session, current_account(), slug)
    item: Lecture | Quiz | None
    if kind == "lecture":
        item = db.session.get(Lecture, item_id)
    elif kind == "quiz":
        item = db.session.get(Quiz, item_id)
    else:
        raise NotFound(_("No such lecture or quiz in this course."))
    if item is None or item.course_id != found.id:
        raise NotFound(_("No such lecture or quiz in this course."))
    require_submitted(ActionForm())
    target = request.form.get("section", type=int)
    section = _section(found, target) if target else None
    delta = {"up": -1, "down": 1}.get(request.form.get("direction", ""), 0)
    courses.move_item(db.session, current_account(), item, delta, section)
    db.session.commit()
    return redirect(url_for("authoring.courses.course", slug=slug) + "#structure", 303)
