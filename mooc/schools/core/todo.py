"""A pupil's "to do": where an assigned piece of work stands at a given moment, and in what
order the list shows it. Pure, so time-zone edges (a due time just after midnight) are tested
without an app.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from zoneinfo import ZoneInfo


class TodoState(enum.StrEnum):
    NOT_STARTED = "not_started"  # starts later: hidden from the pupil
    DONE = "done"  # finished by the due time, or there is none
    DONE_LATE = "done_late"  # finished, but after the due time
    LATE = "late"  # due time passed, not done
    DUE_TODAY = "due_today"  # due later today, in the pupil's time zone
    DUE_TOMORROW = "due_tomorrow"
    UPCOMING = "upcoming"  # due on a later day
    OPEN = "open"  # no due time


FINISHED = frozenset({TodoState.DONE, TodoState.DONE_LATE})


def finished_state(done_at: dt.datetime | None, due_at: dt.datetime | None) -> TodoState:
    """Done on time (or with no due time), or done late: finished strictly after the due time.
    An unknown finishing time counts as on time: nobody is marked late without evidence."""
    if due_at is not None and done_at is not None and done_at > due_at:
        return TodoState.DONE_LATE
    return TodoState.DONE


def todo_state(
    *,
    done: bool,
    starts_at: dt.datetime | None,
    due_at: dt.datetime | None,
    now: dt.datetime,
    zone: dt.tzinfo,
    done_at: dt.datetime | None = None,
) -> TodoState:
    """Where one assignment stands for one pupil; "today" and "tomorrow" are days where the
    pupil lives, not in UTC. `done_at` is when the work was finished (see `finished_state`)."""
    if done:
        return finished_state(done_at, due_at)
    if starts_at is not None and now < starts_at:
        return TodoState.NOT_STARTED
    if due_at is None:
        return TodoState.OPEN
    if due_at <= now:
        return TodoState.LATE
    today = now.astimezone(zone).date()
    due_day = due_at.astimezone(zone).date()
    if due_day == today:
        return TodoState.DUE_TODAY
    if due_day == today + dt.timedelta(days=1):
        return TodoState.DUE_TOMORROW
    return TodoState.UPCOMING


@dataclass(frozen=True)
class TodoEntry:
    """One assignment for one pupil; `ref` is whatever the caller needs to show it."""

    ref: object
    state: TodoState
    due_at: dt.datetime | None
    created_at: dt.datetime


T = TypeVar("T", bound=TodoEntry)

_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


def ordered(entries: Iterable[T]) -> list[T]:
    """Soonest due first (late ones lead, being due earliest); work without a due time last;
    ties by when the work was set."""
    return sorted(entries, key=lambda e: (e.due_at or _FAR, e.created_at))


def split_todo(entries: Sequence[T]) -> tuple[list[T], list[T]]:
    """(to do, done), each in list order; work not started yet is in neither."""
    visible = [e for e in entries if e.state is not TodoState.NOT_STARTED]
    return (
        ordered(e for e in visible if e.state not in FINISHED),
        ordered(e for e in visible if e.state in FINISHED),
    )


def latest_due(dues: Iterable[dt.datetime | None]) -> dt.datetime | None:
    """The due time that holds when several assignments set the same work: the latest one (the
    most generous teacher wins); work set without a due time adds none."""
    found = [due for due in dues if due is not None]
    return max(found) if found else None


def local_to_utc(local: dt.datetime, zone_name: str) -> dt.datetime:
    """A wall-clock time typed in a form, in the user's zone, as the UTC instant it means."""
    return local.replace(tzinfo=ZoneInfo(zone_name)).astimezone(dt.UTC)


def utc_to_local(moment: dt.datetime, zone_name: str) -> dt.datetime:
    """A stored instant as the naive wall-clock time a form shows in the user's zone."""
    return moment.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)
