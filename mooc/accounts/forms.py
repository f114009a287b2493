"""Account forms (Flask-WTF: CSRF on each); labels go through gettext."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length

from mooc.accounts.models import InstitutionKind, Role
from mooc.accounts.passwords import MIN_LENGTH
from mooc.web.forms import Form

# WTForms has no Vietnamese messages: the password rules speak through our own catalogue.
PASSWORD_RULES = [
    InputRequired(),
    Length(
        min=MIN_LENGTH,
        message=_l("The password must have at least %(n)d characters.", n=MIN_LENGTH),
    ),
    Length(max=1024),
]


def _strip(value: str | None) -> str | None:
    """Spaces pasted or typed around an email address are not part of it."""
    return value.strip() if isinstance(value, str) else value


LANGUAGE_CHOICES = [
    SelectChoice("", _l("Automatic")),
    SelectChoice("vi", "Tiếng Việt", render_kw={"lang": "vi"}),
    SelectChoice("en", "English", render_kw={"lang": "en"}),
]


class LoginForm(Form):
    """Sign in with an email or a username; a form posting `email` (the field's old name, a
    stable contract for scripts) is read as `login`."""

    class Meta:
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            data = super().wrap_formdata(form, formdata)  # type: ignore[misc]
            if data is not None and "login" not in data and "email" in data:
                data = MultiDict(data)
                data["login"] = data["email"]
            return data

    login = StringField(
        _l("Email or username"), validators=[InputRequired(), Length(max=254)], filters=[_strip]
    )
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1024)])
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class RegisterForm(Form):
    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=120)])
    email = EmailField(
        _l("Email"),
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
        filters=[_strip],
    )
    password = PasswordField(
        _l("Password"),
        validators=PASSWORD_RULES,
        description=_l("At least %(n)d characters.", n=MIN_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Create account"))


class ProfileForm(Form):
    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=120)])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    # The service checks the zone against zoneinfo, with a message in the user's language.
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    data_saver = BooleanField(
        _l("Data saver"),
        description=_l(
            "Videos start at their smallest size (144p where it exists); the player lists the "
            "other sizes with their megabytes."
        ),
    )
    submit = SubmitField(_l("Save"))


class PasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    new_password = PasswordField(_l("New password"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class LanguageForm(Form):
    lang = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("vi", "Tiếng Việt", render_kw={"lang": "vi"}),
            SelectChoice("en", "English", render_kw={"lang": "en"}),
        ],
    )
    next = HiddenField()
    submit = SubmitField(_l("Change"))


class InstitutionForm(Form):
    slug = StringField(
        _l("Short name (for addresses)"), validators=[InputRequired(), Length(min=2, max=80)]
    )
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice(InstitutionKind.SCHOOL.value, _l("School")),
            SelectChoice(InstitutionKind.UNIVERSITY.value, _l("University")),
            SelectChoice(InstitutionKind.MINISTRY.value, _l("Ministry")),
        ],
    )
    submit = SubmitField(_l("Save institution"))


ROLE_CHOICES = [
    SelectChoice(Role.STUDENT.value, _l("Student")),
    SelectChoice(Role.TEACHER.value, _l("Teacher")),
    SelectChoice(Role.STAFF.value, _l("University staff")),
    SelectChoice(Role.ADMIN.value, _l("Administrator")),
]


class RoleForm(Form):
    institution = SelectField(_l("Institution"), coerce=int)
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    student_number = StringField(
        _l("Student number (optional)"),
        validators=[Length(max=40)],
        filters=[_strip],
        description=_l(
            "For a university's student: the number its records state beside the name. "
            "Granting the role again with another number replaces it."
        ),
    )
    submit = SubmitField(_l("Grant role"))


class RevokeRoleForm(Form):
    institution = HiddenField(validators=[InputRequired()])
    role = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("Remove"))


# No Email() validator below: email_validator refuses reserved domains (demo.test) that accounts
# use; the forgot page looks the text up as given, the email change checks it in the service.
class ForgotForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[InputRequired(), Length(max=254)],
        filters=[_strip],
    )
    submit = SubmitField(_l("Send me a link"))


class ResetForm(Form):
    new_password = PasswordField(
        _l("New password"),
        validators=PASSWORD_RULES,
        description=_l("At least %(n)d characters.", n=MIN_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Set the new password"))


class ChoosePasswordForm(ResetForm):
    """The first sign-in with a one-time password: the person's own password in its place,
    then on to the page they were going to."""

    next = HiddenField()


class EmailChangeForm(Form):
    email = EmailField(
        _l("New email"),
        validators=[InputRequired(), Length(max=254)],
        filters=[_strip],
    )
    submit = SubmitField(_l("Change email"))


class AccountActionForm(Form):
    """A button (disable, enable, send a reset link): only its CSRF token is read."""

    submit = SubmitField(_l("Confirm"))
