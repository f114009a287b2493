"""Password recovery pages: ask for a link by email, then set a new password through it."""

from __future__ import annotations

import time

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from mooc.accounts import recovery
from mooc.accounts.forms import ForgotForm, ResetForm
from mooc.accounts.recovery_mail import reset_message
from mooc.accounts.services import normalize_email
from mooc.errors import DomainError
from mooc.extensions import db, limiter
from mooc.web import edge

bp = Blueprint("recovery", __name__)
# Every valid request is answered after at least this long: a known address costs a few more
# milliseconds (a row written, a message rendered), which must not tell who has an account.
ANSWER_FLOOR = 0.2


def _email_key() -> str:
    return "reset-email:" + normalize_email(request.form.get("email", ""))[:254]


# Every request counts, known address or not, so the limits tell nothing about accounts.
@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(edge.limit("reset_limit_per_address"), methods=["POST"])
@limiter.limit(edge.limit("reset_limit_per_email"), key_func=_email_key, methods=["POST"])
def forgot() -> ResponseReturnValue:
    form = ForgotForm()
    if form.validate_on_submit():
        started = time.monotonic()
        link = recovery.request_reset(db.session, form.email.data or "")
        if link is not None:
            message = reset_message(link)
            db.session.commit()
            # Sent in the background: the answer neither waits for nor reveals the mail server.
            edge.postbox().send_later(message)
        time.sleep(max(0.0, ANSWER_FLOOR - (time.monotonic() - started)))
        flash(
            _(
                "If an account uses this address, a link to set a new password is on its way. "
                "It works once, for one hour."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"), 303)
    return render_template("recovery/forgot.html", form=form), 422 if form.errors else 200


def _private(response: Response) -> Response:
    """The token is in the address: never cache the page, never pass it on as a referrer."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(edge.limit("reset_limit_per_address"), methods=["POST"])
def reset(token: str) -> ResponseReturnValue:
    form = ResetForm()
    try:
        recovery.usable_reset(db.session, token)
        if form.validate_on_submit():
            recovery.complete_reset(db.session, token, form.new_password.data or "")
            db.session.commit()
            flash(_("Your password is set. Log in with it."), "success")
            return _private(redirect(url_for("accounts.login"), 303))
    except DomainError as exc:
        if exc.field is None:  # the link itself cannot be used
            db.session.rollback()
            page = render_template("recovery/reset.html", form=None, problem=exc.message)
            return _private(Response(page, exc.status, mimetype="text/html"))
        form.new_password.errors.append(exc.message)
    page = render_template("recovery/reset.html", form=form, token=token, problem=None)
    return _private(Response(page, 422 if form.errors else 200, mimetype="text/html"))
