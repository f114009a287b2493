"""The completion rule of a course, as a pure function of a learner's progress.

A course is complete when every required lecture is done, every required quiz's counted score
reaches its pass mark, and the final grade — the weighted mean of the quiz scores, optional quizzes
only once taken — reaches the course's pass mark. A course without quizzes is graded 100 once its
lectures are done.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class QuizStanding:
    quiz_id: int
    required: bool
    pass_mark: int
    weight: int
    score: float | None  # the counted score (0–100), None when never submitted

    @property
    def passed(self) -> bool:
        return self.score is not None and self.score >= self.pass_mark


@dataclass(frozen=True)
class CompletionStatus:
    complete: bool
    final_grade: float | None  # None until every required weighted quiz has a score
    lectures_done: int
    lectures_required: int
    quizzes_passed: int
    quizzes_required: int
    percent: int  # progress through the required items, for progress bars


def final_grade(quizzes: Sequence[QuizStanding]) -> float | None:
    # An optional quiz counts once taken; left untaken, it must not hold the grade back forever.
    weighted = [q for q in quizzes if q.weight > 0 and (q.required or q.score is not None)]
    if not weighted:
        return 100.0
    if any(q.score is None for q in weighted):
        return None
    total = sum(q.weight for q in weighted)
    return round(sum((q.score or 0.0) * q.weight for q in weighted) / total, 2)


def evaluate(
    *,
    required_lectures: Collection[int],
    done_lectures: Collection[int],
    quizzes: Sequence[QuizStanding],
    pass_mark: int,
) -> CompletionStatus:
    required = set(required_lectures)
    return evaluate_counts(
        lectures_required=len(required),
        lectures_done=len(required & set(done_lectures)),
        quizzes=quizzes,
        pass_mark=pass_mark,
    )


def evaluate_counts(
    *,
    lectures_required: int,
    lectures_done: int,
    quizzes: Sequence[QuizStanding],
    pass_mark: int,
) -> CompletionStatus:
    """`evaluate`, given how many required lectures there are and how many of them are done
    (what a report counting in SQL has at hand)."""
    done = lectures_done
    required_quizzes = [q for q in quizzes if q.required]
    passed = sum(1 for q in required_quizzes if q.passed)
    grade = final_grade(quizzes)
    items = lectures_required + len(required_quizzes)
    percent = 100 if items == 0 else int(100 * (done + passed) / items)
    complete = (
        done == lectures_required
        and passed == len(required_quizzes)
        and grade is not None
        and grade >= pass_mark
    )
    return CompletionStatus(
        complete=complete,
        final_grade=grade,
        lectures_done=done,
        lectures_required=lectures_required,
        quizzes_passed=passed,
        quizzes_required=len(required_quizzes),
        # 100 % only once complete: every item done but the grade short of the mark is not done.
        percent=100 if complete else min(percent, 99),
    )
