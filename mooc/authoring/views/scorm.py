"""SCORM lectures in the editor: upload a package as a new lecture of a section, and a SCORM
lecture's page (its SCOs, replacing the zip, whether its score counts in the final grade)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from mooc.accounts.models import Role
from mooc.authoring.forms import ScormSettingsForm, ScormUploadForm
from mooc.authoring.permissions import editable_course
from mooc.authoring.services import scorm
from mooc.catalog.models import Course, Lecture, Section
from mooc.errors import DomainError, NotFound
from mooc.extensions import db
from mooc.jobs import current_queue
from mooc.scorm import queries as scorm_queries
from mooc.scorm.core.archive import Limits
from mooc.scorm.jobs import SWEEP
from mooc.web import edge
from mooc.web.auth import current_account, role_required

bp = Blueprint("scorm", __name__, url_prefix="/author/courses/<slug>")


def _limits() -> Limits:
    return Limits(max_bytes=edge.settings().scorm_max_mb * 1024 * 1024)


def _allow_upload() -> None:
    # A package may be larger than other requests: up to the SCORM limit (plus the form).
    request.max_content_length = _limits().max_bytes + 1024 * 1024


def _section(course: Course, section_id: int) -> Section:
    section = db.session.get(Section, section_id)
    if section is None or section.course_id != course.id:
        raise NotFound(_("No such section in this course."))
    return section


@bp.route("/sections/<int:section_id>/scorm", methods=["GET", "POST"])
@role_required(Role.TEACHER)
def upload(slug: str, section_id: int) -> ResponseReturnValue:
    course = editable_course(db.session, current_account(), slug)
    section = _section(course, section_id)
    _allow_upload()
    form = ScormUploadForm()
    status = 200
    if form.validate_on_submit():
        try:
            lecture = scorm.add_scorm_lecture(
                db.session,
                current_account(),
                section,
                form.package.data.read(),
                storage=edge.storage(),
                limits=_limits(),
                title=form.title.data or "",
            )
        except DomainError as exc:
            db.session.rollback()
            status = exc.status
            form.package.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The SCORM package is a lecture now."), "success")
            return redirect(url_for(".settings", slug=slug, lecture=lecture.slug), 303)
    elif form.errors:
        status = 422
    return render_template(
        "authoring/scorm_upload.html", course=course, section=section, form=form
    ), status


@bp.route("/lectures/<lecture>/scorm", methods=["GET", "POST"])
@role_required(Role.TEACHER)
def settings(slug: str, lecture: str) -> ResponseReturnValue:
    course = editable_course(db.session, current_account(), slug)
    found = db.session.scalar(
        select(Lecture).where(Lecture.course_id == course.id, Lecture.slug == lecture)
    )
    if found is None:
        raise NotFound(_("No such lecture in this course."))
    package = scorm_queries.package_of(db.session, found.id)
    _allow_upload()
    form = ScormSettingsForm(obj=package if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        try:
            if form.package.data:
                scorm.replace_package(
                    db.session,
                    current_account(),
                    found,
                    form.package.data.read(),
                    storage=edge.storage(),
                    limits=_limits(),
                )
            scorm.grade_package(
                db.session,
                current_account(),
                package,
                counts_in_grade=bool(form.counts_in_grade.data),
                weight=form.weight.data or 0,
            )
        except DomainError as exc:
            db.session.rollback()
            status = exc.status
            form.package.errors.append(exc.message)
        else:
            db.session.commit()
            if form.package.data:  # the replaced package's files, unless shared
                current_queue().enqueue(db.session, SWEEP)
            flash(_("SCORM settings saved."), "success")
            return redirect(url_for(".settings", slug=slug, lecture=lecture), 303)
    elif form.errors:
        status = 422
    return render_template(
        "authoring/scorm_settings.html", course=course, lecture=found, package=package, form=form
    ), status
