"""Scoring a whole attempt, which attempt counts, and how many attempts are left."""

from __future__ import annotations

import pytest

from mooc.assessment.core.grading import (
    AttemptScore,
    QuestionSnapshot,
    attempts_left,
    counted_score,
    score_attempt,
)

CHOICE = QuestionSnapshot(
    1,
    "single",
    1,
    {"options": [{"text": "a", "correct": False}, {"text": "b", "correct": True}]},
)
PRIMES = QuestionSnapshot(
    2,
    "multiple",
    2,
    {
        "options": [
            {"text": "2", "correct": True},
            {"text": "9", "correct": False},
            {"text": "17", "correct": True},
            {"text": "21", "correct": False},
        ],
        "partial_credit": True,
    },
)
NUMBER = QuestionSnapshot(3, "numeric", 1, {"answer": 24, "tolerance": 0})
WORD = QuestionSnapshot(4, "text", 1, {"answers": ["cả"], "ignore_diacritics": False})
QUIZ = [CHOICE, PRIMES, NUMBER, WORD]  # 5 points in all


def test_all_right_scores_every_point() -> None:
    score = score_attempt(QUIZ, {1: "1", 2: ["0", "2"], 3: 24.0, 4: "Cả"})
    assert score.points == 5
    assert score.max_points == 5
    assert score.percent == 100.0
    assert all(grade.correct for grade in score.grades.values())


def test_nothing_answered_scores_zero() -> None:
    score = score_attempt(QUIZ, {})
    assert score.points == 0
    assert score.percent == 0.0
    assert set(score.grades) == {1, 2, 3, 4}
    assert not any(grade.correct for grade in score.grades.values())


def test_points_weigh_questions_and_partial_credit_counts() -> None:
    # Single right (1) + one prime of two on a 2-point question (1) + numeric wrong + text wrong.
    score = score_attempt(QUIZ, {1: "1", 2: ["0"], 3: 23.0, 4: "ca"})
    assert score.points == 2
    assert score.percent == 40.0
    assert score.grades[2].fraction == pytest.approx(0.5)
    assert score.grades[2].correct is False
    assert score.grades[3].correct is False


def test_percent_is_rounded_to_two_decimals() -> None:
    three = [CHOICE, NUMBER, WORD]
    score = score_attempt(three, {1: "1"})
    assert score.percent == 33.33
    assert score_attempt(three, {1: "1", 3: 24.0}).percent == 66.67


def test_percent_of_a_quiz_without_points_is_zero_not_an_error() -> None:
    assert score_attempt([], {}).percent == 0.0
    assert AttemptScore(points=0, max_points=0, grades={}).percent == 0.0


def test_responses_to_questions_not_in_the_snapshot_are_ignored() -> None:
    score = score_attempt([CHOICE], {1: "1", 99: "0"})
    assert score.max_points == 1
    assert score.percent == 100.0
    assert set(score.grades) == {1}


def test_best_policy_counts_the_highest_score() -> None:
    assert counted_score([40.0, 90.0, 60.0], "best") == 90.0


def test_last_policy_counts_the_latest_score_even_if_lower() -> None:
    assert counted_score([40.0, 90.0, 60.0], "last") == 60.0


def test_no_submitted_attempt_means_no_score() -> None:
    assert counted_score([], "best") is None
    assert counted_score([], "last") is None


def test_a_zero_score_still_counts() -> None:
    assert counted_score([0.0], "best") == 0.0
    assert counted_score([70.0, 0.0], "last") == 0.0


@pytest.mark.parametrize(
    ("used", "limit", "left"),
    [(0, 3, 3), (1, 3, 2), (3, 3, 0), (5, 3, 0), (0, 1, 1)],
)
def test_attempts_left_counts_down_to_zero(used: int, limit: int, left: int) -> None:
    assert attempts_left(used, limit) == left


@pytest.mark.parametrize("limit", [None, 0])
def test_no_limit_means_unlimited_attempts(limit: int | None) -> None:
    assert attempts_left(0, limit) is None
    assert attempts_left(50, limit) is None
