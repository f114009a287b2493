"""Jinja filters and globals shared by all templates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, format_decimal
from markupsafe import Markup

from mooc.assessment.scales import ScaledGrade, scaled_grade
from mooc.catalog.levels import outcomes_heading
from mooc.catalog.subjects import SUBJECTS
from mooc.markup import render_inline


def subject_label(code: str) -> str:
    return str(SUBJECTS.get(code, code.replace("-", " ").capitalize()))


def number(value: Decimal | float | int | None) -> str:
    if value is None:
        return ""
    return str(format_decimal(value, format="#,##0.#"))


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
    """A 0–100 grade on the scales of its level (see `mooc.assessment.scales`)."""
    return scaled_grade(percent, university=university)


def date(value: dt.datetime | dt.date | None) -> str:
    return "" if value is None else str(format_date(value, "medium"))


def datetime(value: dt.datetime | None) -> str:
    return "" if value is None else str(format_datetime(value, "medium"))


def trusted_html(value: str) -> Markup:
    """Mark HTML that `mooc.markup` already sanitized (stored rendered columns only)."""
    return Markup(value)  # noqa: S704 - input is the sanitizer's output, never raw user text


def inline_markdown(value: str) -> Markup:
    """Short user text (quiz prompts, options) rendered and sanitized by `mooc.markup`."""
    return Markup(render_inline(value))  # noqa: S704 - render_inline returns sanitized HTML


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
        date=date,
        datetime=datetime,
        html=trusted_html,
        inline_markdown=inline_markdown,
        option_letter=option_letter,
    )
    app.jinja_env.globals.update(url_with=url_with, grade_scales=grade_scales)
