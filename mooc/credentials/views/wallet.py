"""Add to wallet: the holder starts an exchange from a record's page and sees its QR code and
links; a wallet then completes it at the exchange URL (VC API, JSON only).

The exchange URL needs no cookie and reads none: the wallet is let in by the URL's secret part
and proves a DID by signing the exchange's challenge. It is exempt from CSRF for that reason and
refuses anything but JSON, which a page on another site cannot send without a CORS preflight.
"""

from __future__ import annotations

import json
import uuid

from flask import jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from mooc.credentials import queries
from mooc.credentials.blueprint import bp
from mooc.credentials.core.presentation import is_presentation
from mooc.credentials.core.wallet import wallet_links
from mooc.credentials.forms import AddToWalletForm
from mooc.credentials.issuers import issuer_did
from mooc.credentials.models import IssuedCredential, WalletExchange
from mooc.credentials.services import wallet
from mooc.credentials.services.issuing import signed_document
from mooc.db import utcnow
from mooc.errors import DomainError
from mooc.extensions import csrf, db, limiter
from mooc.web import edge
from mooc.web.auth import current_account, login_required
from mooc.web.errors import problem
from mooc.web.forms import require_submitted
from mooc.web.qr import qr_svg


def _mine(record_id: uuid.UUID) -> IssuedCredential:
    return queries.my_record(db.session, current_account().id, str(record_id))


def exchange_url(exchange: WalletExchange) -> str:
    return edge.base_url() + url_for("credentials.wallet_exchange", token=exchange.token)


@bp.post("/records/<uuid:record_id>/wallet")
@login_required
def add_to_wallet(record_id: uuid.UUID) -> ResponseReturnValue:
    """A new exchange for the record, then its page (QR code and links)."""
    found = _mine(record_id)
    require_submitted(AddToWalletForm())
    exchange = wallet.create_exchange(
        db.session, found, current_account(), base_url=edge.base_url()
    )
    db.session.commit()
    target = url_for("credentials.wallet_page", record_id=found.uuid, exchange_id=exchange.id)
    return redirect(target, 303)


@bp.get("/records/<uuid:record_id>/wallet/<int:exchange_id>")
@login_required
def wallet_page(record_id: uuid.UUID, exchange_id: int) -> ResponseReturnValue:
    """The exchange as the holder sees it: waiting for a wallet (QR code, links), done, or
    expired."""
    found = _mine(record_id)
    exchange = wallet.exchange_of(db.session, found, exchange_id)
    url = exchange_url(exchange)
    universal, scheme = wallet_links(
        issuer=issuer_did(edge.base_url(), found.institution),
        challenge=exchange.challenge,
        exchange_url=url,
    )
    return render_template(
        "credentials/wallet.html",
        record=found,
        exchange=exchange,
        exchange_url=url,
        universal_link=universal,
        scheme_link=scheme,
        qr=qr_svg(universal, _("QR code to add this record to a wallet")),
        expired=exchange.completed_at is None and exchange.is_expired(utcnow()),
        form=AddToWalletForm(formdata=None),
    )


def _read_body() -> dict[str, object] | tuple[str, int]:
    request.max_content_length = edge.record_max_bytes()
    try:
        body = json.loads(request.get_data(cache=False))
    except (ValueError, RecursionError):
        return _("The body is not JSON."), 400
    if not isinstance(body, dict):
        return _("The body must be a JSON object."), 400
    return body


@bp.post("/wallet/exchanges/<token>")
@limiter.shared_limit(edge.verify_limit, scope=edge.VERIFY_SCOPE)
def wallet_exchange(token: str) -> ResponseReturnValue:
    """VC API exchange: `{}` starts it (a DIDAuthentication request); `{"verifiablePresentation":
    …}` answers it and receives the record's copy in a presentation. A presentation posted bare
    (the LCW's direct request, challenge from the deep link) is an answer too."""
    if not request.is_json:
        return problem(415, _("Send JSON (Content-Type: application/json)."))
    body = _read_body()
    if isinstance(body, tuple):
        return problem(body[1], body[0])
    try:
        exchange = wallet.exchange_by_token(db.session, token)
        presentation = body.get("verifiablePresentation")
        # The LCW's direct request: the DIDAuth presentation itself, for the deep link's challenge.
        direct = presentation is None and is_presentation(body)
        if direct:
            presentation = body
        if presentation is None:
            return jsonify(wallet.presentation_request(exchange, exchange_url(exchange)))
        if not isinstance(presentation, dict):
            return problem(400, _("verifiablePresentation must be a JSON object."))
        completed = wallet.complete_exchange(
            db.session,
            exchange,
            presentation,
            verifier=edge.verifier(),
            context=edge.issuing_context(),
            require_domain=not direct,
        )
    except DomainError as error:
        db.session.rollback()
        return problem(error.status, error.message)
    db.session.commit()
    return jsonify(
        verifiablePresentation={
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [signed_document(completed.copy)],
        }
    )


csrf.exempt(wallet_exchange)  # (not a decorator: Flask-WTF is untyped) see the module
