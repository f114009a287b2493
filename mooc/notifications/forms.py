"""The email-choices form (marking read needs only the CSRF token every POST carries)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectMultipleField, SubmitField
from wtforms.widgets import CheckboxInput, ListWidget

from mooc.web.forms import Form


class EmailChoicesForm(Form):
    enabled = BooleanField(_l("Send me notifications by email"))
    kinds = SelectMultipleField(
        _l("Email me about"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    submit = SubmitField(_l("Save"))
