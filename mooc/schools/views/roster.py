"""Roster import for a school's staff: upload → dry-run preview → confirm → result.

Between preview and confirm the upload waits in object storage under a random key named in the
confirm form, so the page works without JavaScript and the file is not sent twice; a second
confirm finds it gone (the import is also idempotent by roster ids). Uploads are size-limited.
"""

from __future__ import annotations

import io
import re
import secrets

from flask import current_app, flash, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from mooc.accounts.models import Institution
from mooc.db import utcnow
from mooc.errors import Conflict, Invalid, TooLarge
from mooc.extensions import db
from mooc.schools.blueprint import bp
from mooc.schools.core.records import RosterInvalid
from mooc.schools.core.sheet import template_csv, template_xlsx
from mooc.schools.forms import RosterConfirmForm, RosterUploadForm
from mooc.schools.permissions import managed_school
from mooc.schools.queries import directory
from mooc.schools.services.rosters import (
    ReadRoster,
    describe,
    import_roster,
    read_roster,
    school_year_for,
)
from mooc.storage.base import Storage
from mooc.web.auth import current_account, login_required

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PREVIEW_ROWS = 200
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _school(slug: str) -> Institution:
    return managed_school(db.session, current_account(), slug)


def _storage() -> Storage:
    storage: Storage = current_app.extensions["mooc_storage"]
    return storage


def _key(school: Institution, token: str) -> str:
    return f"roster-uploads/{school.id}/{token}"


def _read(school: Institution, name: str, data: bytes) -> ReadRoster:
    year = school_year_for(db.session, school, utcnow().date())
    return read_roster(name, {name: data}, year)


def _upload_page(
    school: Institution, form: RosterUploadForm, status: int = 200, issues: list[str] | None = None
) -> ResponseReturnValue:
    return render_template(
        "schools/roster.html",
        school=school,
        form=form,
        issues=issues or [],
        imports=directory.recent_imports(db.session, school),
        max_mb=MAX_UPLOAD_BYTES // 2**20,
    ), status


@bp.get("/schools/<slug>/roster")
@login_required
def roster(slug: str) -> ResponseReturnValue:
    return _upload_page(_school(slug), RosterUploadForm())


@bp.post("/schools/<slug>/roster")
@login_required
def roster_preview(slug: str) -> ResponseReturnValue:
    school = _school(slug)
    form = RosterUploadForm()
    upload = form.roster.data
    if not form.validate_on_submit() or not isinstance(upload, FileStorage) or not upload.filename:
        form.roster.errors = [*form.roster.errors, _("Choose the roster file.")]
        return _upload_page(school, form, 422)
    name = secure_filename(upload.filename) or "roster.csv"
    if not name.lower().endswith((".zip", ".csv", ".xlsx")):
        form.roster.errors = [
            _("Upload a .zip of OneRoster files, or a .xlsx or .csv spreadsheet.")
        ]
        return _upload_page(school, form, 422)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise TooLarge(_("The file is larger than %(n)d MB.", n=MAX_UPLOAD_BYTES // 2**20))
    try:
        read = _read(school, name, data)
        plan, _entry = import_roster(db.session, school, read, by=current_account(), dry_run=True)
    except RosterInvalid as exc:
        db.session.rollback()
        return _upload_page(school, form, 422, [describe(issue) for issue in exc.issues])
    db.session.rollback()  # a dry run: nothing to keep
    token = secrets.token_urlsafe(24)
    _storage().put(_key(school, token), io.BytesIO(data), content_type="application/octet-stream")
    confirm = RosterConfirmForm(upload=f"{token}/{name}")
    return render_template(
        "schools/roster_preview.html",
        school=school,
        plan=plan,
        read=read,
        confirm=confirm,
        limit=PREVIEW_ROWS,
    )


@bp.post("/schools/<slug>/roster/confirm")
@login_required
def roster_confirm(slug: str) -> ResponseReturnValue:
    school = _school(slug)
    form = RosterConfirmForm()
    if not form.validate_on_submit():
        raise Invalid(_("The form had expired. Please upload the file again."))
    token, _sep, name = str(form.upload.data).partition("/")
    name = secure_filename(name)
    storage = _storage()
    if not _TOKEN.match(token) or not name or not storage.exists(_key(school, token)):
        flash(
            _("This file was already imported (or its preview expired). Nothing more was changed."),
            "info",
        )
        return redirect(url_for("schools.roster", slug=slug), 303)
    with storage.open(_key(school, token)) as stored:
        data = stored.read()
    try:
        read = _read(school, name, data)
        _plan, entry = import_roster(db.session, school, read, by=current_account())
        db.session.commit()
    except RosterInvalid as exc:  # the school changed since the preview
        db.session.rollback()
        return _upload_page(
            school, RosterUploadForm(), 422, [describe(issue) for issue in exc.issues]
        )
    except IntegrityError:  # the same file confirmed twice at once: the other one won
        db.session.rollback()
        raise Conflict(
            _("This roster is being imported already. Reload the page in a moment.")
        ) from None
    storage.delete(_key(school, token))
    assert entry is not None
    flash(_("The roster is imported."), "success")
    return redirect(url_for("schools.roster_result", slug=slug, import_id=entry.id), 303)


@bp.get("/schools/<slug>/roster/imports/<int:import_id>")
@login_required
def roster_result(slug: str, import_id: int) -> ResponseReturnValue:
    school = _school(slug)
    return render_template(
        "schools/roster_result.html",
        school=school,
        entry=directory.roster_import(db.session, school, import_id),
    )


@bp.get("/schools/<slug>/roster/template.<any(xlsx, csv):kind>")
@login_required
def roster_template(slug: str, kind: str) -> ResponseReturnValue:
    _school(slug)
    if kind == "xlsx":
        return send_file(
            io.BytesIO(template_xlsx()),
            mimetype=XLSX,
            as_attachment=True,
            download_name="danh-sach-hoc-sinh.xlsx",
        )
    return send_file(
        io.BytesIO(template_csv()),
        mimetype="text/csv",
        as_attachment=True,
        download_name="danh-sach-hoc-sinh.csv",
    )
