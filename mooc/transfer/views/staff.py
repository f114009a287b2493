"""A university's recognition desk, for its staff only: the queue, one item with its verified
record and proposal, decisions, records received outside the platform, and CSV exports."""

from __future__ import annotations

import json
from dataclasses import asdict

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from mooc.accounts.models import Institution
from mooc.credentials.core.reading import summarize
from mooc.db import utcnow
from mooc.errors import Conflict, Invalid
from mooc.extensions import db
from mooc.pagination import page_number
from mooc.transfer import audit, exports, queries
from mooc.transfer.forms import (
    AcceptForm,
    AdjustForm,
    ConfirmForm,
    ExportForm,
    OutsideRecordForm,
    RejectForm,
)
from mooc.transfer.models import Outcome, RequestItem
from mooc.transfer.permissions import staff_universities, staff_university
from mooc.transfer.queries import item_of
from mooc.transfer.reasons import evaluation_reasons, explained_checks, jinja_helpers
from mooc.transfer.services.decisions import (
    Adjustment,
    ProposalChanged,
    ProposalKey,
    decide,
    reevaluate,
)
from mooc.transfer.services.evaluation import evaluate_record
from mooc.transfer.services.revocations import (
    confirm_recognition,
    flag_revoked_platform_records,
)
from mooc.web import edge
from mooc.web.auth import current_account, login_required

bp = Blueprint("staff", __name__, url_prefix="/university")
bp.context_processor(jinja_helpers)


def _university(slug: str) -> Institution:
    return staff_university(db.session, current_account(), slug)


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    mine = staff_universities(db.session, current_account())
    if len(mine) == 1:
        return redirect(url_for("transfer.staff.queue", slug=mine[0].slug))
    return render_template("transfer/universities.html", universities=mine)


@bp.get("/<slug>")
@login_required
def queue(slug: str) -> ResponseReturnValue:
    university = _university(slug)
    if flag_revoked_platform_records(db.session, university.id):
        db.session.commit()
    show = request.args.get("show", "pending")
    show = show if show in queries.QUEUE_VIEWS else "pending"
    counts = queries.queue_counts(db.session, university.id)
    page = page_number(request.args.get("page"))
    return render_template(
        "transfer/queue.html",
        university=university,
        items=queries.queue(db.session, university.id, show, page=page, total=counts[show]),
        counts=counts,
        show=show,
    )


# The item page holds several forms: each has its own prefix, so every id (and the label that
# points at it) is unique on the page.
ACCEPT, ADJUST, RECHECK, KEEP = "accept", "adjust", "recheck", "keep"


def _item_page(
    university: Institution,
    item: RequestItem,
    *,
    adjust: AdjustForm | None = None,
) -> str:
    accept = AcceptForm(
        formdata=None,
        prefix=ACCEPT,
        credits=str(item.proposal_credits),
        course_code=item.proposal_course_code or "",
        rule_version=str(item.proposal_rule_version_id or ""),
    )
    adjust = adjust or AdjustForm(
        formdata=None,
        prefix=ADJUST,
        credits=item.proposal_credits or None,
        course_code=item.proposal_course_code or "",
        course_title=item.proposal_course_title or "",
    )
    return render_template(
        "transfer/item.html",
        university=university,
        item=item,
        summary=summarize(json.loads(item.document)),
        checks=explained_checks(item.checks),
        trusted=any(
            c.get("id") == "issuer-trusted" and c.get("status") == "passed" for c in item.checks
        ),
        accept=accept,
        adjust=adjust,
        confirm=ConfirmForm(prefix=RECHECK),
        keep=ConfirmForm(prefix=KEEP),
        history=audit.entries_about(db.session, university.id, "item", item.id),
    )


@bp.get("/<slug>/items/<int:item_id>")
@login_required
def item(slug: str, item_id: int) -> ResponseReturnValue:
    university = _university(slug)
    return _item_page(university, item_of(db.session, university, item_id))


def _decide(
    university: Institution,
    found: RequestItem,
    outcome: Outcome,
    *,
    comment: str = "",
    adjustment: Adjustment | None = None,
    expected: ProposalKey | None = None,
) -> ResponseReturnValue:
    """Decide, commit, and go back to the item (`Invalid` is left to the caller's form)."""
    try:
        decide(
            db.session,
            current_account(),
            university,
            found,
            outcome=outcome,
            comment=comment,
            adjustment=adjustment,
            expected=expected,
            verifier=edge.verifier(),
            context=edge.issuing_context(),
            today=utcnow().date(),
        )
    except ProposalChanged as error:
        db.session.commit()  # keep the fresh proposal the person is sent back to
        flash(error.message, "error")
    except Conflict as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Your decision is recorded."), "success")
    return redirect(url_for("transfer.staff.item", slug=university.slug, item_id=found.id), 303)


@bp.post("/<slug>/items/<int:item_id>/accept")
@login_required
def accept(slug: str, item_id: int) -> ResponseReturnValue:
    university = _university(slug)
    found = item_of(db.session, university, item_id)
    form = AcceptForm(prefix=ACCEPT)
    if not form.validate_on_submit():
        raise Invalid(_("The form had expired. Please try again."))
    return _decide(university, found, Outcome.ACCEPTED, expected=form.expected())


@bp.post("/<slug>/items/<int:item_id>/adjust")
@login_required
def adjust(slug: str, item_id: int) -> ResponseReturnValue:
    university = _university(slug)
    found = item_of(db.session, university, item_id)
    form = AdjustForm(prefix=ADJUST)
    if form.validate_on_submit():
        try:
            return _decide(
                university,
                found,
                Outcome.ADJUSTED,
                comment=form.comment.data or "",
                adjustment=form.adjustment(),
            )
        except Invalid as error:
            field = getattr(form, error.field or "comment", form.comment)
            field.errors = [error.message]
    return _item_page(university, found, adjust=form), 422


@bp.route("/<slug>/items/<int:item_id>/reject", methods=["GET", "POST"])
@login_required
def reject(slug: str, item_id: int) -> ResponseReturnValue:
    """GET shows what not recognising does and asks for the reason; POST (CSRF) decides."""
    university = _university(slug)
    found = item_of(db.session, university, item_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            return _decide(university, found, Outcome.REJECTED, comment=form.comment.data or "")
        except Invalid as error:
            form.comment.errors = [error.message]
    return render_template(
        "transfer/reject.html", university=university, item=found, form=form
    ), 422 if form.errors else 200


@bp.post("/<slug>/items/<int:item_id>/confirm")
@login_required
def confirm(slug: str, item_id: int) -> ResponseReturnValue:
    """Keep a recognition after its source record was revoked: lift its record's suspension."""
    university = _university(slug)
    found = item_of(db.session, university, item_id)
    if not ConfirmForm(prefix=KEEP).validate_on_submit():
        raise Invalid(_("The form had expired. Please try again."))
    confirm_recognition(db.session, current_account(), university, found, edge.issuing_context())
    db.session.commit()
    flash(_("The recognition is confirmed: its record is valid again."), "success")
    return redirect(url_for("transfer.staff.item", slug=slug, item_id=found.id), 303)


@bp.post("/<slug>/items/<int:item_id>/recheck")
@login_required
def recheck(slug: str, item_id: int) -> ResponseReturnValue:
    university = _university(slug)
    found = item_of(db.session, university, item_id)
    if not ConfirmForm(prefix=RECHECK).validate_on_submit():
        raise Invalid(_("The form had expired. Please try again."))
    reevaluate(
        db.session,
        university,
        found,
        verifier=edge.verifier(),
        base_url=edge.base_url(),
        today=utcnow().date(),
    )
    db.session.commit()
    flash(_("The record was verified and evaluated again."), "success")
    return redirect(url_for("transfer.staff.item", slug=slug, item_id=found.id), 303)


def _submitted(form: OutsideRecordForm) -> bytes | str | None:
    upload = form.credential_file.data
    if upload is not None and bool(getattr(upload, "filename", None)):
        data: bytes = upload.read(edge.record_max_bytes() + 1)
        return data
    text = (form.credential_json.data or "").strip()
    return text or None


@bp.route("/<slug>/evaluate", methods=["GET", "POST"])
@login_required
def evaluate(slug: str) -> ResponseReturnValue:
    """A record received by email or on a stick, evaluated against our rules (nothing stored)."""
    university = _university(slug)
    form = OutsideRecordForm()
    evaluations = []
    if form.validate_on_submit():
        data = _submitted(form)
        limit = edge.record_max_bytes()
        if data is None:
            form.credential_json.errors = [_("Paste a record or choose its file.")]
        elif len(data) > limit:
            form.credential_json.errors = [
                _("The record is larger than %(n)d KB.", n=limit // 1024)
            ]
        else:
            try:
                evaluations = evaluate_record(
                    db.session,
                    university,
                    data,
                    verifier=edge.verifier(),
                    base_url=edge.base_url(),
                    today=utcnow().date(),
                )
            except Invalid as error:
                form.credential_json.errors = [error.message]
            else:
                db.session.commit()  # a first use copies the platform's trust list
    results = [
        (
            evaluation,
            explained_checks([asdict(check) for check in evaluation.checks]),
            evaluation_reasons(evaluation),
        )
        for evaluation in evaluations
    ]
    return render_template(
        "transfer/evaluate.html", university=university, form=form, results=results
    ), 422 if form.errors else 200


@bp.get("/<slug>/export")
@login_required
def export(slug: str) -> ResponseReturnValue:
    university = _university(slug)
    form = ExportForm(request.args)
    rows = []
    if request.args and form.validate():
        rows = queries.recognised_credits(
            db.session, university.id, start=form.start.data, end=form.end.data
        )
        if request.args.get("format") == "csv":
            body = (
                exports.totals_csv(rows)
                if form.totals.data == "totals"
                else exports.detail_csv(rows)
            )
            period = f"{form.start.data or 'start'}-{form.end.data or 'now'}"
            name = f"recognised-credits-{university.slug}-{period}.csv"
            return Response(
                body,
                mimetype="text/csv",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
    return render_template(
        "transfer/export.html", university=university, form=form, rows=rows
    ), 422 if form.errors else 200
