"""Requests for records: a university's staff ask (a link and a QR code with a challenge), the
student answers from My records signed in, or a wallet answers with a presentation (VC API).

The request URL serves both: a browser gets the page (its form is CSRF-checked), a wallet POSTs
JSON, which needs no cookie: it proves itself by the holder's signature over the challenge.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import SelectChoice

from mooc.accounts.models import Institution
from mooc.credentials import queries as records
from mooc.db import utcnow
from mooc.errors import BadRequest, DomainError, Gone, Invalid
from mooc.extensions import csrf, db, limiter
from mooc.transfer.forms import AnswerForm, RecordsRequestForm
from mooc.transfer.models import PresentationRequest
from mooc.transfer.permissions import staff_university
from mooc.transfer.services.presentations import (
    answer_presentation,
    answer_with_records,
    create_request,
    presentation_request_body,
    refuse_expired,
    request_by_token,
    request_of,
    requests_of,
)
from mooc.transfer.services.requests import destinations
from mooc.web import edge
from mooc.web.auth import current_account, login_required
from mooc.web.errors import problem
from mooc.web.qr import qr_svg

bp = Blueprint("presentations", __name__)


def _university(slug: str) -> Institution:
    return staff_university(db.session, current_account(), slug)


def _link(found: PresentationRequest) -> str:
    return edge.base_url() + url_for("transfer.presentations.answer", token=found.token)


@bp.route("/university/<slug>/record-requests", methods=["GET", "POST"])
@login_required
def staff_requests(slug: str) -> ResponseReturnValue:
    """The university's requests for records, and a form to make one."""
    university = _university(slug)
    form = RecordsRequestForm()
    if form.validate_on_submit():
        try:
            found = create_request(
                db.session,
                current_account(),
                university,
                purpose=form.purpose.data or "",
                valid_for_hours=int(form.valid_for.data or 0),
                base_url=edge.base_url(),
            )
        except Invalid as error:
            form.purpose.errors = [error.message]
        else:
            db.session.commit()
            url = url_for("transfer.presentations.staff_request", slug=slug, request_id=found.id)
            return redirect(url, 303)
    return render_template(
        "transfer/record_requests.html",
        university=university,
        form=form,
        requests=requests_of(db.session, university.id),
        now=utcnow(),
    ), 422 if form.errors else 200


@bp.get("/university/<slug>/record-requests/<int:request_id>")
@login_required
def staff_request(slug: str, request_id: int) -> ResponseReturnValue:
    """One request: the link and QR code to show the student, and what came back."""
    university = _university(slug)
    found = request_of(db.session, university, request_id)
    link = _link(found)
    return render_template(
        "transfer/record_request.html",
        university=university,
        found=found,
        link=link,
        qr=qr_svg(link, _("QR code of the request for records")),
        now=utcnow(),
    )


def _answer_form(university: Institution) -> AnswerForm:
    """The student's records this university could take (not revoked)."""
    form = AnswerForm()
    mine = [r for r in records.my_records(db.session, current_account().id) if not r.is_revoked]
    places = destinations(db.session, mine)
    form.records.choices = [
        SelectChoice(record.uuid, record.name)
        for record in mine
        if university in places[record.uuid]
    ]
    return form


@login_required
def _answer_page(found: PresentationRequest) -> ResponseReturnValue:
    university = db.session.get(Institution, found.institution_id)
    assert university is not None  # a foreign key
    form = _answer_form(university)
    page: dict[str, Any] = {"found": found, "university": university, "form": form}
    if found.answered_at is None:
        try:
            refuse_expired(found, university, utcnow())
        except Gone as error:
            return render_template("transfer/answer.html", expired=error.message, **page), 410
    if form.validate_on_submit():
        try:
            answered = answer_with_records(
                db.session,
                found,
                current_account(),
                form.records.data or [],
                kek=edge.issuing_context().kek,
                verifier=edge.verifier(),
                base_url=edge.base_url(),
                today=utcnow().date(),
            )
        except Invalid as error:
            form.records.errors = [error.message]
        else:
            db.session.commit()
            flash(_("Your records are presented to %(name)s.", name=university.name), "success")
            target = url_for("transfer.student.request_page", request_id=answered.request.id)
            return redirect(target, 303)
    return render_template("transfer/answer.html", **page), 422 if form.errors else 200


def _wallet_answer(found: PresentationRequest) -> ResponseReturnValue:
    """VC API exchange: `{}` asks what is wanted; `{"verifiablePresentation": …}` answers."""
    request.max_content_length = edge.record_max_bytes()
    try:
        body = json.loads(request.get_data(cache=False))
    except (ValueError, RecursionError):
        return problem(400, _("The body is not JSON."))
    if not isinstance(body, dict):
        return problem(400, _("The body must be a JSON object."))
    university = db.session.get(Institution, found.institution_id)
    assert university is not None
    presentation = body.get("verifiablePresentation")
    if presentation is None:
        return jsonify(presentation_request_body(found, university))
    try:
        if not isinstance(presentation, dict):
            raise BadRequest(_("verifiablePresentation must be a JSON object."))
        answered = answer_presentation(
            db.session,
            found,
            presentation,
            student=None,
            verifier=edge.verifier(),
            base_url=edge.base_url(),
            today=utcnow().date(),
        )
    except DomainError as error:
        db.session.rollback()
        return problem(error.status, error.message)
    db.session.commit()
    return jsonify(verified=True, received=len(answered.request.items))


@bp.route("/records/requests/<token>", methods=["GET", "POST"])
@limiter.shared_limit(edge.verify_limit, scope=edge.VERIFY_SCOPE, methods=["POST"])
def answer(token: str) -> ResponseReturnValue:
    found = request_by_token(db.session, token)
    if request.method == "POST" and request.is_json:
        return _wallet_answer(found)
    if request.method == "POST":
        csrf.protect()  # the page's form; this view is exempt only for the wallet's JSON
    return _answer_page(found)


csrf.exempt(answer)  # (not a decorator: Flask-WTF is untyped) a wallet posts JSON, no cookie
