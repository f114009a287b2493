"""Forms of the school pages (Flask-WTF: CSRF on each that changes something); labels go through
gettext."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from mooc.schools.services.login_cards import CardScope
from mooc.web.forms import Form

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (usable without JavaScript, unlike a multi-select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class YearForm(Form):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("For example 2026–2027."),
    )
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    submit = SubmitField(_l("Save the school year"))


class ClassForm(Form):
    year = SelectField(_l("School year"), coerce=int, validators=[InputRequired()])
    name = StringField(
        _l("Class name"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[\w .\-/]+$", message=_l("Use letters, digits, spaces, “.”, “-” or “/”.")),
        ],
        description=_l("For example 6A1."),
    )
    grade = IntegerField(
        _l("Grade (1–12)"),
        validators=[Optional(), NumberRange(min=1, max=12)],
        render_kw={"inputmode": "numeric"},
    )
    submit = SubmitField(_l("Save the class"))


class AddMemberForm(Form):
    user_id = HiddenField(validators=[DataRequired()])
    role = SelectField(
        _l("As"),
        choices=[
            SelectChoice("pupil", _l("Pupil")),
            SelectChoice("teacher", _l("Subject teacher")),
            SelectChoice("homeroom", _l("Homeroom teacher")),
        ],
        validators=[InputRequired()],
    )
    subject = StringField(
        _l("Subject (for a subject teacher)"), validators=[Optional(), Length(max=80)]
    )
    submit = SubmitField(_l("Add to the class"))


class ConfirmForm(Form):
    """A button that changes something: CSRF only."""

    submit = SubmitField(_l("Confirm"))


class RosterUploadForm(Form):
    roster = FileField(
        _l("Roster file"),
        description=_l(
            "A .zip of OneRoster 1.1 or 1.2 CSV files, or the school spreadsheet (.xlsx or .csv)."
        ),
    )
    submit = SubmitField(_l("Check the file"))


class RosterConfirmForm(Form):
    upload = HiddenField(validators=[DataRequired(), Length(max=80)])
    submit = SubmitField(_l("Import"))


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
    pupils = CheckboxesField(_l("Pupils"), coerce=int)
    submit = SubmitField(_l("Print login cards"))


class PupilPasswordForm(Form):
    """A button: give one pupil a new one-time password (only its CSRF token is read)."""

    submit = SubmitField(_l("Give a new one-time password"))


# --- assignments: times are typed as local wall-clock times (`datetime-local`) in the teacher's
# time zone; the view converts them to UTC.


class AssignmentTimesForm(Form):
    starts_at = DateTimeLocalField(
        _l("Starts (optional)"),
        format=LOCAL_FORMAT,
        validators=[Optional()],
        description=_l("Pupils see the work from then on; empty: at once."),
    )
    due_at = DateTimeLocalField(
        _l("Due (optional)"),
        format=LOCAL_FORMAT,
        validators=[Optional()],
    )
    note = TextAreaField(
        _l("A note for the pupils (optional)"), validators=[Optional(), Length(max=500)]
    )


class AssignmentForm(AssignmentTimesForm):
    # One token per rendered form: submitting the same form twice creates one assignment.
    token = HiddenField(validators=[InputRequired()])
    kind = RadioField(
        _l("What to assign"),
        choices=[
            SelectChoice("quiz", _l("A quiz")),
            SelectChoice("lectures", _l("Some lectures")),
            SelectChoice("course", _l("The whole course")),
        ],
        default="quiz",
        validators=[InputRequired()],
    )
    # The service says which choices belong to the course, in words a teacher understands.
    quiz_id = SelectField(_l("Quiz"), coerce=int, validate_choice=False, validators=[Optional()])
    lecture_ids = CheckboxesField(_l("Lectures"), coerce=int, validate_choice=False)


class AssignmentEditForm(AssignmentTimesForm):
    lecture_ids = CheckboxesField(_l("Lectures"), coerce=int, validate_choice=False)
