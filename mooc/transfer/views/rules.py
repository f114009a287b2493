"""A university's recognition setup, for its staff only: trusted issuers, agreements, versioned
rules, and the audit log of every change."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from wtforms import Field, SelectChoice

from mooc.accounts.models import Institution
from mooc.errors import Conflict, Invalid
from mooc.extensions import db
from mooc.pagination import page_number
from mooc.transfer import audit, queries
from mooc.transfer.forms import AgreementForm, ConfirmForm, RuleForm, TrustedIssuerForm
from mooc.transfer.models import Agreement, RecognitionRule
from mooc.transfer.permissions import staff_university
from mooc.transfer.reasons import jinja_helpers
from mooc.transfer.services import rules, trust
from mooc.web import edge
from mooc.web.auth import current_account, login_required
from mooc.web.forms import Form

bp = Blueprint("rules", __name__, url_prefix="/university")
bp.context_processor(jinja_helpers)


def _university(slug: str) -> Institution:
    return staff_university(db.session, current_account(), slug)


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        raise Invalid(_("The form had expired. Please try again."))


def _show_error(form: Form, error: Invalid | Conflict, fallback: Field) -> None:
    """Show a service's error on the field it names (or on `fallback`)."""
    field = form._fields.get(error.field or "") or fallback
    field.errors = [error.message]


@bp.route("/<slug>/trust", methods=["GET", "POST"])
@login_required
def trusted(slug: str) -> ResponseReturnValue:
    university = _university(slug)
    trust.ensure_trust_list(db.session, university, edge.base_url())
    form = TrustedIssuerForm()
    if form.validate_on_submit():
        try:
            row = trust.add_trusted_issuer(
                db.session,
                university,
                current_account(),
                did=form.did.data or "",
                name=form.name.data or "",
            )
        except (Invalid, Conflict) as error:
            _show_error(form, error, form.did)
        else:
            db.session.commit()
            flash(_("%(name)s is now trusted.", name=row.name), "success")
            return redirect(url_for("transfer.rules.trusted", slug=slug), 303)
    db.session.commit()  # a first visit copies the platform's trust list
    return render_template(
        "transfer/trust.html",
        university=university,
        issuers=queries.live_issuers(db.session, university.id),
        form=form,
        confirm=ConfirmForm(),
    ), 422 if form.errors else 200


@bp.post("/<slug>/trust/platform")
@login_required
def trust_platform(slug: str) -> ResponseReturnValue:
    university = _university(slug)
    _confirmed()
    added = trust.add_platform_issuers(db.session, university, edge.base_url(), current_account())
    db.session.commit()
    flash(
        ngettext(
            "%(num)d issuer of the platform added.",
            "%(num)d issuers of the platform added.",
            len(added),
        ),
        "success",
    )
    return redirect(url_for("transfer.rules.trusted", slug=slug), 303)


@bp.post("/<slug>/trust/<int:issuer_id>/remove")
@login_required
def distrust(slug: str, issuer_id: int) -> ResponseReturnValue:
    university = _university(slug)
    _confirmed()
    row = trust.remove_trusted_issuer(db.session, university, current_account(), issuer_id)
    db.session.commit()
    flash(_("%(name)s is no longer trusted.", name=row.name), "success")
    return redirect(url_for("transfer.rules.trusted", slug=slug), 303)


@bp.route("/<slug>/agreements", methods=["GET", "POST"])
@login_required
def agreements(slug: str) -> ResponseReturnValue:
    university = _university(slug)
    form = AgreementForm()
    if form.validate_on_submit():
        try:
            agreement = rules.create_agreement(
                db.session,
                university,
                current_account(),
                name=form.name.data or "",
                partner=form.partner.data or "",
                credit_cap=form.credit_cap.data,
            )
        except (Invalid, Conflict) as error:
            _show_error(form, error, form.name)
        else:
            db.session.commit()
            flash(_("The agreement is created. Now add its rules."), "success")
            return redirect(
                url_for("transfer.rules.agreement", slug=slug, agreement_id=agreement.id), 303
            )
    return render_template(
        "transfer/agreements.html",
        university=university,
        agreements=queries.agreements(db.session, university.id),
        form=form,
    ), 422 if form.errors else 200


@bp.route("/<slug>/agreements/<int:agreement_id>", methods=["GET", "POST"])
@login_required
def agreement(slug: str, agreement_id: int) -> ResponseReturnValue:
    university = _university(slug)
    found = queries.agreement_of(db.session, university, agreement_id)
    form = AgreementForm(obj=found)
    if form.validate_on_submit():
        try:
            rules.update_agreement(
                db.session,
                found,
                current_account(),
                name=form.name.data or "",
                partner=form.partner.data or "",
                credit_cap=form.credit_cap.data,
            )
        except (Invalid, Conflict) as error:
            _show_error(form, error, form.name)
        else:
            db.session.commit()
            flash(_("The agreement is saved."), "success")
            return redirect(
                url_for("transfer.rules.agreement", slug=slug, agreement_id=found.id), 303
            )
    return render_template(
        "transfer/agreement.html", university=university, agreement=found, form=form
    ), 422 if form.errors else 200


def _rule_form(university: Institution, rule: RecognitionRule | None = None) -> RuleForm:
    form = RuleForm()
    issuers = queries.live_issuers(db.session, university.id)
    choices = [SelectChoice(issuer.did, f"{issuer.name} ({issuer.did})") for issuer in issuers]
    if rule is not None and rule.current.issuer_did not in {issuer.did for issuer in issuers}:
        current = rule.current.issuer_did
        choices.append(SelectChoice(current, _("%(did)s (no longer trusted)", did=current)))
    form.issuer_did.choices = choices
    if rule is not None and request.method == "GET":
        version = rule.current
        form.process(
            obj=version,
            match_by="achievement" if version.achievement_id else "code",
            method=version.method.value,
        )
    return form


def _save_rule(
    form: RuleForm, agreement: Agreement, rule: RecognitionRule | None
) -> RecognitionRule | None:
    try:
        if rule is None:
            return rules.create_rule(db.session, agreement, current_account(), form.spec())
        rules.edit_rule(db.session, rule, current_account(), form.spec())
    except (Invalid, Conflict) as error:
        _show_error(form, error, form.code_pattern)
        return None
    return rule


@bp.route("/<slug>/agreements/<int:agreement_id>/rules/new", methods=["GET", "POST"])
@login_required
def new_rule(slug: str, agreement_id: int) -> ResponseReturnValue:
    university = _university(slug)
    found = queries.agreement_of(db.session, university, agreement_id)
    trust.ensure_trust_list(db.session, university, edge.base_url())
    form = _rule_form(university)
    if form.validate_on_submit():
        saved = _save_rule(form, found, None)
        if saved is not None:
            db.session.commit()
            flash(_("The rule is saved."), "success")
            return redirect(
                url_for("transfer.rules.agreement", slug=slug, agreement_id=found.id), 303
            )
    return render_template(
        "transfer/rule.html", university=university, agreement=found, rule=None, form=form
    ), 422 if form.errors else 200


@bp.route("/<slug>/rules/<int:rule_id>", methods=["GET", "POST"])
@login_required
def rule(slug: str, rule_id: int) -> ResponseReturnValue:
    university = _university(slug)
    found = queries.rule_of(db.session, university, rule_id)
    form = _rule_form(university, found)
    if form.validate_on_submit() and _save_rule(form, found.agreement, found) is not None:
        db.session.commit()
        flash(_("The rule is saved as version %(n)d.", n=found.current_version), "success")
        return redirect(url_for("transfer.rules.rule", slug=slug, rule_id=found.id), 303)
    return render_template(
        "transfer/rule.html",
        university=university,
        agreement=found.agreement,
        rule=found,
        form=form,
        confirm=ConfirmForm(),
    ), 422 if form.errors else 200


@bp.post("/<slug>/rules/<int:rule_id>/retire")
@login_required
def retire(slug: str, rule_id: int) -> ResponseReturnValue:
    university = _university(slug)
    found = queries.rule_of(db.session, university, rule_id)
    _confirmed()
    rules.retire_rule(db.session, found, current_account())
    db.session.commit()
    flash(_("The rule no longer applies."), "success")
    return redirect(
        url_for("transfer.rules.agreement", slug=slug, agreement_id=found.agreement_id), 303
    )


@bp.get("/<slug>/audit")
@login_required
def audit_log(slug: str) -> ResponseReturnValue:
    university = _university(slug)
    page = page_number(request.args.get("page"))
    return render_template(
        "transfer/audit.html",
        university=university,
        page=audit.entries(db.session, university.id, page=page),
    )
