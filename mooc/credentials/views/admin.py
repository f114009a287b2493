"""Administration of records: find a record, revoke it with a reason (logged), rotate keys."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from mooc.credentials import queries
from mooc.credentials.forms import RevokeRecordForm, RotateKeyForm
from mooc.credentials.issuers import institution_by_slug, issuer_did, issuing_institutions
from mooc.credentials.services.keys import keys_by_institution, rotate_key
from mooc.credentials.services.revoking import revoke_record
from mooc.errors import Invalid
from mooc.extensions import db
from mooc.web import edge
from mooc.web.auth import admin_required, current_account

bp = Blueprint("credentials_admin", __name__, url_prefix="/admin/records")


@bp.get("")
@admin_required
def index() -> ResponseReturnValue:
    query = request.args.get("q", "").strip()[:100]
    base_url = edge.base_url()
    institutions = issuing_institutions(db.session)
    keys = keys_by_institution(db.session, [i.id for i in institutions])
    issuers = [
        (institution, issuer_did(base_url, institution), keys[institution.id])
        for institution in institutions
    ]
    return render_template(
        "credentials/admin.html",
        records=queries.search_records(db.session, query),
        q=query,
        issuers=issuers,
        rotate_form=RotateKeyForm(),
    )


@bp.get("/<uuid:record_id>")
@admin_required
def record(record_id: uuid.UUID) -> ResponseReturnValue:
    found = queries.record_by_uuid(db.session, str(record_id))
    return render_template(
        "credentials/admin_record.html",
        record=found,
        log=queries.revocations(db.session, found.id),
    )


@bp.route("/<uuid:record_id>/revoke", methods=["GET", "POST"])
@admin_required
def revoke(record_id: uuid.UUID) -> ResponseReturnValue:
    """GET shows what revoking does and asks for the reason; POST (with CSRF) revokes."""
    found = queries.record_by_uuid(db.session, str(record_id))
    if found.is_revoked:
        return redirect(url_for("credentials_admin.record", record_id=found.uuid), 303)
    form = RevokeRecordForm()
    if form.validate_on_submit():
        try:
            revoke_record(
                db.session,
                found,
                reason=form.reason.data or "",
                actor=current_account(),
                context=edge.issuing_context(),
            )
        except Invalid as error:
            form.reason.errors = [error.message]
        else:
            db.session.commit()
            flash(_("The record is revoked; its status list is re-signed."), "success")
            return redirect(url_for("credentials_admin.record", record_id=found.uuid), 303)
    return render_template("credentials/admin_revoke.html", record=found, form=form), (
        422 if form.errors else 200
    )


@bp.post("/keys/<slug>/rotate")
@admin_required
def rotate(slug: str) -> ResponseReturnValue:
    institution = institution_by_slug(db.session, slug)
    if not RotateKeyForm().validate_on_submit():
        raise Invalid(_("The form had expired. Please try again."))
    key = rotate_key(db.session, institution, edge.issuing_context().kek)
    db.session.commit()
    flash(
        _("%(name)s now signs with the key %(key)s.", name=institution.name, key=key.fragment),
        "success",
    )
    return redirect(url_for("credentials_admin.index"), 303)
