"""Forms of the API token pages (Flask-WTF: CSRF on each); labels go through gettext."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from mooc.api.models import ApiScope
from mooc.api.services import MAX_NAME
from mooc.web.forms import Form


def scope_labels() -> dict[ApiScope, str]:
    """What each permission lets a university's system do, in words."""
    return {
        ApiScope.REQUESTS_READ: str(_l("Read credit-transfer requests sent to the institution")),
        ApiScope.DECISIONS_WRITE: str(_l("Record credit-transfer decisions")),
        ApiScope.RECORDS_EVALUATE: str(_l("Evaluate signed records against recognition rules")),
        ApiScope.XAPI_READ: str(_l("Read learning statements (xAPI) about its own courses")),
        ApiScope.CREDENTIALS_ISSUE: str(
            _l("Sign credentials with the institution's key and set their status (VC API)")
        ),
    }


# Days a new token stays valid; "" never expires.
LIFETIMES = ("30", "90", "365", "")


class CreateTokenForm(Form):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(), Length(max=MAX_NAME)],
        description=_l("Which system uses it, e.g. “Registrar's student system”."),
    )
    scopes = SelectMultipleField(
        _l("Permissions"),
        validators=[InputRequired(message=_l("Choose at least one permission."))],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    lifetime = SelectField(
        _l("Valid for"),
        choices=[
            SelectChoice("30", _l("30 days")),
            SelectChoice("90", _l("90 days")),
            SelectChoice("365", _l("1 year")),
            SelectChoice("", _l("Until revoked")),
        ],
        default="365",
    )
    submit = SubmitField(_l("Create the token"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.scopes.choices = [
            SelectChoice(scope.value, f"{scope.value} — {label}")
            for scope, label in scope_labels().items()
        ]


class RevokeTokenForm(Form):
    """A button that revokes a token: CSRF only."""

    submit = SubmitField(_l("Revoke"))
