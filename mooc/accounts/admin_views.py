"""Administration: institutions, people and the roles they hold."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import SelectChoice

from mooc.accounts import services
from mooc.accounts.forms import InstitutionForm, RevokeRoleForm, RoleForm
from mooc.accounts.models import Institution, InstitutionKind, Role, User
from mooc.extensions import db
from mooc.pagination import page_number
from mooc.web.auth import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")


@bp.route("/institutions", methods=["GET", "POST"])
@admin_required
def institutions() -> ResponseReturnValue:
    form = InstitutionForm()
    if form.validate_on_submit():
        slug = (form.slug.data or "").strip()
        if not _SLUG.match(slug):
            form.slug.errors.append(_("Use lowercase letters, digits and hyphens."))
        else:
            services.upsert_institution(
                db.session,
                slug=slug,
                name=(form.name.data or "").strip(),
                kind=InstitutionKind(form.kind.data),
            )
            db.session.commit()
            flash(_("Institution saved."), "success")
            return redirect(url_for("admin.institutions"), 303)
    return render_template(
        "admin/institutions.html", institutions=services.institutions(db.session), form=form
    ), 422 if form.errors else 200


@bp.get("/people")
@admin_required
def people() -> ResponseReturnValue:
    query = request.args.get("q", "")[:100]
    found = services.people(db.session, query=query, page=page_number(request.args.get("page")))
    return render_template("admin/people.html", people=found, q=query)


def _role_form() -> RoleForm:
    form = RoleForm()
    form.institution.choices = [
        SelectChoice(i.id, i.name) for i in services.institutions(db.session)
    ]
    return form


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@admin_required
def person(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id) or abort(404)
    form = _role_form()
    if form.validate_on_submit():
        institution = db.session.get(Institution, form.institution.data) or abort(404)
        services.grant_role(db.session, user, institution, Role(form.role.data))
        db.session.commit()
        flash(_("Role granted."), "success")
        return redirect(url_for("admin.person", user_id=user.id), 303)
    return render_template(
        "admin/person.html", person=user, form=form, revoke_form=RevokeRoleForm()
    ), 422 if form.errors else 200


@bp.post("/people/<int:user_id>/revoke")
@admin_required
def revoke(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id) or abort(404)
    form = RevokeRoleForm()
    if not form.validate_on_submit() or not (form.institution.data or "").isdigit():
        abort(400)
    try:
        role = Role(form.role.data)
    except ValueError:
        abort(400)
    institution = db.session.get(Institution, int(form.institution.data or 0)) or abort(404)
    services.revoke_role(db.session, user, institution, role)
    db.session.commit()
    flash(_("Role removed."), "success")
    return redirect(url_for("admin.person", user_id=user.id), 303)
