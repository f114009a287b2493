"""The lecture editor: draft, preview (with and without JavaScript), publish, history, restore."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from mooc.accounts.models import Role
from mooc.authoring import queries
from mooc.authoring.core import diffing
from mooc.authoring.forms import ActionForm, LectureForm
from mooc.authoring.permissions import editable_course
from mooc.authoring.services import courses, lectures
from mooc.catalog.models import Course, Lecture
from mooc.errors import DomainError, NotFound
from mooc.extensions import db
from mooc.web import edge
from mooc.web.auth import current_account, role_required
from mooc.web.errors import problem
from mooc.web.forms import require_submitted

bp = Blueprint("lectures", __name__, url_prefix="/author/courses/<slug>/lectures")


def _lecture(course: Course, slug: str) -> Lecture:
    found = db.session.scalar(
        select(Lecture).where(Lecture.course_id == course.id, Lecture.slug == slug)
    )
    if found is None:
        raise NotFound(_("No such lecture in this course."))
    return found


def _draft(form: LectureForm) -> lectures.Draft:
    return lectures.Draft(
        title=form.title.data or "",
        source=(form.source.data or "").replace("\r\n", "\n"),
        required=bool(form.required.data),
        minutes=form.minutes.data,
    )


@bp.route("/<lecture>/edit", methods=["GET", "POST"])
@role_required(Role.TEACHER)
def edit(slug: str, lecture: str) -> ResponseReturnValue:
    course = editable_course(db.session, current_account(), slug)
    found = _lecture(course, lecture)
    form = LectureForm(obj=found if request.method == "GET" else None)
    if request.method == "GET":
        form.source.data = found.draft_source
        form.revision.data = str(found.draft_revision)
    preview = None
    status = 200
    if form.validate_on_submit():
        if form.preview.data:
            preview = lectures.preview(db.session, found, form.source.data or "", edge.storage())
        else:
            try:
                lectures.save_draft(
                    db.session,
                    current_account(),
                    found,
                    _draft(form),
                    base_revision=int(form.revision.data or 0),
                )
                message = _("Draft saved.")
                if form.publish.data:
                    version = lectures.publish(db.session, current_account(), found, edge.storage())
                    message = (
                        _("Published as version %(n)d.", n=version.number)
                        if version
                        else _("Nothing changed since the published version.")
                    )
            except DomainError as exc:
                db.session.rollback()
                status = exc.status
                getattr(form, exc.field or "source", form.source).errors.append(exc.message)
            else:
                db.session.commit()
                flash(message, "success")
                return redirect(url_for(".edit", slug=slug, lecture=found.slug), 303)
    elif form.errors:
        status = 422
    return render_template(
        "authoring/lecture_edit.html",
        course=course,
        lecture=found,
        form=form,
        preview=preview,
        action=ActionForm(),
    ), status


@bp.post("/<lecture>/preview")
@role_required(Role.TEACHER)
def preview(slug: str, lecture: str) -> ResponseReturnValue:
    """JSON preview for the editor script (progressive enhancement of the Preview button)."""
    course = editable_course(db.session, current_account(), slug)
    found = _lecture(course, lecture)
    rendered = lectures.preview(db.session, found, request.form.get("source", ""), edge.storage())
    return jsonify(html=rendered.html)


@bp.post("/<lecture>/autosave")
@role_required(Role.TEACHER)
def autosave(slug: str, lecture: str) -> ResponseReturnValue:
    """Save the draft in the background; 409 (problem JSON) when someone else saved first."""
    course = editable_course(db.session, current_account(), slug)
    found = _lecture(course, lecture)
    form = LectureForm()
    if not form.validate_on_submit():
        return problem(422, _("The draft could not be read."), errors=form.errors)
    try:
        revision = lectures.save_draft(
            db.session,
            current_account(),
            found,
            _draft(form),
            base_revision=int(form.revision.data or 0),
        )
    except DomainError as exc:
        db.session.rollback()
        return problem(exc.status, exc.message)
    db.session.commit()
    return jsonify(revision=revision, saved=True)


@bp.post("/<lecture>/delete")
@role_required(Role.TEACHER)
def delete(slug: str, lecture: str) -> ResponseReturnValue:
    course = editable_course(db.session, current_account(), slug)
    found = _lecture(course, lecture)
    require_submitted(ActionForm())
    try:
        removal = courses.delete_lecture(db.session, current_account(), found)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".edit", slug=slug, lecture=lecture), 303)
    db.session.commit()
    if removal == "retired":
        flash(
            _(
                "Learners have studied this lecture, so it was retired: hidden from them, "
                "their progress kept."
            ),
            "success",
        )
    else:
        flash(_("Lecture deleted."), "success")
    return redirect(url_for("authoring.courses.course", slug=slug) + "#structure", 303)


@bp.get("/<lecture>/history")
@role_required(Role.TEACHER)
def history(slug: str, lecture: str) -> ResponseReturnValue:
    course = editable_course(db.session, current_account(), slug)
    found = _lecture(course, lecture)
    all_versions = queries.versions(db.session, found)
    newest = all_versions[0].number if all_versions else 0
    a = request.args.get("a", type=int) or max(newest - 1, 1)
    b = request.args.get("b", type=int) or newest
    diff = None
    if all_versions and a != b:
        old = queries.version(db.session, found, a)
        new = queries.version(db.session, found, b)
        diff = diffing.diff(old.source, new.source)
    return render_template(
        "authoring/lecture_history.html",
        course=course,
        lecture=found,
        versions=all_versions,
        a=a,
        b=b,
        diff=diff,
        action=ActionForm(),
    )


@bp.post("/<lecture>/restore/<int:number>")
@role_required(Role.TEACHER)
def restore(slug: str, lecture: str, number: int) -> ResponseReturnValue:
    course = editable_course(db.session, current_account(), slug)
    found = _lecture(course, lecture)
    require_submitted(ActionForm())
    lectures.restore_as_draft(db.session, current_account(), found, number)
    db.session.commit()
    flash(
        _("Version %(n)d is now the draft. Publish it to show it to students.", n=number), "success"
    )
    return redirect(url_for(".edit", slug=slug, lecture=found.slug), 303)
