"""The administrator's view of the email outbox: how the copies stand, the ones the sender gave
up on with their last error, and sending them again (one, or all) once the mail server is fixed;
below it, the background jobs (runs per state, the latest failures, retrying given-up runs)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import ngettext

from mooc.db import utcnow
from mooc.errors import DomainError
from mooc.extensions import db
from mooc.jobs import current_queue
from mooc.jobs import queries as job_queries
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
        jobs=job_queries.run_counts(db.session),
        failures=job_queries.latest_failures(db.session),
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


@bp.post("/jobs/retry")
@admin_required
def retry_jobs() -> ResponseReturnValue:
    """Every given-up run, or the one named by the form's `run_id`: one more attempt each."""
    require_submitted(Form())
    raw = request.form.get("run_id", "").strip()
    try:
        count = len(current_queue().retry(db.session, [raw] if raw else None))
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("outbox.index", _anchor="jobs-heading"), 303)
    flash(
        ngettext(
            "%(num)d background job will run again shortly.",
            "%(num)d background jobs will run again shortly.",
            count,
        ),
        "success" if count else "info",
    )
    return redirect(url_for("outbox.index", _anchor="jobs-heading"), 303)
