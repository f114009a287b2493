"""Authoring forms (Flask-WTF: CSRF on each). Field names match the services' dataclasses."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from mooc.authoring.services.courses import CourseSettings
from mooc.authoring.services.quizzes import QuizSettings
from mooc.labels import SUBJECTS
from mooc.web.forms import Form

LEVELS = [
    SelectChoice("k12", _l("School (grades 1–12)")),
    SelectChoice("university", _l("University")),
]
LANGUAGES = [
    SelectChoice("vi", "Tiếng Việt", render_kw={"lang": "vi"}),
    SelectChoice("en", "English", render_kw={"lang": "en"}),
]


class CourseForm(Form):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    slug = StringField(
        _l("Address (letters, digits, hyphens)"),
        validators=[Optional(), Length(min=2, max=80)],
        description=_l("Used in links, e.g. toan-lop-7. Cannot be changed later."),
    )
    institution = SelectField(_l("Institution"), coerce=int, validators=[Optional()])
    level = SelectField(_l("Level"), choices=LEVELS)
    grade = IntegerField(_l("Grade (school courses)"), validators=[Optional(), NumberRange(1, 12)])
    subject = SelectField(_l("Subject"))
    language = SelectField(_l("Language of the course"), choices=LANGUAGES)
    code = StringField(_l("Course code (university)"), validators=[Optional(), Length(max=40)])
    credits = DecimalField(
        _l("Credits (university)"), places=1, validators=[Optional(), NumberRange(0, 60)]
    )
    workload_hours = IntegerField(
        _l("Workload in hours (university)"),
        validators=[Optional(), NumberRange(1, 3000)],
        description=_l("One Vietnamese credit is 50 hours of study."),
    )
    description = TextAreaField(
        _l("Description (Markdown)"), validators=[Length(max=20_000)], render_kw={"rows": 6}
    )
    outcomes = TextAreaField(
        _l("Outcomes, one per line (required outcomes at school, learning outcomes at university)"),
        validators=[Length(max=5_000)],
        render_kw={"rows": 4},
    )
    pass_mark = IntegerField(
        _l("Course pass mark (final grade, 0–100)"),
        default=50,
        validators=[InputRequired(), NumberRange(0, 100)],
    )
    cover_media = SelectField(_l("Cover image"), validators=[Optional()])
    submit = SubmitField(_l("Save course"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.subject.choices = [SelectChoice(code, str(label)) for code, label in SUBJECTS.items()]

    def settings(self) -> CourseSettings:
        return CourseSettings(
            title=self.title.data or "",
            description=self.description.data or "",
            language=self.language.data or "vi",
            level=self.level.data or "k12",
            grade=self.grade.data,
            subject=self.subject.data or "",
            code=self.code.data,
            credits=Decimal(self.credits.data) if self.credits.data is not None else None,
            workload_hours=self.workload_hours.data,
            outcomes=tuple((self.outcomes.data or "").splitlines()),
            pass_mark=self.pass_mark.data if self.pass_mark.data is not None else 50,
            cover_media=self.cover_media.data or None,
        )


class TitleForm(Form):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    submit = SubmitField(_l("Add"))


class LectureForm(Form):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    minutes = IntegerField(
        _l("Reading time in minutes"), validators=[Optional(), NumberRange(1, 600)]
    )
    required = BooleanField(_l("Required for completing the course"), default=True)
    source = TextAreaField(
        _l("Lecture text (Markdown; $math$ and $$display math$$)"),
        validators=[Length(max=500_000)],
        render_kw={"rows": 24, "spellcheck": "true"},
    )
    revision = HiddenField()
    save = SubmitField(_l("Save draft"))
    preview = SubmitField(_l("Preview"))
    publish = SubmitField(_l("Save and publish"))


class QuizForm(Form):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    pass_mark = IntegerField(
        _l("Pass mark (%)"), default=60, validators=[InputRequired(), NumberRange(0, 100)]
    )
    weight = IntegerField(
        _l("Weight in the final grade"),
        default=1,
        validators=[InputRequired(), NumberRange(0, 100)],
    )
    required = BooleanField(_l("Must be passed to complete the course"), default=True)
    max_attempts = IntegerField(
        _l("Attempts allowed (empty: unlimited)"), validators=[Optional(), NumberRange(1, 100)]
    )
    policy = SelectField(
        _l("Which attempt counts"),
        choices=[
            SelectChoice("best", _l("The best attempt")),
            SelectChoice("last", _l("The last attempt")),
        ],
    )
    time_limit_minutes = IntegerField(
        _l("Time limit in minutes (empty: none)"), validators=[Optional(), NumberRange(1, 600)]
    )
    reveal = SelectField(
        _l("When learners see the right answers and explanations"),
        choices=[
            SelectChoice("after_last", _l("After their last attempt (none left)")),
            SelectChoice("after_each", _l("After each attempt")),
            SelectChoice("after_due", _l("After the due date of their class assignment")),
            SelectChoice("never", _l("Never (the score only)")),
        ],
        default="after_last",
        description=_l(
            "The score is always shown. With unlimited attempts, “after their last attempt” "
            "never comes; without an assignment, “after the due date” waits for the last attempt."
        ),
    )
    shuffle_questions = BooleanField(_l("Shuffle the questions for each attempt"))
    shuffle_options = BooleanField(_l("Shuffle the options of choice questions for each attempt"))
    pool_size = IntegerField(
        _l("Questions drawn for each attempt (empty: all)"),
        validators=[Optional(), NumberRange(1, 500)],
    )
    submit = SubmitField(_l("Save quiz"))

    def settings(self) -> QuizSettings:
        return QuizSettings(
            title=self.title.data or "",
            pass_mark=self.pass_mark.data if self.pass_mark.data is not None else 60,
            weight=self.weight.data if self.weight.data is not None else 1,
            required=bool(self.required.data),
            max_attempts=self.max_attempts.data,
            policy=self.policy.data or "best",
            time_limit_minutes=self.time_limit_minutes.data,
            reveal=self.reveal.data or "after_last",
            shuffle_questions=bool(self.shuffle_questions.data),
            shuffle_options=bool(self.shuffle_options.data),
            pool_size=self.pool_size.data,
        )


QUESTION_KINDS = [
    SelectChoice("single", _l("Single choice")),
    SelectChoice("multiple", _l("Multiple choice")),
    SelectChoice("numeric", _l("Number")),
    SelectChoice("text", _l("Short text")),
]


class QuestionForm(Form):
    kind = SelectField(_l("Type"), choices=QUESTION_KINDS)
    prompt = TextAreaField(
        _l("Question (Markdown)"), validators=[InputRequired(), Length(max=5000)]
    )
    options = TextAreaField(
        _l("Options, one per line; start the correct ones with *"),
        validators=[Length(max=5000)],
        render_kw={"rows": 5},
    )
    partial_credit = BooleanField(_l("Partial credit (multiple choice)"))
    answer = DecimalField(_l("Correct number"), validators=[Optional()])
    tolerance = DecimalField(
        _l("Accepted difference (±)"), default=Decimal(0), validators=[Optional()]
    )
    thousands_dot = BooleanField(
        _l("A dot separates thousands (1.000 = one thousand; decimals take a comma)")
    )
    answers = TextAreaField(
        _l("Accepted answers, one per line (short text)"), validators=[Length(max=2000)]
    )
    ignore_diacritics = BooleanField(_l("Accept answers without Vietnamese diacritics"))
    explanation = TextAreaField(
        _l("Explanation shown after submission"), validators=[Length(max=5000)]
    )
    points = IntegerField(
        _l("Points"), default=1, validators=[InputRequired(), NumberRange(1, 100)]
    )
    submit = SubmitField(_l("Save question"))


class UploadForm(Form):
    file = FileField(
        _l("File (image, PDF, audio, video or WebVTT captions)"), validators=[FileRequired()]
    )
    submit = SubmitField(_l("Upload"))


class ScormUploadForm(Form):
    package = FileField(_l("SCORM package (.zip, SCORM 1.2 or 2004)"), validators=[FileRequired()])
    title = StringField(
        _l("Title (empty: the package's own)"), validators=[Optional(), Length(max=200)]
    )
    submit = SubmitField(_l("Upload as a lecture"))


class ScormSettingsForm(Form):
    package = FileField(_l("Replace the package (.zip)"))
    counts_in_grade = BooleanField(_l("The package's score counts in the final grade"))
    weight = IntegerField(
        _l("Weight in the final grade"),
        default=1,
        validators=[InputRequired(), NumberRange(0, 100)],
    )
    submit = SubmitField(_l("Save"))


class PackageForm(Form):
    file = FileField(_l("Course package (.zip)"), validators=[FileRequired()])
    submit = SubmitField(_l("Preview the import"))


class ConfirmImportForm(Form):
    """Applies a previewed package: the token names the zip held since the preview."""

    token = HiddenField(validators=[InputRequired(), Length(max=64)])
    submit = SubmitField(_l("Import now"))


class ActionForm(Form):
    """A bare form for buttons that only need CSRF protection."""
