"""The base of every form: Flask-WTF (CSRF) with WTForms' own messages in the UI language.

WTForms ships no Vietnamese messages, so its validators' texts go through our catalogue; the
msgids below are WTForms' English messages, listed so that extraction finds them.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_translations, lazy_gettext, lazy_ngettext
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from mooc.errors import BadRequest

WTFORMS_MESSAGES = (
    lazy_gettext("This field is required."),
    lazy_gettext("Invalid email address."),
    lazy_gettext("Not a valid integer value."),
    lazy_gettext("Not a valid decimal value."),
    lazy_gettext("Not a valid choice."),
    lazy_gettext("Number must be between %(min)s and %(max)s."),
    lazy_gettext("Number must be at least %(min)s."),
    lazy_gettext("Number must be at most %(max)s."),
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    lazy_gettext("Field must be between %(min)d and %(max)d characters long."),
    lazy_gettext("Field must be equal to %(other_name)s."),
    lazy_gettext("This field cannot be empty."),
    lazy_gettext("The CSRF token is missing."),
    lazy_gettext("The CSRF token has expired."),
    lazy_gettext("The CSRF token is invalid."),
)


class _Translations:
    """The gettext interface WTForms asks its Meta for, answered by the request's catalogue.

    Unformatted on purpose: WTForms fills the %(min)d-style fields itself."""

    def gettext(self, string: str) -> str:
        return str(get_translations().gettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(get_translations().ngettext(singular, plural, n))


_TRANSLATIONS = _Translations()


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form: Any) -> _Translations:
            return _TRANSLATIONS


def require_submitted(form: FlaskForm) -> None:
    """Raises BadRequest unless a button form (CSRF only) came back valid.

    Such a form fails only on a stale or forged page: there is no field to show a message beside.
    """
    if not form.validate_on_submit():
        raise BadRequest(
            _("The form had expired or was not sent from this site. Please try again.")
        )
