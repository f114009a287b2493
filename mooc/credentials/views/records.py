"""A student's records: list, one record with its share links, download, printable page with a
QR code, and transcripts. Only the holder sees a record: another's is simply not found."""

from __future__ import annotations

import uuid

from flask import Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import SelectChoice

from mooc.credentials import queries
from mooc.credentials.blueprint import bp
from mooc.credentials.core.reading import summarize
from mooc.credentials.explain import cached_notes, explain, explain_verdict
from mooc.credentials.forms import AddToWalletForm, ConfirmForm, ShareLinkForm, TranscriptForm
from mooc.credentials.models import IssuedCredential, ShareLink
from mooc.credentials.services import sharing
from mooc.credentials.services.issuing import signed_document
from mooc.credentials.services.transcripts import issue_transcript
from mooc.errors import Invalid
from mooc.extensions import db
from mooc.web import edge
from mooc.web.auth import current_account, login_required
from mooc.web.qr import qr_svg


def _mine(record_id: uuid.UUID) -> IssuedCredential:
    return queries.my_record(db.session, current_account().id, str(record_id))


def share_url(token: str) -> str:
    return f"{edge.base_url()}/verify/{token}"


@bp.get("/records")
@login_required
def records() -> ResponseReturnValue:
    mine = queries.my_records(db.session, current_account().id)
    return render_template("credentials/records.html", records=mine)


def _record_page(found: IssuedCredential, form: ShareLinkForm, new_link: str | None = None) -> str:
    report = edge.verifier().verify(signed_document(found))
    return render_template(
        "credentials/record.html",
        record=found,
        summary=summarize(signed_document(found)),
        report=report,
        checks=explain(report),
        verdict=explain_verdict(report),
        notes=cached_notes(report),
        links=[
            (link, queries.is_active(link)) for link in queries.share_links(db.session, found.id)
        ],
        form=form,
        wallet_form=AddToWalletForm(formdata=None),
        copies=queries.wallet_copies(db.session, found),
        new_link=new_link,
        new_qr=qr_svg(new_link, _("QR code to verify this record")) if new_link else None,
    )


@bp.get("/records/<uuid:record_id>")
@login_required
def record(record_id: uuid.UUID) -> ResponseReturnValue:
    return _record_page(_mine(record_id), ShareLinkForm())


@bp.get("/records/<uuid:record_id>/credential.json")
@login_required
def download(record_id: uuid.UUID) -> ResponseReturnValue:
    found = _mine(record_id)
    return Response(
        found.document,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="record-{found.uuid}.json"'},
    )


@bp.post("/records/<uuid:record_id>/share")
@login_required
def share(record_id: uuid.UUID) -> ResponseReturnValue:
    found = _mine(record_id)
    form = ShareLinkForm()
    if not form.validate_on_submit():
        return _record_page(found, form), 422
    link, token = sharing.create_share_link(
        db.session, found, days=form.days.data or 0, label=form.label.data or ""
    )
    db.session.commit()
    # The token exists only now (its hash is stored): show it once, on this answer, never in a
    # URL (history, logs and Referer headers would keep the secret).
    if form.purpose.data == "print":
        return _print_page(found, link, share_url(token)), 201
    return _record_page(found, ShareLinkForm(formdata=None), new_link=share_url(token)), 201


@bp.post("/records/<uuid:record_id>/share/<int:link_id>/withdraw")
@login_required
def withdraw_link(record_id: uuid.UUID, link_id: int) -> ResponseReturnValue:
    found = _mine(record_id)
    if not ConfirmForm().validate_on_submit():
        raise Invalid(_("The form had expired. Please try again."))
    sharing.revoke_share_link(db.session, found, link_id)
    db.session.commit()
    flash(_("The link no longer works."), "success")
    return redirect(url_for("credentials.record", record_id=found.uuid), 303)


def _print_page(
    found: IssuedCredential, link: ShareLink | None = None, url: str | None = None
) -> str:
    return render_template(
        "credentials/print.html",
        record=found,
        summary=summarize(signed_document(found)),
        link=link,
        verify_url=url,
        qr=qr_svg(url, _("QR code to verify this record")) if url else None,
        form=ShareLinkForm(formdata=None, purpose="print", days=365),
    )


@bp.get("/records/<uuid:record_id>/print")
@login_required
def print_record(record_id: uuid.UUID) -> ResponseReturnValue:
    """The printable page; its QR code comes with the link made for it (the POST's answer)."""
    return _print_page(_mine(record_id))


@bp.route("/records/transcript", methods=["GET", "POST"])
@login_required
def transcript() -> ResponseReturnValue:
    user = current_account()
    form = TranscriptForm()
    form.records.choices = [
        SelectChoice(record.uuid, record.name)
        for record in queries.my_course_records(db.session, user.id)
    ]
    if form.validate_on_submit():
        try:
            issued = issue_transcript(
                db.session,
                user,
                form.records.data or [],
                edge.issuing_context(),
                name=form.name.data or "",
            )
        except Invalid as error:
            form.records.errors = [error.message]
        else:
            db.session.commit()
            flash(_("Your transcript is signed and ready."), "success")
            return redirect(url_for("credentials.record", record_id=issued.uuid), 303)
    return render_template("credentials/transcript.html", form=form), 422 if form.errors else 200
