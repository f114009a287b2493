"""Item analysis on hand-computed data: share correct, most chosen wrong answer, the upper–lower
discrimination index, flags, and question pools (only pupils who drew a question count)."""

from __future__ import annotations

from mooc.schools.core.item_analysis import (
    Answer,
    Sitting,
    analyse,
    read_answer,
    upper_lower_index,
)

RIGHT = Answer(correct=True, answered=True)


def wrong(*picked: str) -> Answer:
    return Answer(correct=False, answered=bool(picked), wrong=picked)


def test_upper_lower_index_by_hand() -> None:
    # Ten pupils: 27 % of 10 rounds to 3 per group. Top three by score: 90, 80, 70 → 2 right;
    # bottom three: 30, 20, 10 → 0 right. (2 − 0) / 3 = 0.67.
    results = [
        (90, True), (80, True), (70, False), (60, True), (55, False),
        (50, True), (40, True), (30, False), (20, False), (10, False),
    ]  # fmt: skip
    assert upper_lower_index(results) == 0.67


def test_weaker_pupils_doing_better_gives_a_negative_index() -> None:
    results = [(100, False), (90, False), (50, True), (20, True), (10, True)]
    # 27 % of 5 rounds to 1: top (100) wrong, bottom (10) right → (0 − 1) / 1.
    assert upper_lower_index(results) == -1.0


def test_too_few_pupils_give_no_index() -> None:
    assert upper_lower_index([(90, True), (10, False), (50, True), (40, False)]) is None


def test_analyse_counts_shares_wrong_answers_and_flags() -> None:
    sittings = [
        Sitting(100, {1: RIGHT, 2: RIGHT}),
        Sitting(80, {1: RIGHT, 2: wrong("B")}),
        Sitting(60, {1: RIGHT, 2: wrong("C")}),
        Sitting(40, {1: RIGHT, 2: wrong("B")}),
        Sitting(20, {1: RIGHT, 2: wrong()}),  # left it blank
    ]
    easy, hard = analyse(sittings, [1, 2])
    assert (easy.drew, easy.answered, easy.correct, easy.share_correct) == (5, 5, 5, 1.0)
    assert easy.top_wrong is None and easy.discrimination == 0.0
    assert easy.flags == ("too_easy",)
    assert (hard.drew, hard.answered, hard.correct) == (5, 4, 1)
    assert hard.share_correct == 0.2
    assert (hard.top_wrong, hard.top_wrong_count) == ("B", 2)
    assert hard.discrimination == 1.0  # the top pupil right, the bottom one wrong
    assert hard.flags == ("too_hard",)


def test_negative_and_weak_discrimination_are_flagged() -> None:
    upside_down = [
        Sitting(s, {1: RIGHT if s < 50 else wrong("A")}) for s in (90, 80, 70, 40, 30, 20)
    ]
    flat = [
        Sitting(s, {1: RIGHT if i % 2 else wrong("A")})
        for i, s in enumerate((90, 80, 70, 40, 30, 20))
    ]
    [negative] = analyse(upside_down, [1])
    [weak] = analyse(flat, [1])
    assert negative.discrimination == -1.0 and "negative" in negative.flags
    # 27 % of 6 rounds to 2: top (90 wrong, 80 right) 1, bottom (30 right, 20 wrong) 1 → 0.
    assert weak.discrimination == 0.0 and weak.flags == ("weak",)


def test_with_a_pool_only_pupils_who_drew_a_question_count() -> None:
    sittings = [
        Sitting(90, {1: RIGHT}),
        Sitting(70, {2: wrong("x")}),
        Sitting(50, {1: wrong("y"), 2: RIGHT}),
    ]
    first, second = analyse(sittings, [1, 2])
    assert (first.drew, first.correct, first.top_wrong) == (2, 1, "y")
    assert (second.drew, second.correct, second.top_wrong) == (2, 1, "x")
    assert first.flags == () and first.discrimination is None  # too few to judge


def test_ties_between_wrong_answers_take_the_first_in_order() -> None:
    [stats] = analyse([Sitting(10, {1: wrong("b", "a")})], [1])
    assert (stats.top_wrong, stats.top_wrong_count) == ("a", 1)


def test_read_answer_names_wrong_options_by_text_and_typed_answers_as_typed() -> None:
    options = [{"text": "2", "correct": True}, {"text": "9"}, {"text": "17", "correct": True}]
    assert read_answer("multiple", options, ["0", "1"], correct=False) == Answer(
        correct=False, answered=True, wrong=("9",)
    )
    assert read_answer("single", options, "1", correct=False).wrong == ("9",)
    assert read_answer("single", options, None, correct=False) == Answer(False, False, ())
    assert read_answer("single", options, "7", correct=False).answered is False  # no such option
    assert read_answer("numeric", [], 33.0, correct=False).wrong == ("33.0",)
    assert read_answer("text", [], "  ", correct=False) == Answer(False, False, ())
    assert read_answer("text", [], "Hà Nội", correct=True).wrong == ()
