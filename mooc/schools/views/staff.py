"""School staff pages: the school's years and classes, and a class's teachers and pupils."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import SelectChoice

from mooc.accounts.models import Institution
from mooc.errors import Conflict, Invalid
from mooc.extensions import db
from mooc.schools.blueprint import bp
from mooc.schools.forms import AddMemberForm, ClassForm, ConfirmForm, YearForm
from mooc.schools.models import ClassRole, SchoolClass
from mooc.schools.permissions import managed_school
from mooc.schools.queries import directory
from mooc.schools.services import classes
from mooc.web.auth import current_account, login_required
from mooc.web.forms import Form


def _school(slug: str) -> Institution:
    return managed_school(db.session, current_account(), slug)


def _show_error(form: Form, error: Invalid | Conflict, fallback: str) -> None:
    field = form._fields.get(error.field or "") or form._fields[fallback]
    field.errors = [error.message]


@bp.get("/schools")
@login_required
def my_schools() -> ResponseReturnValue:
    schools = directory.managed_schools(db.session, current_account())
    if len(schools) == 1:
        return redirect(url_for("schools.school", slug=schools[0].slug), 303)
    return render_template("schools/my_schools.html", schools=schools)


@bp.get("/schools/<slug>/")
@login_required
def school(slug: str) -> ResponseReturnValue:
    found = _school(slug)
    return render_template(
        "schools/school.html",
        school=found,
        years=directory.years_with_classes(db.session, found),
        sizes=directory.class_sizes(db.session, found),
    )


@bp.route("/schools/<slug>/years/new", methods=["GET", "POST"])
@login_required
def new_year(slug: str) -> ResponseReturnValue:
    found = _school(slug)
    form = YearForm()
    if form.validate_on_submit():
        try:
            year = classes.create_year(
                db.session,
                found,
                name=form.name.data or "",
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                by=current_account(),
            )
        except (Invalid, Conflict) as error:
            _show_error(form, error, "name")
        else:
            db.session.commit()
            flash(_("The school year %(name)s is ready.", name=year.name), "success")
            return redirect(url_for("schools.school", slug=slug), 303)
    return render_template("schools/year_form.html", school=found, form=form, year=None), (
        422 if form.errors else 200
    )


@bp.route("/schools/<slug>/years/<int:year_id>", methods=["GET", "POST"])
@login_required
def edit_year(slug: str, year_id: int) -> ResponseReturnValue:
    found = _school(slug)
    year = directory.school_year(db.session, found, year_id)
    form = YearForm(obj=year)
    if form.validate_on_submit():
        try:
            classes.update_year(
                db.session,
                year,
                name=form.name.data or "",
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                by=current_account(),
            )
        except (Invalid, Conflict) as error:
            _show_error(form, error, "name")
        else:
            db.session.commit()
            flash(_("The school year %(name)s is saved.", name=year.name), "success")
            return redirect(url_for("schools.school", slug=slug), 303)
    return render_template("schools/year_form.html", school=found, form=form, year=year), (
        422 if form.errors else 200
    )


def _class_form(found: Institution, school_class: SchoolClass | None = None) -> ClassForm:
    form = ClassForm(obj=school_class)
    years = directory.years_with_classes(db.session, found)
    form.year.choices = [SelectChoice(y.id, y.name) for y in years]
    if request.method == "GET":
        if school_class is not None:
            form.year.data = school_class.school_year_id
        elif request.args.get("year", "").isdigit():
            form.year.data = int(request.args["year"])
    return form


@bp.route("/schools/<slug>/classes/new", methods=["GET", "POST"])
@login_required
def new_class(slug: str) -> ResponseReturnValue:
    found = _school(slug)
    form = _class_form(found)
    if not form.year.choices:
        flash(_("Add a school year first: every class belongs to one."), "info")
        return redirect(url_for("schools.new_year", slug=slug), 303)
    if form.validate_on_submit():
        year = directory.school_year(db.session, found, form.year.data or 0)
        try:
            made = classes.create_class(
                db.session,
                year,
                name=form.name.data or "",
                grade=form.grade.data,
                by=current_account(),
            )
        except Conflict as error:
            _show_error(form, error, "name")
        else:
            db.session.commit()
            flash(
                _("Class %(name)s is ready: add its teachers and pupils.", name=made.name),
                "success",
            )
            return redirect(url_for("schools.class_page", slug=slug, class_id=made.id), 303)
    return render_template("schools/class_form.html", school=found, form=form, school_class=None), (
        422 if form.errors else 200
    )


@bp.route("/schools/<slug>/classes/<int:class_id>/edit", methods=["GET", "POST"])
@login_required
def edit_class(slug: str, class_id: int) -> ResponseReturnValue:
    found = _school(slug)
    school_class = directory.school_class(db.session, found, class_id)
    form = _class_form(found, school_class)
    del form.year  # a class stays in its year; a new year gets new classes
    if form.validate_on_submit():
        try:
            classes.update_class(
                db.session,
                school_class,
                name=form.name.data or "",
                grade=form.grade.data,
                by=current_account(),
            )
        except Conflict as error:
            _show_error(form, error, "name")
        else:
            db.session.commit()
            flash(_("Class %(name)s is saved.", name=school_class.name), "success")
            return redirect(url_for("schools.class_page", slug=slug, class_id=class_id), 303)
    return render_template(
        "schools/class_form.html",
        school=found,
        form=form,
        school_class=school_class,
        confirm=ConfirmForm(),
    ), (422 if form.errors else 200)


@bp.post("/schools/<slug>/classes/<int:class_id>/<any(disable, enable):action>")
@login_required
def switch_class(slug: str, class_id: int, action: str) -> ResponseReturnValue:
    found = _school(slug)
    school_class = directory.school_class(db.session, found, class_id)
    if not ConfirmForm().validate_on_submit():
        raise Invalid(_("The form had expired. Please try again."))
    classes.set_class_enabled(school_class, action == "enable", by=current_account())
    db.session.commit()
    if action == "enable":
        flash(_("Class %(name)s is in use again.", name=school_class.name), "success")
    else:
        flash(
            _("Class %(name)s is disabled; its records are kept.", name=school_class.name),
            "success",
        )
    return redirect(url_for("schools.class_page", slug=slug, class_id=class_id), 303)


@bp.get("/schools/<slug>/classes/<int:class_id>")
@login_required
def class_page(slug: str, class_id: int) -> ResponseReturnValue:
    found = _school(slug)
    school_class = directory.school_class(db.session, found, class_id)
    query = request.args.get("q", "")[:100]
    return render_template(
        "schools/class.html",
        school=found,
        school_class=school_class,
        people=directory.class_people(db.session, school_class),
        query=query,
        found_people=directory.search_people(db.session, found, query),
        add_form=AddMemberForm(),
        confirm=ConfirmForm(),
    )


@bp.post("/schools/<slug>/classes/<int:class_id>/members")
@login_required
def add_member(slug: str, class_id: int) -> ResponseReturnValue:
    found = _school(slug)
    school_class = directory.school_class(db.session, found, class_id)
    form = AddMemberForm()
    if not form.validate_on_submit() or not str(form.user_id.data).isdigit():
        raise Invalid(_("Choose a person and what they are in the class."))
    member = classes.add_member(
        db.session,
        school_class,
        int(form.user_id.data),
        ClassRole(form.role.data),
        subject=form.subject.data,
        by=current_account(),
    )
    db.session.commit()
    flash(
        _("%(name)s is in class %(cls)s.", name=member.user.name, cls=school_class.name), "success"
    )
    return redirect(url_for("schools.class_page", slug=slug, class_id=class_id), 303)


@bp.route(
    "/schools/<slug>/classes/<int:class_id>/members/<int:member_id>/end", methods=["GET", "POST"]
)
@login_required
def end_member(slug: str, class_id: int, member_id: int) -> ResponseReturnValue:
    """GET asks for confirmation; POST (with its CSRF token) ends the membership."""
    found = _school(slug)
    school_class = directory.school_class(db.session, found, class_id)
    member = directory.class_member(db.session, school_class, member_id)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            raise Invalid(_("The form had expired. Please try again."))
        classes.end_member(db.session, school_class, member_id, by=current_account())
        db.session.commit()
        flash(
            _("%(name)s has left class %(cls)s.", name=member.user.name, cls=school_class.name),
            "success",
        )
        return redirect(url_for("schools.class_page", slug=slug, class_id=class_id), 303)
    return render_template(
        "schools/member_end.html",
        school=found,
        school_class=school_class,
        member=member,
        form=form,
    )
