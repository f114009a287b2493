"""Scoring a whole attempt, choosing which attempt counts, drawing and shuffling an attempt's
questions, and deciding when a learner may see the right answers. Pure.

An attempt grades against the snapshot of the questions taken when it started, so a teacher's
later edits never change a past result.
"""

from __future__ import annotations

import datetime as dt
import random
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


def draw_questions(
    question_ids: Sequence[int], pool_size: int | None, shuffle: bool, rng: random.Random
) -> list[int]:
    """The questions of one attempt: `pool_size` of them drawn at random (all when None or not
    fewer than there are), kept in the authored order unless `shuffle`."""
    chosen = list(question_ids)
    if pool_size is not None and 0 < pool_size < len(chosen):
        drawn = set(rng.sample(chosen, pool_size))
        chosen = [qid for qid in chosen if qid in drawn]
    if shuffle:
        rng.shuffle(chosen)
    return chosen


def shuffled_order(count: int, rng: random.Random) -> list[int]:
    """A random order of `count` options, as their original indexes."""
    order = list(range(count))
    rng.shuffle(order)
    return order


def answers_revealed(
    policy: str, *, attempts_left: int | None, due_at: dt.datetime | None, now: dt.datetime
) -> bool:
    """Whether a learner may now see which answers were right (and the explanations).

    "after_last" waits until no attempt is left (so never for unlimited attempts: nothing may be
    copied into a next try); "after_due" waits for the learner's due date and, without one,
    behaves as "after_last".
    """
    if policy == "after_each":
        return True
    if policy == "never":
        return False
    if policy == "after_due" and due_at is not None:
        return now >= due_at
    return attempts_left == 0
