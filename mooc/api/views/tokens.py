"""Pages where an institution's staff (and admins) create, list and revoke its API tokens.

A new token's secret is shown once, in the answer to the form that created it, and never again.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from mooc.accounts.models import Institution
from mooc.api import permissions, queries, services
from mooc.api.forms import CreateTokenForm, RevokeTokenForm, scope_labels
from mooc.api.models import ApiScope
from mooc.db import utcnow
from mooc.errors import DomainError, PermissionDenied
from mooc.extensions import db
from mooc.web import edge
from mooc.web.auth import current_account, login_required
from mooc.web.forms import require_submitted

bp = Blueprint("tokens", __name__, url_prefix="/api-tokens")


def _pepper() -> str:
    return edge.settings().api_token_pepper


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    institutions = permissions.manageable_institutions(db.session, current_account())
    if not institutions:
        raise PermissionDenied(_("Only an institution's staff can manage its API tokens."))
    if len(institutions) == 1:
        return redirect(url_for("api.tokens.tokens", slug=institutions[0].slug))
    return render_template("api/index.html", institutions=institutions)


def _page(
    institution: Institution, form: CreateTokenForm, *, created: services.IssuedToken | None = None
) -> str:
    return render_template(
        "api/tokens.html",
        institution=institution,
        tokens=queries.institution_tokens(db.session, institution.id),
        form=form,
        revoke_form=RevokeTokenForm(),
        created=created,
        scope_labels=scope_labels(),
        enabled=bool(_pepper()),
        now=utcnow(),
    )


@bp.route("/<slug>", methods=["GET", "POST"])
@login_required
def tokens(slug: str) -> ResponseReturnValue:
    user = current_account()
    institution = permissions.managed_institution(db.session, user, slug)
    form = CreateTokenForm()
    if not form.validate_on_submit():
        return _page(institution, form), 422 if form.errors else 200
    now = utcnow()
    lifetime = form.lifetime.data or ""
    try:
        created = services.create_token(
            db.session,
            institution=institution,
            name=form.name.data or "",
            scopes=[ApiScope(value) for value in form.scopes.data or []],
            created_by=user,
            pepper=_pepper(),
            now=now,
            expires_at=now + dt.timedelta(days=int(lifetime)) if lifetime else None,
        )
    except DomainError as exc:
        form.name.errors = [*form.name.errors, exc.message]
        return _page(institution, form), exc.status
    db.session.commit()
    # The one answer that holds the secret: shown now, kept by no cache, never shown again.
    page = _page(institution, CreateTokenForm(formdata=None), created=created)
    return page, 201, {"Cache-Control": "no-store"}


@bp.post("/<slug>/<int:token_id>/revoke")
@login_required
def revoke(slug: str, token_id: int) -> ResponseReturnValue:
    user = current_account()
    institution = permissions.managed_institution(db.session, user, slug)
    require_submitted(RevokeTokenForm())
    token = queries.institution_token(db.session, institution.id, token_id)
    if services.revoke_token(db.session, token, by=user, now=utcnow()):
        db.session.commit()
        flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for("api.tokens.tokens", slug=institution.slug), 303)
