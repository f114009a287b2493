"""Forms of the records pages (Flask-WTF: CSRF on each); labels go through gettext."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf.file import FileField
from wtforms import (
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields import TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from mooc.web.forms import Form


class VerifyForm(Form):
    credential_json = TextAreaField(
        _l("Paste the record (JSON)"),
        validators=[Optional()],
        description=_l("The whole signed record, as downloaded from the issuer's platform."),
    )
    credential_file = FileField(
        _l("Or choose the record's file"),
        description=_l("A .json file of the record."),
    )
    challenge = StringField(
        _l("Challenge you gave the holder (for a presentation; optional)"),
        validators=[Optional(), Length(max=200)],
    )
    domain = StringField(
        _l("Your domain (for a presentation; optional)"),
        validators=[Optional(), Length(max=200)],
    )
    submit = SubmitField(_l("Verify"))


class IdentityCheckForm(Form):
    """A verifier checks a name or student number against a record's salted hashes. On /verify
    the record itself comes back in a hidden field (the page keeps nothing)."""

    credential_json = HiddenField(validators=[Optional()])
    identity_type = SelectField(_l("What to check"), choices=[], validate_choice=True)
    value = StringField(
        _l("Name or number as the holder gives it"),
        validators=[InputRequired(), Length(max=200)],
        description=_l("Case, spaces and how accents are typed do not matter."),
    )
    submit = SubmitField(_l("Check against this record"))


def expiry_choices() -> list[SelectChoice]:
    return [
        SelectChoice(7, _l("7 days")),
        SelectChoice(30, _l("30 days")),
        SelectChoice(90, _l("90 days")),
        SelectChoice(365, _l("1 year")),
    ]


class ShareLinkForm(Form):
    label = StringField(
        _l("Who is it for? (optional)"),
        validators=[Optional(), Length(max=120)],
        description=_l("A note for you, e.g. the university you send it to."),
    )
    days = SelectField(_l("Valid for"), coerce=int, choices=expiry_choices(), default=30)
    purpose = HiddenField(validators=[Optional(), Length(max=10)])
    submit = SubmitField(_l("Create a share link"))


class ConfirmForm(Form):
    """A button that changes something (revoke a link): CSRF only."""

    submit = SubmitField(lazy_pgettext("share link", "Withdraw"))


class AddToWalletForm(Form):
    """Starts an exchange a wallet completes (CSRF only)."""

    submit = SubmitField(_l("Add to wallet"))


class TranscriptForm(Form):
    name = StringField(
        _l("Title of the transcript (optional)"), validators=[Optional(), Length(max=200)]
    )
    records = SelectMultipleField(
        _l("Records to include"),
        validators=[InputRequired(message=_l("Choose at least one record."))],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    submit = SubmitField(_l("Issue the transcript"))


class RevokeRecordForm(Form):
    reason = TextAreaField(
        _l("Reason for revoking"),
        validators=[InputRequired(), Length(max=500)],
        description=_l("Kept in the revocation log. Revoking cannot be undone."),
    )
    submit = SubmitField(_l("Revoke the record"))


class RotateKeyForm(Form):
    submit = SubmitField(_l("Start a new signing key"))
