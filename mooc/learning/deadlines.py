"""Due dates a learner has in a course — for the whole course, its lectures and its quizzes — told
by features above learning (a class assignment), for the course and lecture pages to show.

Learning may not import those features, so they register a provider once, at import (as
`mooc.assessment.deadlines` does for a quiz's reveal policy).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import Session


class DueState(enum.StrEnum):
    DUE = "due"  # not done yet, the due time is still ahead
    LATE = "late"  # not done, and the due time has passed
    DONE = "done"  # done by the due time
    DONE_LATE = "done_late"  # done, after the due time


@dataclass(frozen=True)
class Due:
    due_at: dt.datetime  # UTC
    state: DueState


@dataclass(frozen=True)
class CourseDues:
    """The course's own due date, and its items' keyed by `(kind, slug)` as in the syllabus
    (`("lecture", "phan-so")`, `("quiz", "kiem-tra-1")`)."""

    course: Due | None = None
    items: Mapping[tuple[str, str], Due] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.course is not None or bool(self.items)


NO_DUES = CourseDues()

# (session, user id, course id, now) -> the learner's due dates in that course
CourseDueProvider = Callable[[Session, int, int, dt.datetime], CourseDues]

# (the person's id, as a column) -> whether the provider may know a due date of theirs
DueHint = Callable[[ColumnElement[int]], ColumnElement[bool]]

_PROVIDERS: dict[str, CourseDueProvider] = {}
_HINTS: dict[str, DueHint] = {}


def register_course_due_provider(
    name: str, provider: CourseDueProvider, hint: DueHint | None = None
) -> None:
    """Add (or, under the same name, replace) a provider; idempotent across app rebuilds.
    `hint` lets a page's own statement tell that the provider knows nothing for a person, so
    the page does not ask it (`may_have_dues`)."""
    _PROVIDERS[name] = provider
    if hint is None:
        _HINTS.pop(name, None)
    else:
        _HINTS[name] = hint


def providers() -> tuple[str, ...]:
    """The registered providers' names (what `may_have_dues` depends on)."""
    return tuple(_PROVIDERS)


def may_have_dues(user_id: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether any provider may know a due date of the person: a column of a page's statement
    (true when a provider gave no hint)."""
    if set(_HINTS) != set(_PROVIDERS):
        return true()
    if not _HINTS:
        return false()
    return or_(*(hint(user_id) for hint in _HINTS.values()))


def _later(a: Due | None, b: Due | None) -> Due | None:
    if a is None or b is None:
        return a or b
    return b if b.due_at > a.due_at else a


def course_dues(session: Session, user_id: int, course_id: int, now: dt.datetime) -> CourseDues:
    """What every provider knows, the latest due date winning where two set the same work."""
    merged = NO_DUES
    for provider in _PROVIDERS.values():
        found = provider(session, user_id, course_id, now)
        if not found:
            continue
        items = dict(merged.items)
        for key, due in found.items.items():
            items[key] = _later(items.get(key), due) or due
        merged = CourseDues(course=_later(merged.course, found.course), items=items)
    return merged
