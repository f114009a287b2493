"""Schools forms (Flask-WTF: CSRF on each); labels go through gettext."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectMultipleField, SubmitField
from wtforms.widgets import CheckboxInput, ListWidget

from mooc.schools.login_cards import CardScope
from mooc.web.forms import Form


class LoginCardsForm(Form):
    """Whose login cards to print; printing gives each of them a new one-time password."""

    scope = RadioField(
        _l("Print cards for"),
        choices=[
            SelectChoice(CardScope.ALL.value, _l("every pupil of the class")),
            SelectChoice(CardScope.SELECTED.value, _l("only the pupils ticked below")),
            SelectChoice(CardScope.NEVER_SIGNED_IN.value, _l("only pupils who never signed in")),
        ],
        default=CardScope.ALL.value,
    )
    # Choices: the class's pupils, set by the view; an id from elsewhere is "Not a valid choice".
    pupils = SelectMultipleField(
        _l("Pupils"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    submit = SubmitField(_l("Print login cards"))


class PupilPasswordForm(Form):
    """A button: give one pupil a new one-time password (only its CSRF token is read)."""

    submit = SubmitField(_l("Give a new one-time password"))
