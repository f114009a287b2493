"""The administrator's view of the email outbox: how the copies stand, the ones the sender gave
up on with their last error, and sending them again (one, or all) once the mail server is fixed."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import ngettext

from mooc.db import utcnow
from mooc.extensions import db
from mooc.notifications import queries, services
from mooc.pagination import page_number
from mooc.web.auth import admin_required, current_account
from mooc.web.forms import Form, require_submitted

bp = Blueprint("outbox", __name__, url_prefix="/admin/emails")


@bp.get("/")
@admin_required
def index() -> ResponseReturnValue:
    return render_template(
        "notifications/outbox.html",
        state=queries.outbox_state(db.session),
        emails=queries.given_up_page(db.session, page=page_number(request.args.get("page"))),
    )


@bp.post("/send-again")
@admin_required
def send_again() -> ResponseReturnValue:
    """The whole given-up list, or the one email named by the form's `email_id`."""
    require_submitted(Form())
    raw = request.form.get("email_id", "")
    ids = [int(raw)] if raw.isdigit() else None
    count = services.send_again(db.session, by=current_account(), now=utcnow(), email_ids=ids)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d email will be sent again within a minute.",
            "%(num)d emails will be sent again within a minute.",
            count,
        ),
        "success" if count else "info",
    )
    return redirect(url_for("outbox.index"), 303)
