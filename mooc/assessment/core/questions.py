"""Question types as a small registry of strategies: each validates its definition, reads a
response from a submitted form, and grades it. Pure: no Flask, no database.

A definition is the type-specific dict stored in `Question.data` (options, answer, tolerance …).
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

from mooc.folding import fold, normalize_spaces, strip_diacritics, tone_canonical

Response = Any  # what `parse_response` returns for a type: int, list[int], float, str or None


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Marks a message for extraction; the caller translates it (this module stays pure)."""
    return message


class Problem(NamedTuple):
    """A problem with a question definition: an English message template and its values.

    `str()` gives the English text; a web layer passes `message` through gettext instead.
    """

    message: str
    values: Mapping[str, Any] = {}

    def __str__(self) -> str:
        return self.message % self.values if self.values else self.message


@dataclass(frozen=True)
class Grade:
    """How one answer scored: `fraction` of the question's points, in [0, 1]."""

    fraction: float
    correct: bool


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class QuestionType(ABC):
    kind: ClassVar[str]
    fields: ClassVar[tuple[str, ...]]

    @abstractmethod
    def validate(self, data: Mapping[str, Any]) -> list[Problem]: ...

    def normalize(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return {key: data[key] for key in self.fields if key in data}

    @abstractmethod
    def parse_response(self, values: Sequence[str]) -> Response:
        """The response from the form values submitted for this question (None: unanswered)."""

    def check_response(self, data: Mapping[str, Any], values: Sequence[str]) -> Problem | None:
        """Why the submitted values cannot be graded as typed (None: they can)."""
        return None

    def read(self, data: Mapping[str, Any], values: Sequence[str]) -> Response:
        """The response under the question's own rules; by default `parse_response`."""
        return self.parse_response(values)

    @abstractmethod
    def grade(self, data: Mapping[str, Any], response: Response) -> Grade: ...

    def public(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """What the browser may see before submission: never the key."""
        return {}


class _Choice(QuestionType):
    def _option_errors(self, data: Mapping[str, Any]) -> list[Problem]:
        options = data.get("options")
        if not isinstance(options, list) or len(options) < 2:
            return [Problem(N_("A choice question needs at least two options."))]
        errors: list[Problem] = []
        for index, option in enumerate(options, 1):
            if not isinstance(option, Mapping) or not str(option.get("text", "")).strip():
                errors.append(Problem(N_("Option %(n)d needs a text."), {"n": index}))
            elif not isinstance(option.get("correct", False), bool):
                errors.append(
                    Problem(N_("Option %(n)d: 'correct' must be true or false."), {"n": index})
                )
        return errors

    @staticmethod
    def correct_indexes(data: Mapping[str, Any]) -> set[int]:
        return {i for i, o in enumerate(data.get("options", [])) if o.get("correct")}

    def normalize(self, data: Mapping[str, Any]) -> dict[str, Any]:
        out = super().normalize(data)
        out["options"] = [
            {"text": str(o["text"]), "correct": bool(o.get("correct", False))}
            for o in data["options"]
        ]
        return out

    def public(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"options": [str(o["text"]) for o in data["options"]]}

    def _indexes(self, values: Sequence[str], count: int) -> list[int]:
        # ASCII only: "²".isdigit() is true, yet int("²") raises.
        picked = {int(v) for v in values if v.isascii() and v.isdigit() and int(v) < count}
        return sorted(picked)


class SingleChoice(_Choice):
    kind = "single"
    fields = ("options",)

    def validate(self, data: Mapping[str, Any]) -> list[Problem]:
        errors = self._option_errors(data)
        if not errors and len(self.correct_indexes(data)) != 1:
            errors.append(Problem(N_("A single-choice question needs exactly one correct option.")))
        return errors

    def parse_response(self, values: Sequence[str]) -> Response:
        return values[0] if values else None

    def grade(self, data: Mapping[str, Any], response: Response) -> Grade:
        picked = self._indexes([str(response)] if response is not None else [], 10_000)
        ok = len(picked) == 1 and picked[0] in self.correct_indexes(data)
        return Grade(1.0 if ok else 0.0, ok)


class MultipleChoice(_Choice):
    kind = "multiple"
    fields = ("options", "partial_credit")

    def validate(self, data: Mapping[str, Any]) -> list[Problem]:
        errors = self._option_errors(data)
        if not errors and not self.correct_indexes(data):
            errors.append(
                Problem(N_("A multiple-choice question needs at least one correct option."))
            )
        if not isinstance(data.get("partial_credit", False), bool):
            errors.append(Problem(N_("'partial_credit' must be true or false.")))
        return errors

    def normalize(self, data: Mapping[str, Any]) -> dict[str, Any]:
        out = super().normalize(data)
        out.setdefault("partial_credit", False)
        return out

    def parse_response(self, values: Sequence[str]) -> Response:
        return list(values)

    def grade(self, data: Mapping[str, Any], response: Response) -> Grade:
        count = len(data["options"])
        picked = set(self._indexes([str(v) for v in response or []], count))
        correct = self.correct_indexes(data)
        if picked == correct:
            return Grade(1.0, True)
        if not data.get("partial_credit"):
            return Grade(0.0, False)
        # Each right pick earns a share of the points, each wrong pick takes one away.
        wrong_options = count - len(correct)
        earned = len(picked & correct) / len(correct)
        penalty = len(picked - correct) / wrong_options if wrong_options else 0.0
        return Grade(max(0.0, earned - penalty), False)


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
# "1.000", "12.500", "1.234.567", "1.000,5": a dot before groups of three digits is how
# Vietnamese writes thousands, so reading it as a decimal point would turn a thousand into 1.
_DOT_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$")
# With the question's `thousands_dot` rule: digits grouped by dots, an optional decimal comma.
_GROUPED = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_SPACE_IN_NUMBER = str.maketrans("", "", " \u00a0\u202f\u2009")


def _raw_number(values: Sequence[str]) -> str:
    return values[0].strip().translate(_SPACE_IN_NUMBER) if values else ""


class Numeric(QuestionType):
    """A number. Decimals take a comma or a point; spaces may group thousands ("1 000").

    A dot before groups of three digits ("1.000") is ambiguous: it is refused with a hint, or,
    when the question sets `thousands_dot`, read as a thousands separator (decimals then take a
    comma only).
    """

    kind = "numeric"
    fields = ("answer", "tolerance", "thousands_dot")

    def validate(self, data: Mapping[str, Any]) -> list[Problem]:
        errors: list[Problem] = []
        if not _is_number(data.get("answer")):
            errors.append(Problem(N_("A number question needs a numeric answer.")))
        tolerance = data.get("tolerance", 0)
        if not _is_number(tolerance) or tolerance < 0:
            errors.append(Problem(N_("The accepted difference (tolerance) must be a number ≥ 0.")))
        if not isinstance(data.get("thousands_dot", False), bool):
            errors.append(Problem(N_("'thousands_dot' must be true or false.")))
        return errors

    def normalize(self, data: Mapping[str, Any]) -> dict[str, Any]:
        out = super().normalize(data)
        out.setdefault("tolerance", 0)
        if not out.get("thousands_dot"):  # stored only when a question opts in
            out.pop("thousands_dot", None)
        return out

    def check_response(self, data: Mapping[str, Any], values: Sequence[str]) -> Problem | None:
        raw = _raw_number(values)
        if data.get("thousands_dot"):
            if "." in raw and not _GROUPED.match(raw):
                return Problem(
                    N_(
                        "In this question a dot separates thousands (1.000 is one thousand): "
                        "write decimals with a comma, for example 1,5."
                    )
                )
            return None
        if _DOT_THOUSANDS.match(raw):
            return Problem(
                N_(
                    "Is %(typed)s a thousand-style number? Write thousands without a dot "
                    "(1000 or 1 000) and decimals with a comma (1,5)."
                ),
                {"typed": raw},
            )
        return None

    def parse_response(self, values: Sequence[str]) -> Response:
        """Accepts "3.5", "3,5" (Vietnamese decimal comma), "-2", "1e3", "1 000".

        Anything else is None. Refuse ambiguous input with `check_response` before reading it.
        """
        raw = _raw_number(values)
        if not _NUMBER.match(raw):
            return None
        value = float(raw.replace(",", "."))
        return value if math.isfinite(value) else None

    def read(self, data: Mapping[str, Any], values: Sequence[str]) -> Response:
        """The response under the question's number rule (see `thousands_dot`); None if refused."""
        if self.check_response(data, values) is not None:
            return None
        raw = _raw_number(values)
        if data.get("thousands_dot") and _GROUPED.match(raw):
            return float(raw.replace(".", "").replace(",", "."))
        return self.parse_response(values)

    def grade(self, data: Mapping[str, Any], response: Response) -> Grade:
        if not _is_number(response):
            return Grade(0.0, False)
        # A relative epsilon absorbs binary rounding (0.1 + 0.2) without widening the tolerance.
        limit = float(data.get("tolerance", 0)) + 1e-9 * max(1.0, abs(float(data["answer"])))
        ok = abs(float(response) - float(data["answer"])) <= limit
        return Grade(1.0 if ok else 0.0, ok)


# A space before or after punctuation or a symbol ("[2, 5]", "3 / 4", "x = 1").
_SPACE_AROUND_PUNCTUATION = re.compile(r" ?([^\w\s]) ?")


class ShortText(QuestionType):
    kind = "text"
    fields = ("answers", "ignore_diacritics")

    def validate(self, data: Mapping[str, Any]) -> list[Problem]:
        answers = data.get("answers")
        errors: list[Problem] = []
        if (
            not isinstance(answers, list)
            or not answers
            or not all(isinstance(a, str | int | float) and str(a).strip() for a in answers)
        ):
            errors.append(Problem(N_("A short-text question needs at least one accepted answer.")))
        if not isinstance(data.get("ignore_diacritics", False), bool):
            errors.append(Problem(N_("'ignore_diacritics' must be true or false.")))
        return errors

    def normalize(self, data: Mapping[str, Any]) -> dict[str, Any]:
        out = super().normalize(data)
        out["answers"] = [str(a) for a in data["answers"]]
        out.setdefault("ignore_diacritics", False)
        return out

    def parse_response(self, values: Sequence[str]) -> Response:
        text = normalize_spaces(values[0]) if values else ""
        return text[:500] or None

    @staticmethod
    def _key(text: str, ignore_diacritics: bool) -> str:
        """What two answers must share to be equal.

        Always: case, runs of spaces, and spaces next to punctuation or symbols ("[2, 5, 8]" is
        "[2,5,8]", "3 / 4" is "3/4"). Keyboards send "ả" precomposed or as "a" + a combining
        hook, and teachers place tone marks the old ("hoà") or the 2018 way ("hòa"): both are
        one key. Unless the question ignores diacritics, the marks themselves count (hoà ≠ hoa).
        """
        if ignore_diacritics:
            text = fold(text)
        else:
            text = tone_canonical(normalize_spaces(text)).casefold()
        return _SPACE_AROUND_PUNCTUATION.sub(r"\1", text)

    def grade(self, data: Mapping[str, Any], response: Response) -> Grade:
        if not isinstance(response, str):
            return Grade(0.0, False)
        loose = bool(data.get("ignore_diacritics"))
        given = self._key(response, loose)
        ok = any(given == self._key(answer, loose) for answer in data["answers"])
        return Grade(1.0 if ok else 0.0, ok)


REGISTRY: dict[str, QuestionType] = {
    t.kind: t for t in (SingleChoice(), MultipleChoice(), Numeric(), ShortText())
}


def question_type(kind: str) -> QuestionType:
    try:
        return REGISTRY[kind]
    except KeyError:
        raise ValueError(f"unknown question type {kind!r}") from None


def validate_question(kind: str, data: Mapping[str, Any]) -> list[Problem]:
    """The problems with a question definition, in words; empty when it is sound."""
    if kind not in REGISTRY:
        return [
            Problem(
                N_("Unknown question type %(kind)s (use one of: %(kinds)s)."),
                {"kind": kind, "kinds": ", ".join(REGISTRY)},
            )
        ]
    return REGISTRY[kind].validate(data)


def normalized_definition(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of a valid definition: only the type's own keys, with defaults."""
    return question_type(kind).normalize(data)


# Grade 1–2 pupils are still learning to read: they pick tone marks, they do not type them.
YOUNG_GRADES = range(1, 3)


def young_pupil_problems(kind: str, data: Mapping[str, Any], grade: int | None) -> list[Problem]:
    """Problems of a question for a grade 1–2 course: short-text answers that need tone marks
    or other diacritics (unless the question ignores them) — use choices instead."""
    if kind != "text" or grade not in YOUNG_GRADES or data.get("ignore_diacritics") is True:
        return []
    answers = data.get("answers")
    marked = (
        [str(a) for a in answers if strip_diacritics(str(a)) != str(a)]
        if isinstance(answers, list)
        else []
    )
    if not marked:
        return []
    return [
        Problem(
            N_(
                "Grade 1–2 pupils are not asked to type tone marks or other diacritics, which "
                "%(answers)s need. Make it a choice question, or accept answers without "
                "diacritics."
            ),
            {"answers": ", ".join(f"“{a}”" for a in marked)},
        )
    ]
