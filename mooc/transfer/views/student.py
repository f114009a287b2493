"""A student's side of credit transfer: send records to a university, follow the requests, and
withdraw one before any decision. Only the student sees their requests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from wtforms import SelectChoice

from mooc.accounts.models import Institution
from mooc.credentials import queries as records
from mooc.credentials.core.reading import summarize
from mooc.credentials.models import CredentialKind, IssuedCredential
from mooc.db import utcnow
from mooc.errors import Invalid
from mooc.extensions import db
from mooc.transfer.forms import ConfirmForm, SendForm
from mooc.transfer.queries import my_request, my_requests, partner_universities
from mooc.transfer.reasons import jinja_helpers
from mooc.transfer.services.requests import (
    destinations,
    send_records,
    withdraw_request,
)
from mooc.web import edge
from mooc.web.auth import current_account, login_required

bp = Blueprint("student", __name__)
bp.context_processor(jinja_helpers)


@bp.app_context_processor
def _send_buttons() -> dict[str, Any]:
    """My records (a credentials page, which knows nothing of transfer) asks through this
    where each record can be sent, to offer a send button only for records that can go."""

    def transfer_destinations(
        shown: Sequence[IssuedCredential],
    ) -> dict[str, list[Institution]]:
        return destinations(db.session, [record for record in shown if not record.is_revoked])

    return {"transfer_destinations": transfer_destinations}


def _send_form(chosen: str | None = None) -> SendForm:
    """Only records some university could take, and only universities that could take one of
    them (or the record the student came from)."""
    user = current_account()
    form = SendForm()
    mine = [record for record in records.my_records(db.session, user.id) if not record.is_revoked]
    places = destinations(db.session, mine)
    sendable = [record for record in mine if places[record.uuid]]
    wanted = places.get(chosen or "") or [u for record in sendable for u in places[record.uuid]]
    form.university.choices = [
        SelectChoice(university.id, university.name)
        for university in partner_universities(db.session)
        if university in wanted
    ]
    form.records.choices = [
        SelectChoice(record.uuid, f"{record.name} — {_record_source(record)}")
        for record in sendable
    ]
    return form


def _record_source(record: IssuedCredential) -> str:
    if record.kind == CredentialKind.TRANSCRIPT:
        return str(_("Transcript"))
    return record.institution.name


@bp.route("/records/send", methods=["GET", "POST"])
@login_required
def send() -> ResponseReturnValue:
    user = current_account()
    form = _send_form(request.args.get("record"))
    if request.method == "GET" and request.args.get("record"):
        form.records.data = [request.args["record"]]
    if form.validate_on_submit():
        university = next(
            u for u in partner_universities(db.session) if u.id == form.university.data
        )
        try:
            result = send_records(
                db.session,
                user,
                university,
                form.records.data or [],
                message=form.message.data or "",
                verifier=edge.verifier(),
                base_url=edge.base_url(),
                today=utcnow().date(),
            )
        except Invalid as error:
            target = form.message if error.field == "message" else form.records
            target.errors = [error.message]
        else:
            db.session.commit()
            if result.created:
                flash(_("Your records are sent to %(name)s.", name=university.name), "success")
            if result.already_sent:
                flash(
                    ngettext(
                        "%(num)d record was sent to this university before: %(names)s.",
                        "%(num)d records were sent to this university before: %(names)s.",
                        len(result.already_sent),
                        names=", ".join(result.already_sent),
                    ),
                    "info",
                )
            if result.message_kept:
                flash(
                    _(
                        "Your new message was not sent: the request keeps the message you wrote "
                        "when you first sent these records. To change it, withdraw the request "
                        "and send the records again."
                    ),
                    "info",
                )
            return redirect(
                url_for("transfer.student.request_page", request_id=result.request.id), 303
            )
    status = 422 if form.errors else 200
    return render_template("transfer/send.html", form=form), status


@bp.get("/transfer/requests")
@login_required
def requests() -> ResponseReturnValue:
    mine = my_requests(db.session, current_account().id)
    return render_template("transfer/requests.html", requests=mine)


@bp.get("/transfer/requests/<int:request_id>")
@login_required
def request_page(request_id: int) -> ResponseReturnValue:
    found = my_request(db.session, current_account().id, request_id)
    summaries = {item.id: summarize(json.loads(item.document)) for item in found.items}
    return render_template(
        "transfer/request.html", transfer_request=found, summaries=summaries, confirm=ConfirmForm()
    )


@bp.post("/transfer/requests/<int:request_id>/withdraw")
@login_required
def withdraw(request_id: int) -> ResponseReturnValue:
    user = current_account()
    found = my_request(db.session, user.id, request_id)
    if not ConfirmForm().validate_on_submit():
        raise Invalid(_("The form had expired. Please try again."))
    withdraw_request(db.session, user, found)
    db.session.commit()
    flash(_("Your request is withdrawn."), "success")
    return redirect(url_for("transfer.student.request_page", request_id=found.id), 303)
