"""Drawing an attempt's questions from a pool, shuffling, and when answers are revealed."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from mooc.assessment.core.grading import answers_revealed, draw_questions, shuffled_order

NOW = dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC)


def seeded(seed: int) -> random.Random:
    """Reproducible draws for the test (the app draws with SystemRandom)."""
    return random.Random(seed)  # noqa: S311 - not security: a test's fixed sequence


def test_a_pool_draws_n_distinct_questions_in_authored_order() -> None:
    ids = list(range(1, 11))
    for seed in range(20):
        drawn = draw_questions(ids, 4, False, seeded(seed))
        assert len(drawn) == 4 and len(set(drawn)) == 4
        assert drawn == sorted(drawn)
    draws = {tuple(draw_questions(ids, 4, False, seeded(s))) for s in range(20)}
    assert len(draws) > 1  # not always the same four


def test_without_a_pool_all_questions_come_shuffled_or_not() -> None:
    ids = [5, 3, 9, 1]
    assert draw_questions(ids, None, False, seeded(1)) == ids
    assert draw_questions(ids, 10, False, seeded(1)) == ids  # a pool larger than the quiz
    shuffled = [draw_questions(ids, None, True, seeded(s)) for s in range(10)]
    assert all(sorted(s) == sorted(ids) for s in shuffled)
    assert any(s != ids for s in shuffled)


def test_a_shuffled_order_is_a_permutation() -> None:
    order = shuffled_order(5, seeded(3))
    assert sorted(order) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("policy", "left", "due", "shown"),
    [
        ("after_each", 2, None, True),
        ("never", 0, NOW - dt.timedelta(days=1), False),
        ("after_last", 1, None, False),
        ("after_last", 0, None, True),
        ("after_last", None, None, False),  # unlimited attempts: there is no last one
        ("after_due", 0, NOW + dt.timedelta(hours=1), False),  # used up, but not yet due
        ("after_due", 2, NOW - dt.timedelta(hours=1), True),  # due passed
        ("after_due", 1, None, False),  # no assignment: as after_last
        ("after_due", 0, None, True),
    ],
)
def test_when_answers_are_revealed(
    policy: str, left: int | None, due: dt.datetime | None, shown: bool
) -> None:
    assert answers_revealed(policy, attempts_left=left, due_at=due, now=NOW) is shown
