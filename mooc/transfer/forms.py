"""Forms of the transfer pages (Flask-WTF: CSRF on each that changes something)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DecimalField,
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
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from mooc.accounts.services import STUDENT_NUMBER_LENGTH
from mooc.transfer.core.conversion import Method
from mooc.transfer.services.decisions import MAX_COMMENT, Adjustment, ProposalKey
from mooc.transfer.services.requests import MAX_MESSAGE
from mooc.transfer.services.rules import RuleSpec
from mooc.web.forms import Form


class SendForm(Form):
    university = SelectField(_l("University"), coerce=int, validators=[InputRequired()])
    records = SelectMultipleField(
        _l("Records to send"),
        validators=[InputRequired(message=_l("Choose at least one record."))],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        description=_l("A transcript sends every course record it holds."),
    )
    message = TextAreaField(
        _l("Message to the university (optional)"),
        validators=[Optional(), Length(max=MAX_MESSAGE)],
        description=_l("For example your student number there, or the programme you study."),
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Send the records"))


class ConfirmForm(Form):
    """A button that changes something: CSRF only."""

    submit = SubmitField(_l("Confirm"))


class TrustedIssuerForm(Form):
    did = StringField(
        _l("Issuer DID"),
        validators=[InputRequired(), Length(max=500)],
        description=_l("did:web:university.example.edu or did:key:z6Mk…"),
    )
    name = StringField(_l("Issuer's name"), validators=[InputRequired(), Length(max=200)])
    submit = SubmitField(_l("Trust this issuer"))


class AgreementForm(Form):
    name = StringField(_l("Name of the agreement"), validators=[InputRequired(), Length(max=200)])
    partner = StringField(
        _l("Partner (optional)"),
        validators=[Optional(), Length(max=200)],
        description=_l("The institution or programme the agreement is with."),
    )
    credit_cap = DecimalField(
        _l("Most credits recognised per student (optional)"),
        places=1,
        validators=[Optional(), NumberRange(0, 1000)],
        description=_l("Leave empty for no cap."),
    )
    submit = SubmitField(_l("Save the agreement"))


def method_choices() -> list[SelectChoice]:
    return [
        SelectChoice(Method.BY_HOURS.value, _l("By study hours")),
        SelectChoice(Method.SAME.value, _l("The credits the record states")),
        SelectChoice(Method.FIXED.value, _l("Fixed credits")),
    ]


class RuleForm(Form):
    issuer_did = SelectField(
        _l("Issuer"),
        validators=[InputRequired()],
        description=_l("Only issuers your university trusts can be chosen."),
    )
    match_by = RadioField(
        _l("Match records by"),
        choices=[
            SelectChoice("code", _l("Course-code pattern")),
            SelectChoice("achievement", _l("Achievement id")),
        ],
        default="code",
    )
    code_pattern = StringField(
        _l("Course-code pattern"),
        validators=[Optional(), Length(max=60)],
        description=_l("The record's course code, * for any characters: INT1001, INT1*."),
    )
    achievement_id = StringField(
        _l("Achievement id"),
        validators=[Optional(), Length(max=500)],
        description=_l("The exact achievement id of the record."),
    )
    local_course_code = StringField(
        _l("Our course code"), validators=[InputRequired(), Length(max=40)]
    )
    local_course_title = StringField(
        _l("Our course title"), validators=[InputRequired(), Length(max=200)]
    )
    method = SelectField(_l("Credit conversion"), choices=method_choices(), default="by_hours")
    hours_per_credit = DecimalField(
        _l("Hours per credit (by study hours)"),
        places=2,
        validators=[Optional(), NumberRange(0, 1000)],
        default=Decimal(50),
        description=_l("50 for tín chỉ; 25–30 for ECTS."),
    )
    fixed_credits = DecimalField(
        _l("Credits granted (fixed)"), places=1, validators=[Optional(), NumberRange(0, 60)]
    )
    min_grade = DecimalField(
        _l("Minimum grade out of 100 (optional)"),
        places=2,
        validators=[Optional(), NumberRange(0, 100)],
    )
    max_age_days = IntegerField(
        _l("Maximum age of the record in days (optional)"),
        validators=[Optional(), NumberRange(1, 36_500)],
        description=_l("For example 1825 for five years."),
    )
    valid_from = DateField(_l("Rule valid from (optional)"), validators=[Optional()])
    valid_until = DateField(_l("Rule valid until (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Save the rule"))

    def spec(self) -> RuleSpec:
        by_code = self.match_by.data != "achievement"
        return RuleSpec(
            issuer_did=self.issuer_did.data or "",
            local_course_code=self.local_course_code.data or "",
            local_course_title=self.local_course_title.data or "",
            method=Method(self.method.data or Method.BY_HOURS.value),
            achievement_id=None if by_code else self.achievement_id.data,
            code_pattern=self.code_pattern.data if by_code else None,
            fixed_credits=self.fixed_credits.data,
            hours_per_credit=self.hours_per_credit.data,
            min_grade=self.min_grade.data,
            max_age_days=self.max_age_days.data,
            valid_from=self.valid_from.data,
            valid_until=self.valid_until.data,
        )


class AcceptForm(Form):
    """Accept the proposal as shown (its figures ride along, so a changed one is not taken)."""

    credits = HiddenField()
    course_code = HiddenField()
    rule_version = HiddenField()
    submit = SubmitField(_l("Accept the proposal"))

    def expected(self) -> ProposalKey | None:
        try:
            credits = Decimal(self.credits.data or "")
        except ArithmeticError:
            return None
        version = self.rule_version.data or ""
        return ProposalKey(
            credits, self.course_code.data or None, int(version) if version.isdigit() else None
        )


class AdjustForm(Form):
    credits = DecimalField(
        _l("Credits to recognise"), places=1, validators=[InputRequired(), NumberRange(0, 60)]
    )
    course_code = StringField(_l("Our course code"), validators=[InputRequired(), Length(max=40)])
    course_title = StringField(
        _l("Our course title"), validators=[InputRequired(), Length(max=200)]
    )
    comment = TextAreaField(
        _l("Why you adjust the proposal"),
        validators=[InputRequired(), Length(max=MAX_COMMENT)],
        description=_l("Required. The student sees it."),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Recognise with these changes"))

    def adjustment(self) -> Adjustment:
        return Adjustment(
            self.credits.data, self.course_code.data or "", self.course_title.data or ""
        )


class RejectForm(Form):
    comment = TextAreaField(
        _l("Reason (the student sees it)"),
        validators=[
            DataRequired(_l("Give the reason for not recognising the record.")),
            Length(max=MAX_COMMENT),
        ],
        description=_l("Required. Say why, so the student knows what to do next."),
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Do not recognise"))


class OutsideRecordForm(Form):
    credential_json = TextAreaField(
        _l("Paste the record (JSON)"),
        validators=[Optional()],
        description=_l("A signed course record or transcript, received by email or on paper."),
        render_kw={"rows": 8},
    )
    credential_file = FileField(_l("Or choose the record's file"))
    submit = SubmitField(_l("Evaluate against our rules"))


class ExportForm(Form):
    """The period of an export (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("Until"), validators=[Optional()])
    totals = SelectField(
        _l("Lines"),
        choices=[
            SelectChoice("detail", _l("One line per recognised course")),
            SelectChoice("totals", _l("One line per student (totals)")),
        ],
        default="detail",
    )


def validity_choices() -> list[SelectChoice]:
    return [
        SelectChoice(1, _l("1 hour")),
        SelectChoice(24, _l("1 day")),
        SelectChoice(24 * 7, _l("7 days")),
        SelectChoice(24 * 30, _l("30 days")),
    ]


class RecordsRequestForm(Form):
    """A university asks a student for records (a presentation)."""

    purpose = StringField(
        _l("What the records are for"),
        validators=[InputRequired(), Length(max=200)],
        description=_l("The student sees it, e.g. “Admission 2027: courses taken elsewhere”."),
    )
    valid_for = SelectField(
        _l("Open for"), coerce=int, choices=validity_choices(), default=24, validate_choice=True
    )
    submit = SubmitField(_l("Create the request"))


class AnswerForm(Form):
    """A student answers a university's request with records of their choice."""

    records = SelectMultipleField(
        _l("Records to present"),
        validators=[InputRequired(message=_l("Choose at least one record."))],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        description=_l("A transcript presents every course record it holds."),
    )
    submit = SubmitField(_l("Present these records"))


class StudentNumberForm(Form):
    """The number a university knows one student by (blank clears it); one form per student."""

    student_number = StringField(
        _l("Student number"),
        validators=[Length(max=STUDENT_NUMBER_LENGTH)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    submit = SubmitField(_l("Save"))
