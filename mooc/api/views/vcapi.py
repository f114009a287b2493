"""The W3C VC API (issue 12, point 7), what the W3C test suites and wallets speak:

- `POST /api/v1/vc-api/credentials/verify`, `…/presentations/verify`: public, rate limited like
  the verify page; 200 with the result when verified, 400 problem details with it otherwise;
- `POST /api/v1/vc-api/credentials/issue` (`credentials:issue`): sign a credential with the
  institution's key, 201; `options.credentialStatus` adds Bitstring Status List entries;
- `POST /api/v1/vc-api/credentials/status` (`credentials:issue`): revoke, suspend or lift the
  suspension of a credential signed so;
- `GET /api/v1/vc-api/status-lists/<slug>/<purpose>/<n>`: their status lists, signed (and
  `POST …/publish`, which the W3C suite calls after a change: a no-op, 204).

Malformed bodies answer 400, unacceptable ones 422, oversized ones 413; never a 500.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from mooc.api.auth import calling_institution, calling_token, token_required
from mooc.api.models import ApiScope
from mooc.credentials.services import vcapi, vcapi_status_lists
from mooc.credentials.vcapi_verify import Answer, credential_answer, presentation_answer
from mooc.credentials.verification import require_verifiable
from mooc.errors import BadRequest, Invalid, NotFound
from mooc.extensions import csrf, db, limiter
from mooc.web import edge
from mooc.web.errors import problem

bp = Blueprint("vcapi", __name__, url_prefix="/api/v1/vc-api")
MAX_STATUS_BODY = 16 * 1024
STATUS_WORDS = {"revoked": ("revocation", True), "suspended": ("suspension", True)}


def _body(max_bytes: int) -> dict[str, Any]:
    request.max_content_length = max_bytes  # larger: 413
    raw = request.get_data(cache=False)
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest(_("The body is not JSON.")) from None
    if not isinstance(body, dict):
        raise BadRequest(_("The body must be a JSON object."))
    return body


def _options(body: dict[str, Any]) -> dict[str, Any]:
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise Invalid(_("options must be a JSON object."))
    return options


def _optional_text(options: dict[str, Any], name: str) -> str | None:
    value = options.get(name)
    if value is not None and not isinstance(value, str):
        raise Invalid(_("options.%(name)s must be a string.", name=name))
    return value


def _answer(answer: Answer) -> ResponseReturnValue:
    if answer.verified:
        return jsonify(answer.body)
    detail = "; ".join(answer.errors) or _("It could not be verified: see the warnings.")
    return problem(400, detail, **answer.body)


@bp.post("/credentials/verify")
@limiter.shared_limit(edge.verify_limit, scope=edge.VERIFY_SCOPE)
def verify_credential() -> ResponseReturnValue:
    body = _body(edge.record_max_bytes())
    credential = body.get("verifiableCredential")
    _options(body)
    if not isinstance(credential, dict):
        raise BadRequest(_('The body must be {"verifiableCredential": {…}} with a JSON object.'))
    require_verifiable(credential)
    return _answer(credential_answer(edge.verifier(), credential))


@bp.post("/presentations/verify")
@limiter.shared_limit(edge.verify_limit, scope=edge.VERIFY_SCOPE)
def verify_presentation() -> ResponseReturnValue:
    body = _body(edge.record_max_bytes())
    presentation = body.get("verifiablePresentation")
    options = _options(body)
    if not isinstance(presentation, dict):
        raise BadRequest(_('The body must be {"verifiablePresentation": {…}} with a JSON object.'))
    require_verifiable(presentation)
    answer = presentation_answer(
        edge.verifier(),
        presentation,
        challenge=_optional_text(options, "challenge"),
        domain=_optional_text(options, "domain"),
    )
    return _answer(answer)


def _status_purposes(options: dict[str, Any]) -> list[str]:
    """The purposes `options.credentialStatus` asks entries for (none when absent)."""
    wanted = options.get("credentialStatus")
    if wanted is None:
        return []
    if not isinstance(wanted, dict) or wanted.get("type") != "BitstringStatusListEntry":
        raise Invalid(_('options.credentialStatus must be {"type": "BitstringStatusListEntry"}.'))
    purposes = wanted.get("statusPurpose", "revocation")
    purposes = purposes if isinstance(purposes, list) else [purposes]
    if not purposes or not all(isinstance(p, str) for p in purposes):
        raise Invalid(_("A status purpose is revocation or suspension."))
    return purposes


@bp.post("/credentials/issue")
@token_required(ApiScope.CREDENTIALS_ISSUE)
def issue() -> ResponseReturnValue:
    body = _body(edge.record_max_bytes())
    credential = body.get("credential")
    if not isinstance(credential, dict):
        raise BadRequest(_('The body must be {"credential": {…}} with a JSON object.'))
    purposes = _status_purposes(_options(body))
    require_verifiable(credential)
    token = calling_token()
    row = vcapi.issue_posted(
        db.session,
        edge.issuing_context(),
        calling_institution(),
        credential,
        purposes=purposes,
        actor_id=token.created_by_id if token else None,
        token=token.public_id if token else "",
    )
    db.session.commit()
    return jsonify(verifiableCredential=vcapi.signed_credential(row)), 201


def _status_change(item: Any) -> tuple[str, bool, str | None]:
    """(purpose, set or clear, entry id) of one `credentialStatus` item of a status request."""
    if not isinstance(item, dict) or item.get("type") != "BitstringStatusListEntry":
        raise Invalid(_("credentialStatus must be a BitstringStatusListEntry."))
    entry_id = item.get("id")
    if entry_id is not None and not isinstance(entry_id, str):
        raise Invalid(_("credentialStatus.id must be a string."))
    status = item.get("status", True)
    if isinstance(status, str) and status in STATUS_WORDS:
        word_purpose, value = STATUS_WORDS[status]
        return word_purpose, value, entry_id
    purpose = item.get("statusPurpose")
    if not isinstance(purpose, str) or not isinstance(status, bool):
        raise Invalid(
            _("Give statusPurpose (revocation or suspension) and status (true or false).")
        )
    return purpose, status, entry_id


@bp.post("/credentials/status")
@token_required(ApiScope.CREDENTIALS_ISSUE)
def update_status() -> ResponseReturnValue:
    body = _body(MAX_STATUS_BODY)
    credential_id = body.get("credentialId")
    if credential_id is not None and (not isinstance(credential_id, str) or not credential_id):
        raise Invalid(_("credentialId must be the credential's id."))
    items = body.get("credentialStatus")
    items = items if isinstance(items, list) else [items]
    if not items or len(items) > 2:
        raise Invalid(_("Send one credentialStatus item per status purpose."))
    changes = [_status_change(item) for item in items]
    if credential_id is None and not all(entry_id for _p, _v, entry_id in changes):
        raise Invalid(_("Name the credential by credentialId or its credentialStatus.id."))
    token = calling_token()
    for purpose, value, entry_id in changes:
        vcapi.set_status(
            db.session,
            edge.issuing_context(),
            calling_institution(),
            credential_id=credential_id,
            entry_id=entry_id,
            purpose=purpose,
            value=value,
            actor_id=token.created_by_id if token else None,
            token=token.public_id if token else "",
        )
    db.session.commit()
    return jsonify(credentialId=credential_id, updated=len(changes))


@bp.get("/status-lists/<slug>/<any(revocation, suspension):purpose>/<int(max=999999999):number>")
def status_list(slug: str, purpose: str, number: int) -> ResponseReturnValue:
    if "\x00" in slug:  # no database compares NUL
        raise NotFound(_("There is no such status list."))
    found = vcapi_status_lists.published_list(db.session, slug, purpose, number)
    response = jsonify(json.loads(found.credential))
    response.mimetype = "application/vc+ld+json"
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.post(
    "/status-lists/<slug>/<any(revocation, suspension):purpose>/<int(max=999999999):number>/publish"
)
@token_required(ApiScope.CREDENTIALS_ISSUE)
def publish_status_list(slug: str, purpose: str, number: int) -> ResponseReturnValue:
    """What the W3C status list suite calls after a change: lists here are re-signed at every
    change already, so this only confirms the list is the caller's (204)."""
    if "\x00" in slug or slug != calling_institution().slug:
        raise NotFound(_("There is no such status list."))
    vcapi_status_lists.published_list(db.session, slug, purpose, number)
    return "", 204


for _public in (verify_credential, verify_presentation):
    csrf.exempt(_public)  # (not a decorator: Flask-WTF is untyped) public JSON APIs, no cookie
