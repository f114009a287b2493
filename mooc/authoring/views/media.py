"""The media library of a course, and course packages (zip) in and out."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from mooc.accounts.models import Role
from mooc.authoring import audit, queries
from mooc.authoring.core.package_format import PackageError
from mooc.authoring.forms import ActionForm, ConfirmImportForm, PackageForm, UploadForm
from mooc.authoring.jobs import TRANSCODE
from mooc.authoring.packages import exporting, hold, zipfiles
from mooc.authoring.permissions import editable_course
from mooc.authoring.services import media
from mooc.errors import DomainError
from mooc.extensions import db
from mooc.jobs import current_queue
from mooc.web import edge
from mooc.web.auth import current_account, role_required
from mooc.web.forms import require_submitted

bp = Blueprint("media", __name__, url_prefix="/author")


def _media_limits() -> media.MediaLimits:
    return media.MediaLimits.from_settings(edge.settings())


@bp.route("/courses/<slug>/media", methods=["GET", "POST"])
@role_required(Role.TEACHER)
def library(slug: str) -> ResponseReturnValue:
    course = editable_course(db.session, current_account(), slug)
    limits = _media_limits()
    # Uploads may be larger than other requests: up to the largest media limit (plus the form).
    request.max_content_length = (
        max(limits.bytes_for(kind) for kind in ("image", "pdf", "audio", "video")) + 1024 * 1024
    )
    form = UploadForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            asset = media.upload_media(
                db.session,
                edge.storage(),
                course,
                upload.filename or "file",
                upload.stream,
                limits=limits,
                actor_id=current_account().id,
            )
        except DomainError as exc:
            db.session.rollback()
            status = exc.status
            form.file.errors.append(exc.message)
        else:
            db.session.commit()
            if asset.content_type.startswith("video/"):  # its renditions, made by the worker
                current_queue().enqueue(db.session, TRANSCODE)
            flash(_("Uploaded as media/%(name)s.", name=asset.name), "success")
            return redirect(url_for(".library", slug=slug), 303)
    elif form.errors:
        status = 422
    return render_template(
        "authoring/media.html",
        course=course,
        form=form,
        assets=queries.course_media(db.session, course),
        renditions=queries.course_renditions(db.session, course),
        action=ActionForm(),
    ), status


@bp.post("/courses/<slug>/media/<name>/delete")
@role_required(Role.TEACHER)
def delete(slug: str, name: str) -> ResponseReturnValue:
    course = editable_course(db.session, current_account(), slug)
    require_submitted(ActionForm())
    try:
        media.delete_media(db.session, edge.storage(), course, name, current_account().id)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("Deleted media/%(name)s.", name=name), "success")
    return redirect(url_for(".library", slug=slug), 303)


@bp.get("/courses/<slug>/export.zip")
@role_required(Role.TEACHER)
def export_package(slug: str) -> ResponseReturnValue:
    course = editable_course(db.session, current_account(), slug)
    archive = exporting.export_zip(db.session, edge.storage(), course)
    return send_file(
        archive, mimetype="application/zip", as_attachment=True, download_name=f"{course.slug}.zip"
    )


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.TEACHER)
def import_package() -> ResponseReturnValue:
    """Step 1: upload, then see what the import would create, update and retire."""
    form = PackageForm()
    status = 200
    if form.validate_on_submit():
        user = current_account()
        data = form.file.data.read()
        try:
            report = zipfiles.import_zip(
                db.session, edge.storage(), data, actor_id=user.id, user=user, dry_run=True
            )
        except (DomainError, PackageError) as exc:
            db.session.rollback()
            status = getattr(exc, "status", 422)
            form.file.errors.append(str(getattr(exc, "message", exc)))
        else:
            db.session.rollback()
            confirm = ConfirmImportForm(token=hold.hold_package(edge.storage(), user.id, data))
            return render_template(
                "authoring/import_preview.html", report=report, form=confirm
            ), status
    elif form.errors:
        status = 422
    return render_template("authoring/import.html", form=form), status


@bp.post("/import/confirm")
@role_required(Role.TEACHER)
def confirm_import() -> ResponseReturnValue:
    """Step 2: apply the package previewed in step 1."""
    form = ConfirmImportForm()
    require_submitted(form)
    user = current_account()
    token = form.token.data or ""
    try:
        data = hold.held_package(edge.storage(), user.id, token)
        report = zipfiles.import_zip(db.session, edge.storage(), data, actor_id=user.id, user=user)
    except (DomainError, PackageError) as exc:
        db.session.rollback()
        flash(str(getattr(exc, "message", exc)), "error")
        return redirect(url_for(".import_package"), 303)
    audit.record(
        db.session,
        actor_id=user.id,
        action="import",
        object_type="package",
        object_id=None,
        course_id=None,
        summary="; ".join(report.created + report.updated + [i.label for i in report.retired])[:300]
        or "no changes",
    )
    db.session.commit()
    current_queue().enqueue(db.session, TRANSCODE)  # the renditions of its videos, if any
    hold.release_package(edge.storage(), user.id, token)
    flash(
        _(
            "%(c)d created, %(u)d updated, %(n)d unchanged.",
            c=len(report.created),
            u=len(report.updated),
            n=len(report.unchanged),
        )
        + (
            " "
            + ngettext(
                "%(num)d lecture or quiz retired: hidden from learners, kept with their records.",
                "%(num)d lectures or quizzes retired: hidden from learners, kept with their "
                "records.",
                len(report.retired),
            )
            if report.retired
            else ""
        ),
        "success",
    )
    return redirect(url_for("authoring.courses.index"), 303)
