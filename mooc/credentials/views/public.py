"""Public, without an account: issuers' DID documents, status lists and the trust list, and the
verify page (paste, upload, or a share link / QR code)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from mooc.credentials import queries
from mooc.credentials.blueprint import bp
from mooc.credentials.core.reading import summarize
from mooc.credentials.explain import cached_notes, explain, explain_verdict
from mooc.credentials.forms import VerifyForm
from mooc.credentials.issuers import institution_by_slug, issuer_document, trust_list
from mooc.credentials.services.issuing import signed_document
from mooc.credentials.services.status_lists import SUSPENSION, published_list
from mooc.credentials.verification import UnreadableRecord, read_record, require_verifiable
from mooc.errors import DomainError
from mooc.extensions import db, limiter
from mooc.web import edge

FORM_OVERHEAD = 64 * 1024  # the form's other fields and multipart framing


def _public_json(body: Any, *, max_age: int) -> Response:
    """A document any verifier (also in a browser, on another site) may fetch and cache."""
    response = jsonify(body) if not isinstance(body, str) else Response(body)
    response.mimetype = "application/json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


@bp.get("/institutions/<slug>/did.json")
def did_document(slug: str) -> ResponseReturnValue:
    institution = institution_by_slug(db.session, slug)
    return _public_json(issuer_document(db.session, edge.base_url(), institution), max_age=300)


@bp.get("/institutions/<slug>/status/<int:number>")
def status_list(slug: str, number: int) -> ResponseReturnValue:
    # Short caching: a revocation must reach verifiers soon.
    return _public_json(published_list(db.session, slug, number).credential, max_age=60)


@bp.get("/institutions/<slug>/suspension/<int:number>")
def suspension_list(slug: str, number: int) -> ResponseReturnValue:
    # Short caching too: a suspension (and its lifting) must reach verifiers soon.
    listed = published_list(db.session, slug, number, SUSPENSION)
    return _public_json(listed.credential, max_age=60)


@bp.get("/trust-list.json")
def trust() -> ResponseReturnValue:
    return _public_json(trust_list(db.session, edge.base_url()), max_age=300)


def _submitted(form: VerifyForm) -> bytes | str | None:
    """The record's text, from the file if one was chosen, else the pasted text."""
    upload = form.credential_file.data
    if isinstance(upload, FileStorage) and upload.filename:
        data: bytes = upload.read(edge.record_max_bytes() + 1)
        return data
    text = (form.credential_json.data or "").strip()
    return text or None


@bp.route("/verify", methods=["GET", "POST"])
@limiter.shared_limit(edge.verify_limit, scope=edge.VERIFY_SCOPE, methods=["POST"])
def verify() -> ResponseReturnValue:
    limit = edge.record_max_bytes()
    request.max_content_length = limit + FORM_OVERHEAD  # a larger body is refused unread: 413
    form = VerifyForm()
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_template("credentials/verify.html", form=form), status
    data = _submitted(form)
    if data is None:
        form.credential_json.errors = [_("Paste a record or choose its file.")]
        return render_template("credentials/verify.html", form=form), 422
    if len(data) > limit:
        message = _("The record is larger than %(n)d KB.", n=limit // 1024)
        form.credential_json.errors = [message]
        return render_template("credentials/verify.html", form=form), 413
    try:
        credential = read_record(data)
    except UnreadableRecord:
        form.credential_json.errors = [_("This is not a record: it is not valid JSON.")]
        return render_template("credentials/verify.html", form=form), 422
    try:
        require_verifiable(credential)
    except DomainError as error:
        form.credential_json.errors = [error.message]
        return render_template("credentials/verify.html", form=form), error.status
    report = edge.verifier().verify(credential)
    return render_template(
        "credentials/verify.html",
        form=form,
        report=report,
        checks=explain(report),
        verdict=explain_verdict(report),
        notes=cached_notes(report),
        summary=summarize(credential),
    )


@bp.get("/verify/<token>")
def shared(token: str) -> ResponseReturnValue:
    link = queries.shared_record(db.session, token)
    document = signed_document(link.credential)
    report = edge.verifier().verify(document)
    return render_template(
        "credentials/shared.html",
        link=link,
        token=token,
        report=report,
        checks=explain(report),
        verdict=explain_verdict(report),
        notes=cached_notes(report),
        summary=summarize(document),
    )


@bp.get("/verify/<token>/credential.json")
def shared_download(token: str) -> ResponseReturnValue:
    link = queries.shared_record(db.session, token)
    return Response(
        link.credential.document,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="record-{link.credential.uuid}.json"'
        },
    )
