"""Administration: institutions, people, the roles they hold and their accounts' state."""

from __future__ import annotations

import logging
import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import SelectChoice

from mooc.accounts import queries, recovery, services
from mooc.accounts.core.one_time_passwords import one_time_password as new_one_time_password
from mooc.accounts.forms import (
    AccountActionForm,
    EmailChangeForm,
    InstitutionForm,
    RevokeRoleForm,
    RoleForm,
)
from mooc.accounts.models import InstitutionKind, Role, User
from mooc.accounts.recovery_mail import reset_message
from mooc.errors import BadRequest, DomainError
from mooc.extensions import db
from mooc.mail import MailError
from mooc.pagination import page_number
from mooc.web import edge
from mooc.web.auth import admin_required, current_account
from mooc.web.forms import require_submitted
from mooc.web.sign_in_links import sign_in_qr, sign_in_url

bp = Blueprint("admin", __name__, url_prefix="/admin")
log = logging.getLogger(__name__)
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
    found = queries.institutions_page(db.session, page=page_number(request.args.get("page")))
    return render_template(
        "admin/institutions.html", institutions=found, form=form
    ), 422 if form.errors else 200


@bp.get("/people")
@admin_required
def people() -> ResponseReturnValue:
    query = request.args.get("q", "")[:100]
    found = queries.people(db.session, query=query, page=page_number(request.args.get("page")))
    return render_template("admin/people.html", people=found, q=query)


def _role_form() -> RoleForm:
    form = RoleForm()
    form.institution.choices = [
        SelectChoice(i.id, i.name) for i in queries.institutions(db.session)
    ]
    return form


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@admin_required
def person(user_id: int) -> ResponseReturnValue:
    user = queries.person(db.session, user_id)
    form = _role_form()
    status = None
    if form.validate_on_submit():
        institution = queries.institution(db.session, form.institution.data)
        try:
            services.grant_role(
                db.session,
                user,
                institution,
                Role(form.role.data),
                form.student_number.data,
                by=current_account(),
            )
        except DomainError as exc:
            db.session.rollback()
            form.student_number.errors = [*form.student_number.errors, exc.message]
            status = exc.status
        else:
            db.session.commit()
            flash(_("Role granted."), "success")
            return redirect(url_for("admin.person", user_id=user.id), 303)
    return _person_page(user, form=form, status=status)


def _person_page(
    user: User,
    *,
    form: RoleForm | None = None,
    email_form: EmailChangeForm | None = None,
    status: int | None = None,
) -> ResponseReturnValue:
    form = form or _role_form()
    email_form = email_form or EmailChangeForm(formdata=None, email=user.email)
    if status is None:
        status = 422 if form.errors or email_form.errors else 200
    return render_template(
        "admin/person.html",
        person=user,
        form=form,
        email_form=email_form,
        action_form=AccountActionForm(),
        revoke_form=RevokeRoleForm(),
    ), status


def _checked_action(user_id: int) -> User:
    """The person an account button acts on; 400 without a valid CSRF token."""
    user = queries.person(db.session, user_id)
    require_submitted(AccountActionForm())
    return user


@bp.post("/people/<int:user_id>/disable")
@admin_required
def disable(user_id: int) -> ResponseReturnValue:
    user = _checked_action(user_id)
    try:
        services.set_active(user, False, by=current_account())
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.person", user_id=user.id), 303)
    db.session.commit()
    flash(_("The account is disabled: it cannot log in, and its sessions have ended."), "success")
    return redirect(url_for("admin.person", user_id=user.id), 303)


@bp.post("/people/<int:user_id>/enable")
@admin_required
def enable(user_id: int) -> ResponseReturnValue:
    user = _checked_action(user_id)
    services.set_active(user, True, by=current_account())
    db.session.commit()
    flash(_("The account is enabled again."), "success")
    return redirect(url_for("admin.person", user_id=user.id), 303)


@bp.post("/people/<int:user_id>/email")
@admin_required
def change_email(user_id: int) -> ResponseReturnValue:
    user = queries.person(db.session, user_id)
    form = EmailChangeForm()
    status = None
    if form.validate_on_submit():
        try:
            services.change_email(db.session, user, form.email.data or "", by=current_account())
        except DomainError as exc:
            db.session.rollback()
            form.email.errors.append(exc.message)
            status = exc.status
        else:
            db.session.commit()
            flash(_("The email address is changed."), "success")
            return redirect(url_for("admin.person", user_id=user.id), 303)
    return _person_page(user, email_form=form, status=status)


@bp.post("/people/<int:user_id>/reset")
@admin_required
def send_reset(user_id: int) -> ResponseReturnValue:
    user = _checked_action(user_id)
    admin = current_account()
    try:
        message = reset_message(recovery.start_reset(db.session, user, sent_by=admin))
        edge.postbox().send_now(message)  # the administrator learns at once if the mail fails
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    except MailError:
        db.session.rollback()
        log.exception("reset link for account %s not sent", user.id)
        flash(_("The message could not be sent. Check the mail settings and try again."), "error")
    else:
        db.session.commit()
        log.info("admin %s sent a password reset link to account %s", admin.id, user.id)
        flash(_("A password reset link was sent to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.person", user_id=user.id), 303)


@bp.post("/people/<int:user_id>/one-time-password")
@admin_required
def one_time_password(user_id: int) -> ResponseReturnValue:
    """For an account without email (no reset link can reach it): a password shown once, on a
    card, that the person replaces at the next sign-in."""
    user = _checked_action(user_id)
    admin = current_account()
    password = new_one_time_password()
    services.set_one_time_password(user, password)
    db.session.commit()
    log.info("admin %s set a one-time password for account %s", admin.id, user.id)
    page = render_template(
        "admin/one_time_password.html",
        person=user,
        password=password,
        qr=sign_in_qr(user.login_name),
        sign_in=sign_in_url(),
    )
    return page, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _unreadable() -> BadRequest:
    return BadRequest(
        _("The request could not be understood. Please check the form and try again.")
    )


@bp.post("/people/<int:user_id>/revoke")
@admin_required
def revoke(user_id: int) -> ResponseReturnValue:
    user = queries.person(db.session, user_id)
    form = RevokeRoleForm()
    if not form.validate_on_submit() or not (form.institution.data or "").isdigit():
        raise _unreadable()
    try:
        role = Role(form.role.data)
    except ValueError:
        raise _unreadable() from None
    institution = queries.institution(db.session, int(form.institution.data or 0))
    services.revoke_role(db.session, user, institution, role, by=current_account())
    db.session.commit()
    flash(_("Role removed."), "success")
    return redirect(url_for("admin.person", user_id=user.id), 303)
