"""Question types as a small registry: each type validates its definition. Pure.

A definition is the type-specific dict stored in `Question.data` (options, answer, tolerance …).
Grading strategies join this registry in the learning capability.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

Validator = Callable[[Mapping[str, Any]], list[str]]


def _options(data: Mapping[str, Any]) -> list[str]:
    errors: list[str] = []
    options = data.get("options")
    if not isinstance(options, list) or len(options) < 2:
        return ["needs at least two options"]
    for index, option in enumerate(options, 1):
        if not isinstance(option, Mapping) or not str(option.get("text", "")).strip():
            errors.append(f"option {index} needs a text")
        elif not isinstance(option.get("correct", False), bool):
            errors.append(f"option {index}: 'correct' must be true or false")
    return errors


def _correct_count(data: Mapping[str, Any]) -> int:
    return sum(1 for o in data.get("options", []) if isinstance(o, Mapping) and o.get("correct"))


def validate_single(data: Mapping[str, Any]) -> list[str]:
    errors = _options(data)
    if not errors and _correct_count(data) != 1:
        errors.append("a single-choice question needs exactly one correct option")
    return errors


def validate_multiple(data: Mapping[str, Any]) -> list[str]:
    errors = _options(data)
    if not errors and _correct_count(data) < 1:
        errors.append("a multiple-choice question needs at least one correct option")
    if not isinstance(data.get("partial_credit", False), bool):
        errors.append("'partial_credit' must be true or false")
    return errors


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    )


def validate_numeric(data: Mapping[str, Any]) -> list[str]:
    errors = []
    if not _is_number(data.get("answer")):
        errors.append("a numeric question needs a numeric 'answer'")
    tolerance = data.get("tolerance", 0)
    if not _is_number(tolerance) or tolerance < 0:
        errors.append("'tolerance' must be a number ≥ 0")
    return errors


def validate_text(data: Mapping[str, Any]) -> list[str]:
    answers = data.get("answers")
    errors = []
    if (
        not isinstance(answers, list)
        or not answers
        or not all(isinstance(a, str | int | float) and str(a).strip() for a in answers)
    ):
        errors.append("a text question needs a non-empty list of accepted 'answers'")
    if not isinstance(data.get("ignore_diacritics", False), bool):
        errors.append("'ignore_diacritics' must be true or false")
    return errors


VALIDATORS: dict[str, Validator] = {
    "single": validate_single,
    "multiple": validate_multiple,
    "numeric": validate_numeric,
    "text": validate_text,
}

# Which keys of a definition each type keeps (anything else is dropped on import).
FIELDS: dict[str, tuple[str, ...]] = {
    "single": ("options",),
    "multiple": ("options", "partial_credit"),
    "numeric": ("answer", "tolerance"),
    "text": ("answers", "ignore_diacritics"),
}


def validate_question(kind: str, data: Mapping[str, Any]) -> list[str]:
    """The problems with a question definition, in words; empty when it is sound."""
    validator = VALIDATORS.get(kind)
    if validator is None:
        return [f"unknown question type {kind!r} (use one of: {', '.join(VALIDATORS)})"]
    return validator(data)


def normalized_definition(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form: only the type's own keys, options reduced to text and correct."""
    out: dict[str, Any] = {key: data[key] for key in FIELDS[kind] if key in data}
    if "options" in out:
        out["options"] = [
            {"text": str(o["text"]), "correct": bool(o.get("correct", False))}
            for o in out["options"]
        ]
    if kind == "numeric":
        out.setdefault("tolerance", 0)
    if kind == "text":
        out["answers"] = [str(a) for a in out["answers"]]
        out.setdefault("ignore_diacritics", False)
    if kind == "multiple":
        out.setdefault("partial_credit", False)
    return out
