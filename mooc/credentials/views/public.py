"""Public, without an account: issuers' DID documents, status lists, the trust list and the
platform's JSON-LD context, and the verify page (paste, upload, or a share link / QR code)."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from mooc.credentials import queries
from mooc.credentials.blueprint import bp
from mooc.credentials.core.contexts import MOOC_CONTEXT_V1_PATH, mooc_context_document
from mooc.credentials.core.presentation import is_presentation
from mooc.credentials.core.reading import summarize
from mooc.credentials.explain import (
    cached_notes,
    explain,
    explain_check,
    explain_presentation,
    explain_verdict,
)
from mooc.credentials.forms import VerifyForm
from mooc.credentials.holders import holder_check, identity_form
from mooc.credentials.issuers import institution_by_slug, issuer_document, trust_list
from mooc.credentials.presentations import check_presentation
from mooc.credentials.services.issuing import signed_document
from mooc.credentials.services.status_lists import SUSPENSION, published_list
from mooc.credentials.verification import (
    UnreadableRecord,
    VerificationReport,
    read_record,
    require_verifiable,
)
from mooc.errors import DomainError, Invalid
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


@bp.get(MOOC_CONTEXT_V1_PATH)
def mooc_context() -> ResponseReturnValue:
    # Versioned and never edited (a change is a v2), so caches may keep it for a year.
    response = _public_json(mooc_context_document(), max_age=365 * 24 * 3600)
    response.mimetype = "application/ld+json"
    response.headers["Cache-Control"] += ", immutable"
    return response


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


class _Refused(Exception):
    """Input the verify page cannot verify; the message goes beside the field."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _record(data: bytes | str | None) -> Any:
    """The submitted record, parsed and within bounds; `_Refused` says why not."""
    limit = edge.record_max_bytes()
    if data is None:
        raise _Refused(_("Paste a record or choose its file."), 422)
    if len(data) > limit:
        raise _Refused(_("The record is larger than %(n)d KB.", n=limit // 1024), 413)
    try:
        credential = read_record(data)
    except UnreadableRecord:
        raise _Refused(_("This is not a record: it is not valid JSON."), 422) from None
    try:
        require_verifiable(credential)
    except DomainError as error:
        raise _Refused(error.message, error.status) from None
    return credential


def _shown(report: VerificationReport, credential: Any) -> dict[str, Any]:
    summary = summarize(credential)
    return {
        "report": report,
        "checks": explain(report),
        "verdict": explain_verdict(report),
        "notes": cached_notes(report),
        "summary": summary,
    }


def _presented(presentation: Any, form: VerifyForm) -> dict[str, Any]:
    """What the verify page shows of a presentation: its verdict, the holder and the holder's
    proof, then each record with its own verdict first."""
    report = check_presentation(
        edge.verifier(),
        presentation,
        challenge=(form.challenge.data or "").strip() or None,
        domain=(form.domain.data or "").strip() or None,
    )
    return {
        "presentation": report,
        "presentation_verdict": explain_presentation(report),
        "presentation_checks": [explain_check(check) for check in report.checks],
        "presented": [_shown(item.report, item.document) for item in report.credentials],
    }


def _verified(credential: Any) -> dict[str, Any]:
    """What the verify and share pages show of a record: verdict, checks, content, holder."""
    shown = _shown(edge.verifier().verify(credential), credential)
    shown["identity_form"] = identity_form(shown["summary"])
    return shown


@bp.route("/verify", methods=["GET", "POST"])
@limiter.shared_limit(edge.verify_limit, scope=edge.VERIFY_SCOPE, methods=["POST"])
def verify() -> ResponseReturnValue:
    request.max_content_length = edge.record_max_bytes() + FORM_OVERHEAD  # larger: 413 unread
    form = VerifyForm()
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_template("credentials/verify.html", form=form), status
    try:
        credential = _record(_submitted(form))
    except _Refused as refused:
        form.credential_json.errors = [refused.message]
        return render_template("credentials/verify.html", form=form), refused.status
    if is_presentation(credential):
        return render_template("credentials/verify.html", form=form, **_presented(credential, form))
    shown = _verified(credential)
    if shown["identity_form"] is not None:  # the record comes back with the check
        shown["identity_form"].credential_json.data = json.dumps(credential, ensure_ascii=False)
    return render_template("credentials/verify.html", form=form, **shown)


@bp.post("/verify/holder")
@limiter.shared_limit(edge.verify_limit, scope=edge.VERIFY_SCOPE)
def check_holder() -> ResponseReturnValue:
    """A verifier checks a name or student number against the record they verified."""
    request.max_content_length = edge.record_max_bytes() + FORM_OVERHEAD
    try:
        credential = _record(request.form.get("credential_json", "").strip() or None)
    except _Refused as refused:
        raise Invalid(refused.message) from None
    shown, status = _checked(credential)
    page = render_template("credentials/verify.html", form=VerifyForm(formdata=None), **shown)
    return page, status


def _checked(credential: Any) -> tuple[dict[str, Any], int]:
    """The page's content with the answer to the submitted identity check (422: form errors).
    Raises `Invalid` when the record states nothing to check."""
    shown = _verified(credential)
    checking = identity_form(shown["summary"], submitted=True)
    if checking is None:
        raise Invalid(_("This record states no hashed name or number to check."))
    shown["identity_form"] = checking
    if not checking.validate_on_submit():
        return shown, 422
    shown["identity_check"] = holder_check(credential, checking)
    return shown, 200


@bp.get("/verify/<token>")
def shared(token: str) -> ResponseReturnValue:
    link = queries.shared_record(db.session, token)
    document = signed_document(link.credential)
    return render_template("credentials/shared.html", link=link, token=token, **_verified(document))


@bp.post("/verify/<token>/holder")
@limiter.shared_limit(edge.verify_limit, scope=edge.VERIFY_SCOPE)
def shared_holder(token: str) -> ResponseReturnValue:
    """A verifier checks a name or student number against a shared record."""
    link = queries.shared_record(db.session, token)
    document = signed_document(link.credential)
    shown, status = _checked(document)
    return render_template("credentials/shared.html", link=link, token=token, **shown), status


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
