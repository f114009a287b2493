"""Forms of the assignment pages. Times are typed as local wall-clock times (`datetime-local`)
in the teacher's time zone; the view converts them to UTC."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from mooc.web.forms import Form

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (usable without JavaScript, unlike a multi-select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


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


class ConfirmForm(Form):
    """A confirmation that is one button: only the CSRF token."""
