"""Question types: what a teacher may define, how a learner's form answer is read and graded."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from mooc.assessment.core.questions import (
    Grade,
    normalized_definition,
    question_type,
    validate_question,
    young_pupil_problems,
)

SINGLE = {
    "options": [
        {"text": "Thanh ngang"},
        {"text": "Thanh huyền", "correct": True},
        {"text": "Thanh sắc"},
    ]
}
# Six options, three right: 2, 17, 29 are the primes.
PRIMES = {
    "options": [
        {"text": "2", "correct": True},
        {"text": "9"},
        {"text": "17", "correct": True},
        {"text": "1"},
        {"text": "21"},
        {"text": "29", "correct": True},
    ],
    "partial_credit": True,
}


def grade(kind: str, data: dict[str, Any], *values: str) -> Grade:
    """Grade what a browser would submit for one question."""
    qtype = question_type(kind)
    return qtype.grade(qtype.normalize(data), qtype.parse_response(list(values)))


# --- validation ---------------------------------------------------------------------------


def problems(kind: str, data: object) -> list[str]:
    """The English text of each problem (the web layer translates the templates instead)."""
    return [str(p) for p in validate_question(kind, data)]  # type: ignore[arg-type]


def test_sound_definitions_of_every_type_have_no_problems() -> None:
    assert problems("single", SINGLE) == []
    assert problems("multiple", PRIMES) == []
    assert problems("numeric", {"answer": 3.5, "tolerance": 0.1}) == []
    assert problems("numeric", {"answer": 29}) == []  # tolerance defaults to 0
    assert problems("text", {"answers": ["Hà Nội", "Ha Noi"]}) == []


def test_unknown_type_is_named_with_the_types_to_use() -> None:
    (problem,) = problems("essay", {})
    assert "essay" in problem
    assert "single" in problem and "text" in problem
    with pytest.raises(ValueError, match="essay"):
        question_type("essay")


def test_problems_keep_a_translatable_template_apart_from_their_values() -> None:
    data = {"options": [{"text": "a", "correct": True}, {"text": "  "}]}
    (problem,) = validate_question("multiple", data)
    assert problem.message == "Option %(n)d needs a text."
    assert problem.values == {"n": 2}
    assert str(problem) == "Option 2 needs a text."


@pytest.mark.parametrize("correct", [[], [0, 1]])
def test_single_choice_needs_exactly_one_correct_option(correct: list[int]) -> None:
    data = {"options": [{"text": t, "correct": i in correct} for i, t in enumerate("abc")]}
    assert problems("single", data) == [
        "A single-choice question needs exactly one correct option."
    ]


def test_choice_questions_need_two_options_with_text() -> None:
    assert problems("single", {"options": [{"text": "a", "correct": True}]}) == [
        "A choice question needs at least two options."
    ]
    assert problems("single", {}) == ["A choice question needs at least two options."]
    found = problems("multiple", {"options": [{"text": "a", "correct": True}, {"text": "  "}]})
    assert found == ["Option 2 needs a text."]


def test_choice_correct_flag_must_be_a_boolean() -> None:
    data = {"options": [{"text": "a", "correct": "yes"}, {"text": "b", "correct": True}]}
    assert "Option 1: 'correct' must be true or false." in problems("single", data)


def test_multiple_choice_needs_at_least_one_correct_option() -> None:
    none_right = {"options": [{"text": "a"}, {"text": "b"}]}
    assert problems("multiple", none_right) == [
        "A multiple-choice question needs at least one correct option."
    ]
    one_right = {"options": [{"text": "a", "correct": True}, {"text": "b"}]}
    assert problems("multiple", one_right) == []
    all_right = {"options": [{"text": "a", "correct": True}, {"text": "b", "correct": True}]}
    assert problems("multiple", all_right) == []


def test_multiple_choice_partial_credit_must_be_a_boolean() -> None:
    data = {**PRIMES, "partial_credit": "sometimes"}
    assert problems("multiple", data) == ["'partial_credit' must be true or false."]


@pytest.mark.parametrize("answer", [None, "12", True, float("nan"), float("inf")])
def test_numeric_answer_must_be_a_finite_number(answer: object) -> None:
    assert problems("numeric", {"answer": answer}) == ["A number question needs a numeric answer."]


@pytest.mark.parametrize("tolerance", [-0.1, "0.5", None])
def test_numeric_tolerance_must_be_a_number_not_below_zero(tolerance: object) -> None:
    assert problems("numeric", {"answer": 1, "tolerance": tolerance}) == [
        "The accepted difference (tolerance) must be a number ≥ 0."
    ]
    assert problems("numeric", {"answer": 1, "tolerance": 0}) == []


@pytest.mark.parametrize("answers", [[], [""], ["  "], ["ok", ""], "Hà Nội", None, [None]])
def test_text_answers_must_be_a_non_empty_list_of_non_empty_texts(answers: object) -> None:
    assert problems("text", {"answers": answers}) == [
        "A short-text question needs at least one accepted answer."
    ]


def test_text_ignore_diacritics_must_be_a_boolean() -> None:
    assert problems("text", {"answers": ["a"], "ignore_diacritics": 1}) == [
        "'ignore_diacritics' must be true or false."
    ]


def test_normalized_definitions_keep_only_own_keys_with_defaults() -> None:
    assert normalized_definition("numeric", {"answer": 12, "options": [], "junk": 1}) == {
        "answer": 12,
        "tolerance": 0,
    }
    assert normalized_definition("text", {"answers": [29, "hai chín"]}) == {
        "answers": ["29", "hai chín"],
        "ignore_diacritics": False,
    }
    multiple = normalized_definition("multiple", {"options": [{"text": 1}, {"text": "b"}]})
    assert multiple == {
        "options": [{"text": "1", "correct": False}, {"text": "b", "correct": False}],
        "partial_credit": False,
    }


def test_the_browser_sees_option_texts_but_never_the_key() -> None:
    for kind, data in [("single", SINGLE), ("multiple", PRIMES)]:
        public = question_type(kind).public(normalized_definition(kind, data))
        assert public == {"options": [o["text"] for o in data["options"]]}
        assert "correct" not in repr(public)
    assert question_type("numeric").public({"answer": 29, "tolerance": 0}) == {}
    assert question_type("text").public({"answers": ["cả"]}) == {}


# --- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("3.5", 3.5),
        ("3,5", 3.5),  # the Vietnamese decimal comma
        (" -2 ", -2.0),
        ("+4", 4.0),
        ("1e3", 1000.0),
        (",5", 0.5),
        ("1 000", 1000.0),
    ],
)
def test_numeric_reads_decimal_points_and_commas(raw: str, value: float) -> None:
    assert question_type("numeric").parse_response([raw]) == value


@pytest.mark.parametrize("raw", ["abc", "", "3.5.1", "1,2,3", "12kg", "1e999", "nan", "inf"])
def test_numeric_rejects_what_is_not_a_finite_number(raw: str) -> None:
    assert question_type("numeric").parse_response([raw]) is None


def test_numeric_without_a_field_is_unanswered() -> None:
    assert question_type("numeric").parse_response([]) is None


def test_text_response_collapses_spaces_and_blank_is_unanswered() -> None:
    text = question_type("text")
    assert text.parse_response(["  Hà   Nội \n"]) == "Hà Nội"
    assert text.parse_response(["   "]) is None
    assert text.parse_response([]) is None
    assert len(text.parse_response(["x" * 2000])) == 500


def test_single_choice_reads_the_first_value_and_multiple_reads_all() -> None:
    assert question_type("single").parse_response(["2", "0"]) == "2"
    assert question_type("single").parse_response([]) is None
    assert question_type("multiple").parse_response(["0", "2"]) == ["0", "2"]


def test_multiple_choice_ignores_indexes_that_are_not_options() -> None:
    # All three primes plus indexes that do not exist: still exactly the right answer.
    assert grade("multiple", PRIMES, "0", "2", "5", "6", "99", "-1", "x", "") == Grade(1.0, True)


def test_choice_answers_with_non_ascii_digits_are_ignored_not_a_crash() -> None:
    # "²".isdigit() is true but int("²") fails: a crafted form must not cause a server error.
    assert grade("multiple", PRIMES, "0", "2", "5", "²") == Grade(1.0, True)
    assert grade("single", SINGLE, "²") == Grade(0.0, False)


# --- grading ------------------------------------------------------------------------------


def test_single_choice_right_wrong_and_unanswered() -> None:
    assert grade("single", SINGLE, "1") == Grade(1.0, True)
    assert grade("single", SINGLE, "0") == Grade(0.0, False)
    assert grade("single", SINGLE, "7") == Grade(0.0, False)
    assert grade("single", SINGLE) == Grade(0.0, False)


def test_multiple_choice_exact_answer_scores_full() -> None:
    assert grade("multiple", PRIMES, "0", "2", "5") == Grade(1.0, True)
    assert grade("multiple", PRIMES, "5", "2", "0", "2") == Grade(1.0, True)  # order, repeats


def test_multiple_choice_without_partial_credit_is_all_or_nothing() -> None:
    strict = {**PRIMES, "partial_credit": False}
    assert grade("multiple", strict, "0", "2") == Grade(0.0, False)
    assert grade("multiple", strict, "0", "2", "5", "1") == Grade(0.0, False)
    assert grade("multiple", strict) == Grade(0.0, False)


def test_multiple_choice_partial_credit_for_some_right_picks() -> None:
    result = grade("multiple", PRIMES, "0", "2")  # two of three primes, nothing wrong
    assert result.fraction == pytest.approx(2 / 3)
    assert result.correct is False


def test_multiple_choice_a_wrong_pick_costs_points() -> None:
    # All three primes (1.0) but also 9, one of the three wrong options: 1 - 1/3.
    with_wrong = grade("multiple", PRIMES, "0", "2", "5", "1")
    assert with_wrong.fraction == pytest.approx(2 / 3)
    assert with_wrong.correct is False
    # Two primes (2/3) and 21 (one wrong of three): 2/3 - 1/3, less than the two primes alone.
    two_right_one_wrong = grade("multiple", PRIMES, "0", "2", "4")
    assert two_right_one_wrong.fraction == pytest.approx(1 / 3)
    assert two_right_one_wrong.fraction < grade("multiple", PRIMES, "0", "2").fraction


def test_multiple_choice_score_never_goes_below_zero() -> None:
    assert grade("multiple", PRIMES, "1", "3", "4") == Grade(0.0, False)  # only wrong picks
    assert grade("multiple", PRIMES, "0", "1", "3", "4") == Grade(0.0, False)
    assert grade("multiple", PRIMES, *map(str, range(6))).fraction == 0.0  # ticking every box
    assert grade("multiple", PRIMES) == Grade(0.0, False)


def test_numeric_within_and_outside_the_tolerance() -> None:
    data = {"answer": 9.8, "tolerance": 0.1}
    assert grade("numeric", data, "9,8") == Grade(1.0, True)
    assert grade("numeric", data, "9.75") == Grade(1.0, True)
    assert grade("numeric", data, "9.9") == Grade(1.0, True)  # the edge counts
    assert grade("numeric", data, "9.91") == Grade(0.0, False)
    assert grade("numeric", data, "9.69") == Grade(0.0, False)
    assert grade("numeric", data, "abc") == Grade(0.0, False)
    assert grade("numeric", data) == Grade(0.0, False)


def test_numeric_exact_answer_with_zero_tolerance() -> None:
    data = {"answer": 29, "tolerance": 0}
    assert grade("numeric", data, "29") == Grade(1.0, True)
    assert grade("numeric", data, "29,0") == Grade(1.0, True)
    assert grade("numeric", data, "29.001") == Grade(0.0, False)
    assert grade("numeric", data, "28") == Grade(0.0, False)


def test_numeric_absorbs_binary_rounding_without_tolerance() -> None:
    assert 0.1 + 0.2 != 0.3
    numeric = question_type("numeric")
    assert numeric.grade({"answer": 0.3, "tolerance": 0}, 0.1 + 0.2) == Grade(1.0, True)
    assert numeric.grade({"answer": 0.1 + 0.2, "tolerance": 0}, 0.3) == Grade(1.0, True)
    assert numeric.grade({"answer": 0.3, "tolerance": 0}, 0.3001) == Grade(0.0, False)


def test_numeric_does_not_take_a_boolean_for_a_number() -> None:
    assert question_type("numeric").grade({"answer": 1, "tolerance": 0}, True) == Grade(0.0, False)


def test_text_ignores_case_and_surrounding_spaces() -> None:
    strict = {"answers": ["Hà Nội"], "ignore_diacritics": False}
    assert grade("text", strict, "  hà nội  ") == Grade(1.0, True)
    assert grade("text", strict, "HÀ   NỘI") == Grade(1.0, True)
    assert grade("text", strict, "Hà Nội thủ đô") == Grade(0.0, False)
    assert grade("text", strict) == Grade(0.0, False)


def test_text_diacritics_count_unless_the_teacher_says_otherwise() -> None:
    strict = {"answers": ["Hà Nội"], "ignore_diacritics": False}
    loose = {"answers": ["Hà Nội"], "ignore_diacritics": True}
    assert grade("text", strict, "ha noi") == Grade(0.0, False)
    assert grade("text", strict, "Hà Nổi") == Grade(0.0, False)
    assert grade("text", loose, "ha noi") == Grade(1.0, True)
    assert grade("text", loose, " HA  NOI ") == Grade(1.0, True)
    assert grade("text", loose, "ha nam") == Grade(0.0, False)


def test_text_tone_marks_matter_when_diacritics_count() -> None:
    # "ma", "mà", "má", "mạ" are different words in Vietnamese.
    data = {"answers": ["mạ"], "ignore_diacritics": False}
    assert grade("text", data, "mạ") == Grade(1.0, True)
    for other in ("ma", "mà", "má", "mả"):
        assert grade("text", data, other) == Grade(0.0, False)


def test_text_accepts_any_of_several_answers_and_d_with_stroke_folds() -> None:
    data = {"answers": ["Đà Nẵng", "Da Nang city"], "ignore_diacritics": True}
    assert grade("text", data, "da nang") == Grade(1.0, True)
    assert grade("text", data, "DA NANG CITY") == Grade(1.0, True)


def test_text_typed_with_combining_marks_matches_the_precomposed_answer() -> None:
    # Some Vietnamese keyboards send "cả" as "ca" + a combining hook: the same word on screen.
    typed = unicodedata.normalize("NFD", "cả")
    assert typed != "cả"
    data = {"answers": ["cả"], "ignore_diacritics": False}
    assert grade("text", data, typed) == Grade(1.0, True)
    assert grade("text", data, unicodedata.normalize("NFD", "cá")) == Grade(0.0, False)


@pytest.mark.parametrize(
    ("answer", "typed"),
    [("hòa", "hoà"), ("hoà", "hòa"), ("thủy", "thuỷ"), ("khỏe", "khoẻ"), ("Hòa Bình", "hoà bình")],
)
def test_text_tone_placement_old_or_new_is_the_same_answer(answer: str, typed: str) -> None:
    data = {"answers": [answer], "ignore_diacritics": False}
    assert grade("text", data, typed) == Grade(1.0, True)
    assert grade("text", data, unicodedata.normalize("NFD", typed)) == Grade(1.0, True)


def test_text_tone_placement_is_forgiven_but_the_tone_is_not() -> None:
    data = {"answers": ["hòa"], "ignore_diacritics": False}
    for other in ("hoa", "hóa", "hoá", "hỏa", "họa"):
        assert grade("text", data, other) == Grade(0.0, False)


@pytest.mark.parametrize(
    ("answer", "typed"),
    [
        ("[2, 5, 8]", "[2,5,8]"),
        ("[2,5,8]", "[ 2 , 5 , 8 ]"),
        ("3/4", "3 / 4"),
        ("x = 1", "x=1"),
        ("Hà Nội, Việt Nam", "Hà Nội ,Việt Nam"),
    ],
)
def test_text_spaces_next_to_punctuation_are_ignored(answer: str, typed: str) -> None:
    for loose in (False, True):
        data = {"answers": [answer], "ignore_diacritics": loose}
        assert grade("text", data, typed) == Grade(1.0, True)


def test_text_spaces_between_words_still_count() -> None:
    data = {"answers": ["Hà Nội"], "ignore_diacritics": False}
    assert grade("text", data, "HàNội") == Grade(0.0, False)
    assert grade("text", {"answers": ["[2, 5, 8]"]}, "[2, 58]") == Grade(0.0, False)


@pytest.mark.parametrize("typed", ["1.000", "12.500", "-1.000", "1.234.567", "1.000,5", "100.000"])
def test_numeric_dot_before_three_digits_is_refused_with_a_hint_not_read_as_a_decimal(
    typed: str,
) -> None:
    numeric = question_type("numeric")
    data = numeric.normalize({"answer": 1})
    problem = numeric.check_response(data, [typed])
    assert problem is not None
    assert typed in str(problem) and "1,5" in str(problem)
    assert numeric.read(data, [typed]) is None  # never silently 1


@pytest.mark.parametrize("typed", ["1.5", "0.125", "3.14", "1000", "1 000", "1,000", "1.0000", ""])
def test_numeric_unambiguous_numbers_have_no_hint(typed: str) -> None:
    numeric = question_type("numeric")
    assert numeric.check_response(numeric.normalize({"answer": 1}), [typed]) is None


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1.000", 1000.0),
        ("1.234.567", 1234567.0),
        ("1.000,5", 1000.5),
        ("1000", 1000.0),
        ("2,5", 2.5),
        ("-12.500", -12500.0),
        ("1 000", 1000.0),
    ],
)
def test_numeric_thousands_dot_rule_reads_dots_as_thousands(typed: str, value: float) -> None:
    numeric = question_type("numeric")
    data = numeric.normalize({"answer": value, "thousands_dot": True})
    assert numeric.check_response(data, [typed]) is None
    assert numeric.read(data, [typed]) == value
    assert numeric.grade(data, numeric.read(data, [typed])) == Grade(1.0, True)


@pytest.mark.parametrize("typed", ["1.5", "0.25", "1.00", "12.3456"])
def test_numeric_thousands_dot_rule_refuses_a_decimal_point(typed: str) -> None:
    numeric = question_type("numeric")
    data = numeric.normalize({"answer": 1.5, "thousands_dot": True})
    problem = numeric.check_response(data, [typed])
    assert problem is not None and "comma" in str(problem)
    assert numeric.read(data, [typed]) is None


def test_numeric_thousands_dot_must_be_a_boolean_and_defaults_off() -> None:
    assert problems("numeric", {"answer": 1, "thousands_dot": "yes"}) == [
        "'thousands_dot' must be true or false."
    ]
    assert normalized_definition("numeric", {"answer": 1}) == {"answer": 1, "tolerance": 0}
    assert normalized_definition("numeric", {"answer": 1, "thousands_dot": True})["thousands_dot"]


# --- young pupils ---------------------------------------------------------------------------


@pytest.mark.parametrize("grade", [1, 2])
def test_grade_1_and_2_short_text_answers_needing_marks_are_a_problem(grade: int) -> None:
    (problem,) = young_pupil_problems("text", {"answers": ["an", "mạ", "đi"]}, grade)
    assert "tone marks" in str(problem)
    assert "“mạ”, “đi”" in str(problem) and "“an”" not in str(problem)


@pytest.mark.parametrize(
    ("kind", "data", "grade"),
    [
        ("text", {"answers": ["mạ"]}, 3),
        ("text", {"answers": ["mạ"]}, None),  # university
        ("text", {"answers": ["mạ"], "ignore_diacritics": True}, 1),
        ("text", {"answers": ["an", "ba"]}, 1),
        ("single", SINGLE, 1),
    ],
)
def test_other_grades_choices_and_unmarked_answers_are_no_problem(
    kind: str, data: dict[str, Any], grade: int | None
) -> None:
    assert young_pupil_problems(kind, data, grade) == []


def test_the_grade_1_seed_quiz_asks_no_typed_tone_marks() -> None:
    folder = Path(__file__).resolve().parents[2] / "content" / "tieng-viet-lop-1" / "quizzes"
    questions = [
        q
        for path in folder.glob("*.yaml")
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    ]
    assert questions
    for q in questions:
        assert young_pupil_problems(q["type"], q, 1) == [], q["prompt"]
