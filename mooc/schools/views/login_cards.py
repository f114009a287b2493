"""Login cards for a class and a pupil's password reset, for the class's teachers and the
school's staff. Both set new one-time passwords, so both are answers to a POST (with CSRF) and
never cached: a GET only shows the confirmation form."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from mooc.errors import DomainError
from mooc.extensions import db
from mooc.schools.blueprint import bp
from mooc.schools.forms import LoginCardsForm, PupilPasswordForm
from mooc.schools.models import SchoolClass
from mooc.schools.permissions import taught_class
from mooc.schools.services import login_cards
from mooc.schools.services.login_cards import CardScope, LoginCard
from mooc.web.auth import current_account, login_required
from mooc.web.sign_in_links import sign_in_qr, sign_in_url

# The answers carry passwords: no cache keeps them, no link passes the page on.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _cards_form(school_class: SchoolClass) -> tuple[LoginCardsForm, list[object]]:
    pupils = login_cards.class_pupils(db.session, school_class)
    form = LoginCardsForm()
    form.pupils.choices = [(p.id, p.name) for p in pupils]
    return form, list(pupils)


def _printed(school_class: SchoolClass, cards: list[LoginCard], template: str) -> str:
    return render_template(
        template,
        school_class=school_class,
        cards=[(card, sign_in_qr(card.login)) for card in cards],
        sign_in=sign_in_url(),
    )


@bp.route("/classes/<int:class_id>/login-cards", methods=["GET", "POST"])
@login_required
def login_cards_page(class_id: int) -> ResponseReturnValue:
    user = current_account()
    school_class = taught_class(db.session, user, class_id)
    form, pupils = _cards_form(school_class)
    status = 200
    if form.validate_on_submit():
        try:
            cards = login_cards.print_login_cards(
                db.session,
                school_class,
                scope=CardScope(form.scope.data),
                selected=form.pupils.data or [],
                by=user,
            )
        except DomainError as exc:
            db.session.rollback()
            form.pupils.errors = [exc.message]
            status = exc.status
        else:
            db.session.commit()
            return _printed(school_class, cards, "schools/login_cards_print.html"), 200, PRIVATE
    elif form.errors:
        status = 422
    return render_template(
        "schools/login_cards.html", school_class=school_class, form=form, pupils=pupils
    ), status


@bp.route("/classes/<int:class_id>/pupils/<int:user_id>/password", methods=["GET", "POST"])
@login_required
def pupil_password(class_id: int, user_id: int) -> ResponseReturnValue:
    user = current_account()
    school_class = taught_class(db.session, user, class_id)
    pupil = login_cards.resettable_pupil(db.session, school_class, user_id)
    form = PupilPasswordForm()
    if form.validate_on_submit():
        card = login_cards.reset_pupil_password(db.session, school_class, pupil.id, by=user)
        db.session.commit()
        return _printed(school_class, [card], "schools/pupil_password_done.html"), 200, PRIVATE
    return render_template(
        "schools/pupil_password.html", school_class=school_class, pupil=pupil, form=form
    ), 422 if form.errors else 200
