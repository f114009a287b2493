"""Jinja filters and globals shared by all templates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from babel.dates import format_time, get_datetime_format, get_timezone_gmt
from flask import Flask, request, url_for
from flask_babel import (
    format_date,
    format_decimal,
    format_percent,
    get_locale,
    get_timezone,
    ngettext,
)
from flask_babel import gettext as _
from markupsafe import Markup

from mooc.assessment.core.scales import ScaledGrade, scaled_grade
from mooc.catalog.levels import outcomes_heading
from mooc.labels import SUBJECTS, label, level_words
from mooc.markup import RegionLabels, default_captions, render_inline


def subject_label(code: str) -> str:
    return str(SUBJECTS.get(code, code.replace("-", " ").capitalize()))


def number(value: Decimal | float | int | str | None, style: str = "decimal") -> str:
    """Every grade, credit count, hour count and percentage shown, in the reader's language
    ("7", "2,5", "66,7%" in Vietnamese; "7", "2.5", "66.7%" in English). A text that is not a
    number (a record from elsewhere may say anything) is shown as it is."""
    if value is None or value == "":
        return ""
    amount: Decimal | float | int = value if not isinstance(value, str) else Decimal(0)
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except ArithmeticError:
            return value
        if not parsed.is_finite():
            return value
        amount = parsed
    if style == "percent":
        return str(format_percent(Decimal(str(amount)) / 100, format="#,##0.#%"))
    return str(format_decimal(amount, format="#,##0.#"))


def _plural_count(value: Decimal | float | int | str) -> int:
    """The count that picks a plural form: a fraction ("1.5 credits") takes the plural."""
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        return 2
    return int(amount) if amount.is_finite() and amount == amount.to_integral_value() else 2


def credits(value: Decimal | float | int | str | None) -> str:
    """ "1 credit", "2,5 credits" ("2,5 tín chỉ" in Vietnamese)."""
    if value is None or value == "":
        return ""
    return str(
        ngettext(
            "%(amount)s credit", "%(amount)s credits", _plural_count(value), amount=number(value)
        )
    )


def hours(value: Decimal | float | int | str | None) -> str:
    """ "1 hour", "37,5 hours": study time (workload)."""
    if value is None or value == "":
        return ""
    return str(
        ngettext("%(amount)s hour", "%(amount)s hours", _plural_count(value), amount=number(value))
    )


def one_decimal(value: Decimal | float | str | None) -> str:
    """A score with exactly one decimal in the reader's locale (8,5 in Vietnamese); text that is
    not a number is shown as it is."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    return str(format_decimal(number, format="0.0")) if number.is_finite() else str(value)


def grade_scales(percent: float | Decimal, university: bool) -> ScaledGrade:
    """A 0–100 grade on the scales of its level (see `mooc.assessment.core.scales`)."""
    return scaled_grade(percent, university=university)


def _utc(value: dt.datetime) -> dt.datetime:
    """Stored times are UTC; SQLite hands them back without a zone."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def iso_utc(value: dt.datetime) -> str:
    """The machine-readable instant, for `<time datetime>` and scripts (never shown as text)."""
    return _utc(value).isoformat(timespec="seconds").replace("+00:00", "Z")


def date(value: dt.datetime | dt.date | None) -> Markup:
    """A day in the page's language; a moment counts in the user's time zone."""
    if value is None:
        return Markup("")
    day = value
    if isinstance(value, dt.datetime):  # the day it is where the user lives
        day = _utc(value).astimezone(get_timezone()).date()
    return Markup('<time datetime="{}">{}</time>').format(
        day.isoformat(), format_date(day, "medium")
    )


def datetime(value: dt.datetime | None) -> Markup:
    """A moment in the user's time zone and the page's language, with the zone's offset."""
    if value is None:
        return Markup("")
    zone = get_timezone()
    local = _utc(value).astimezone(zone)
    locale = get_locale()
    glue = str(get_datetime_format("medium", locale=locale))
    text = glue.replace("{1}", str(format_date(local.date(), "medium"))).replace(
        "{0}", format_time(local, "short", locale=locale)
    )
    return Markup('<time datetime="{}" title="{}">{} ({})</time>').format(
        iso_utc(value),
        getattr(zone, "key", str(zone)),
        text,
        get_timezone_gmt(local, "long", locale),
    )


def iso_date(value: str | None) -> Markup | str:
    """A date written in a signed record (ISO 8601 text) shown like every other date."""
    if not value:
        return ""
    text = value.strip()
    try:
        if len(text) == 10:  # a plain day stays that day in every time zone
            return date(dt.date.fromisoformat(text))
        return date(dt.datetime.fromisoformat(text))
    except ValueError:
        return value  # not a date after all: show what the record says


def trusted_html(value: str) -> Markup:
    """Mark HTML that `mooc.markup` already sanitized (stored rendered columns only); players
    show the captions in the reader's language by default when the lecture has them."""
    locale = get_locale()
    if locale is not None:
        value = default_captions(value, locale.language)
    return Markup(value)  # noqa: S704 - input is the sanitizer's output, never raw user text


def inline_markdown(value: str) -> Markup:
    """Short user text (quiz prompts, options) rendered and sanitized by `mooc.markup`."""
    labels = RegionLabels(
        table=_("Table, scrolls sideways"),
        formula=_("Formula, scrolls sideways"),
        code=_("Code, scrolls sideways"),
    )
    return Markup(render_inline(value, labels))  # noqa: S704 - render_inline returns sanitized HTML


def option_letter(index: int) -> str:
    """A, B, C… for the quiz option at `index` (27, 28… past Z): how learners name options, and a
    name for an option whose text is only a formula."""
    return chr(ord("A") + index) if 0 <= index < 26 else str(index + 1)


def url_with(**changes: Any) -> str:
    """The current page's URL with some query arguments changed (for filters and pagination)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    for key in [k for k, v in changes.items() if v is None]:
        args.pop(key, None)
    values: dict[str, Any] = {**(request.view_args or {}), **args}
    return url_for(request.endpoint or "catalog.index", **values)


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        subject=subject_label,
        outcomes_heading=outcomes_heading,
        number=number,
        one_decimal=one_decimal,
        credits=credits,
        hours=hours,
        date=date,
        datetime=datetime,
        iso_date=iso_date,
        iso_utc=iso_utc,
        html=trusted_html,
        inline_markdown=inline_markdown,
        option_letter=option_letter,
    )
    app.jinja_env.globals.update(
        url_with=url_with, grade_scales=grade_scales, label=label, level_words=level_words
    )
