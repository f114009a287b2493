"""JSON API of records (DESIGN §8): the logged-in student's records, and VC-API style verify.

Malformed input answers 400/422 problem details, oversized input 413; never a 500.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mooc.credentials import queries
from mooc.credentials.models import CredentialKind, IssuedCredential
from mooc.credentials.verification import require_verifiable
from mooc.errors import BadRequest, Invalid
from mooc.extensions import csrf, db, limiter
from mooc.web import edge
from mooc.web.auth import current_account
from mooc.web.errors import error_response

bp = Blueprint("credentials_api", __name__, url_prefix="/api/v1")


def _item(record: IssuedCredential, base_url: str) -> dict[str, Any]:
    return {
        "id": f"urn:uuid:{record.uuid}",
        "type": "ClrCredential"
        if record.kind == CredentialKind.TRANSCRIPT
        else "OpenBadgeCredential",
        "name": record.name,
        "issued": record.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": "revoked" if record.is_revoked else "active",
        "url": f"{base_url}/records/{record.uuid}/credential.json",
    }


@bp.get("/me/credentials")
def my_credentials() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return error_response(401, _("Log in to see your records."))
    base_url = edge.base_url()
    records = queries.my_records(db.session, current_account().id)
    return jsonify([_item(record, base_url) for record in records])


def _body() -> Any:
    request.max_content_length = edge.record_max_bytes()  # larger: 413
    raw = request.get_data(cache=False)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest(_("The body is not JSON.")) from None


@bp.post("/credentials/verify")
@limiter.shared_limit(edge.verify_limit, scope=edge.VERIFY_SCOPE)
def verify() -> ResponseReturnValue:
    body = _body()
    credential = body.get("verifiableCredential") if isinstance(body, dict) else None
    if not isinstance(credential, dict):
        raise Invalid(_('The body must be {"verifiableCredential": {…}} with a JSON object.'))
    if "options" in body and not isinstance(body["options"], dict):
        raise Invalid(_("options must be a JSON object."))
    require_verifiable(credential)
    return jsonify(edge.verifier().verify(credential).to_json())


csrf.exempt(verify)  # (not a decorator: Flask-WTF is untyped) a public JSON API, no cookie
