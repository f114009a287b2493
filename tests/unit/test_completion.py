"""The completion rule: required lectures done, required quizzes passed, final grade ≥ pass mark."""

from __future__ import annotations

from mooc.learning.core.completion import QuizStanding, evaluate, final_grade

LECTURES = [1, 2, 3]


def quiz(
    quiz_id: int,
    score: float | None,
    *,
    pass_mark: int = 60,
    weight: int = 1,
    required: bool = True,
) -> QuizStanding:
    return QuizStanding(quiz_id, required, pass_mark, weight, score)


def test_everything_done_and_passed_is_complete() -> None:
    status = evaluate(
        required_lectures=LECTURES,
        done_lectures=[1, 2, 3],
        quizzes=[quiz(10, 80.0), quiz(11, 70.0)],
        pass_mark=50,
    )
    assert status.complete is True
    assert status.final_grade == 75.0
    assert status.percent == 100
    assert (status.lectures_done, status.lectures_required) == (3, 3)
    assert (status.quizzes_passed, status.quizzes_required) == (2, 2)


def test_a_missing_required_lecture_keeps_the_course_incomplete() -> None:
    status = evaluate(
        required_lectures=LECTURES,
        done_lectures=[1, 3],
        quizzes=[quiz(10, 100.0)],
        pass_mark=50,
    )
    assert status.complete is False
    assert status.lectures_done == 2
    assert status.final_grade == 100.0  # the grade alone does not complete a course
    assert status.percent == 75  # 3 of 4 required items


def test_a_required_quiz_below_its_pass_mark_keeps_the_course_incomplete() -> None:
    # The mean (0.5 * 100 + 0.5 * 55 = 77.5) is above the course's mark, yet quiz 11 is failed.
    status = evaluate(
        required_lectures=LECTURES,
        done_lectures=LECTURES,
        quizzes=[quiz(10, 100.0), quiz(11, 55.0, pass_mark=60)],
        pass_mark=50,
    )
    assert status.complete is False
    assert status.final_grade == 77.5
    assert status.quizzes_passed == 1
    assert status.percent == 80


def test_a_required_quiz_never_taken_keeps_the_course_incomplete() -> None:
    status = evaluate(
        required_lectures=LECTURES,
        done_lectures=LECTURES,
        quizzes=[quiz(10, 90.0), quiz(11, None)],
        pass_mark=50,
    )
    assert status.complete is False
    assert status.final_grade is None
    assert status.quizzes_passed == 1


def test_exactly_the_quiz_pass_mark_passes() -> None:
    status = evaluate(
        required_lectures=[], done_lectures=[], quizzes=[quiz(10, 60.0)], pass_mark=60
    )
    assert status.complete is True


def test_a_final_grade_below_the_course_pass_mark_keeps_it_incomplete() -> None:
    # Both quizzes passed (pass mark 50), but the weighted mean 57.5 is below the course's 60.
    status = evaluate(
        required_lectures=LECTURES,
        done_lectures=LECTURES,
        quizzes=[quiz(10, 50.0, pass_mark=50), quiz(11, 65.0, pass_mark=50)],
        pass_mark=60,
    )
    assert status.quizzes_passed == 2
    assert status.final_grade == 57.5
    assert status.complete is False


def test_optional_lectures_are_not_needed() -> None:
    status = evaluate(
        required_lectures=[1, 2], done_lectures=[1, 2], quizzes=[quiz(10, 90.0)], pass_mark=50
    )
    assert status.complete is True
    assert status.lectures_required == 2


def test_done_lectures_outside_the_required_set_do_not_count() -> None:
    status = evaluate(required_lectures=[1, 2], done_lectures=[1, 7, 8], quizzes=[], pass_mark=50)
    assert status.complete is False
    assert status.lectures_done == 1
    assert status.percent == 50


def test_an_optional_quiz_not_taken_is_not_needed() -> None:
    status = evaluate(
        required_lectures=LECTURES,
        done_lectures=LECTURES,
        quizzes=[quiz(10, 80.0), quiz(11, None, required=False)],
        pass_mark=50,
    )
    assert status.complete is True
    assert status.final_grade == 80.0
    assert status.quizzes_required == 1


def test_an_optional_quiz_failed_is_not_needed_to_pass() -> None:
    status = evaluate(
        required_lectures=LECTURES,
        done_lectures=LECTURES,
        quizzes=[quiz(10, 90.0), quiz(11, 40.0, required=False)],
        pass_mark=50,
    )
    assert status.complete is True
    assert status.final_grade == 65.0  # a taken quiz still counts in the grade


def test_final_grade_is_the_weighted_mean_of_quiz_scores() -> None:
    # (60 * 1 + 90 * 3) / 4 = 82.5
    assert final_grade([quiz(1, 60.0, weight=1), quiz(2, 90.0, weight=3)]) == 82.5
    # (70 * 2 + 85 * 1 + 100 * 1) / 4 = 81.25
    graded = [quiz(1, 70.0, weight=2), quiz(2, 85.0), quiz(3, 100.0)]
    assert final_grade(graded) == 81.25


def test_final_grade_is_rounded_to_two_decimals() -> None:
    assert final_grade([quiz(1, 100.0), quiz(2, 0.0), quiz(3, 0.0)]) == 33.33


def test_quizzes_of_weight_zero_do_not_change_the_grade() -> None:
    assert final_grade([quiz(1, 80.0), quiz(2, 0.0, weight=0)]) == 80.0
    assert final_grade([quiz(2, None, weight=0)]) == 100.0


def test_a_course_without_quizzes_is_graded_100_once_lectures_are_done() -> None:
    status = evaluate(required_lectures=LECTURES, done_lectures=LECTURES, quizzes=[], pass_mark=90)
    assert status.complete is True
    assert status.final_grade == 100.0
    assert status.percent == 100


def test_percent_counts_lectures_and_quizzes_as_items() -> None:
    nothing = evaluate(
        required_lectures=LECTURES, done_lectures=[], quizzes=[quiz(10, None)], pass_mark=50
    )
    assert nothing.percent == 0
    half = evaluate(
        required_lectures=LECTURES,
        done_lectures=[1, 2],
        quizzes=[quiz(10, None), quiz(11, 20.0)],
        pass_mark=50,
    )
    assert half.percent == 40  # 2 of 5 items: a failed quiz is not an item done
    assert evaluate(required_lectures=[], done_lectures=[], quizzes=[], pass_mark=50).percent == 100


def test_progress_stays_below_100_until_the_grade_reaches_the_pass_mark() -> None:
    status = evaluate(
        required_lectures={1},
        done_lectures={1},
        quizzes=[QuizStanding(7, False, 0, 1, 20.0)],
        pass_mark=50,
    )
    assert not status.complete
    assert status.percent == 99
