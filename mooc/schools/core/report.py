"""The class report's arithmetic: is a pupil's work on an item done, done late or late, how did it
score, and the class's and each pupil's averages. Pure: plain values in, frozen dataclasses out."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from mooc.schools.core.todo import TodoState, todo_state


class Lateness(enum.StrEnum):
    """How a cell of the report stands against the item's due time."""

    NONE = ""  # done on time, not due yet, or no due time
    DONE_LATE = "done_late"  # finished after the due time
    LATE = "late"  # not done, and the due time has passed


@dataclass(frozen=True)
class Work:
    """One pupil's work on one assigned item.

    `score` is 0–100 (a quiz's counted score, a course's final grade), None when there is none;
    `parts_done`/`parts_total` count lectures for lecture and course assignments.
    """

    done: bool
    done_at: dt.datetime | None = None
    score: float | None = None
    attempts: int = 0
    parts_done: int | None = None
    parts_total: int | None = None
    seconds: int = 0  # time spent in submitted quiz attempts

    def lateness(self, due_at: dt.datetime | None, now: dt.datetime) -> Lateness:
        """Done late (finished after the due time), late (not done, due time passed), or
        neither; the same rule as the pupil's to-do list, which this reuses."""
        # Only done / done late / late matter here, none of which depends on the time zone.
        state = todo_state(
            done=self.done,
            starts_at=None,
            due_at=due_at,
            now=now,
            zone=dt.UTC,
            done_at=self.done_at,
        )
        if state is TodoState.DONE_LATE:
            return Lateness.DONE_LATE
        if state is TodoState.LATE:
            return Lateness.LATE
        return Lateness.NONE


NOTHING = Work(done=False)


@dataclass(frozen=True)
class Tally:
    """Done, done late, late and the mean score over a set of cells (one item's column or one
    pupil's row). `done` counts work done late too; `late` counts only work not done."""

    done: int
    done_late: int
    late: int
    total: int
    average: float | None  # mean score of the cells that have a score

    @property
    def done_percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def tally(cells: Sequence[tuple[Work, Lateness]]) -> Tally:
    """Sum up `(work, lateness)` pairs; the average counts only work that has a score, so an item
    not yet done lowers the done count, not the average."""
    scores = [work.score for work, _late in cells if work.score is not None]
    return Tally(
        done=sum(1 for work, _late in cells if work.done),
        done_late=sum(1 for _work, late in cells if late is Lateness.DONE_LATE),
        late=sum(1 for _work, late in cells if late is Lateness.LATE),
        total=len(cells),
        average=round(sum(scores) / len(scores), 1) if scores else None,
    )


def counted_attempt(scores_in_order: Sequence[float], policy: str) -> int | None:
    """The index of the attempt whose score counts: the first best one, or the last."""
    if not scores_in_order:
        return None
    if policy == "best":
        best = max(scores_in_order)
        return scores_in_order.index(best)
    return len(scores_in_order) - 1
