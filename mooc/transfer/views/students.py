"""A university's students and the numbers it knows them by, for its staff only: a page of them
(searchable), each with a form to set or clear the number its records state."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from mooc.accounts.models import Institution, Membership
from mooc.accounts.queries import student_membership, students
from mooc.errors import DomainError, NotFound
from mooc.extensions import db
from mooc.pagination import page_number
from mooc.transfer.forms import StudentNumberForm
from mooc.transfer.permissions import staff_university
from mooc.transfer.services.students import set_number
from mooc.web.auth import current_account, login_required
from mooc.web.filters import url_with

bp = Blueprint("students", __name__, url_prefix="/university")

MAX_QUERY = 100


def _form(membership: Membership, formdata: bool = False) -> StudentNumberForm:
    """A student's form; its prefix makes every id on the page unique."""
    if formdata:
        return StudentNumberForm(prefix=f"s{membership.user_id}")
    return StudentNumberForm(
        formdata=None, prefix=f"s{membership.user_id}", student_number=membership.student_number
    )


def _page(
    university: Institution,
    submitted: tuple[int, StudentNumberForm] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The page of students; `submitted`: a student's form as sent, shown with its errors."""
    query = request.args.get("q", "")[:MAX_QUERY]
    found = students(
        db.session, university.id, query=query, page=page_number(request.args.get("page"))
    )
    forms = {membership.user_id: _form(membership) for membership in found.items}
    if submitted is not None:
        forms[submitted[0]] = submitted[1]
    html = render_template(
        "transfer/students.html", university=university, page=found, forms=forms, q=query
    )
    return html, status


@bp.route("/<slug>/students", methods=["GET", "POST"])
@login_required
def students_page(slug: str) -> ResponseReturnValue:
    staff = current_account()
    university = staff_university(db.session, staff, slug)
    if request.method == "GET":
        return _page(university)
    user_id = request.form.get("student", "")
    if not user_id.isdigit() or len(user_id) > 12:
        raise NotFound(_("There is no such student."))
    membership = student_membership(db.session, university.id, int(user_id))
    form = _form(membership, formdata=True)
    if not form.validate_on_submit():
        status = 422 if form.student_number.errors else 400
        return _page(university, (membership.user_id, form), status)
    name = membership.user.name
    try:
        set_number(db.session, staff, university, membership.user_id, form.student_number.data)
    except DomainError as error:
        db.session.rollback()
        form.student_number.errors = [*form.student_number.errors, error.message]
        return _page(university, (int(user_id), form), error.status)
    db.session.commit()
    if membership.student_number:
        number = membership.student_number
        flash(
            _("The student number of %(name)s is %(number)s.", name=name, number=number), "success"
        )
    else:
        flash(_("The student number of %(name)s is cleared.", name=name), "success")
    return redirect(url_with(), 303)
