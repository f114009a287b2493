"""Scoring a whole attempt and choosing which attempt counts. Pure.

An attempt grades against the snapshot of the questions taken when it started, so a teacher's
later edits never change a past result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mooc.assessment.core.questions import Grade, Response, question_type


@dataclass(frozen=True)
class QuestionSnapshot:
    """A question as it stood when the attempt began."""

    id: int
    kind: str
    points: int
    data: Mapping[str, Any]


@dataclass(frozen=True)
class AttemptScore:
    points: float
    max_points: int
    grades: Mapping[int, Grade]  # by question id

    @property
    def percent(self) -> float:
        """0–100, rounded to two decimals (what pass marks compare against)."""
        return round(100 * self.points / self.max_points, 2) if self.max_points else 0.0


def score_attempt(
    questions: Sequence[QuestionSnapshot], responses: Mapping[int, Response]
) -> AttemptScore:
    grades = {q.id: question_type(q.kind).grade(q.data, responses.get(q.id)) for q in questions}
    points = sum(grades[q.id].fraction * q.points for q in questions)
    return AttemptScore(
        points=round(points, 4), max_points=sum(q.points for q in questions), grades=grades
    )


def counted_score(scores_in_order: Sequence[float], policy: str) -> float | None:
    """The score that counts for a quiz: the best or the last of the submitted attempts."""
    if not scores_in_order:
        return None
    return max(scores_in_order) if policy == "best" else scores_in_order[-1]


def attempts_left(used: int, max_attempts: int | None) -> int | None:
    """None means unlimited."""
    return None if not max_attempts else max(0, max_attempts - used)
