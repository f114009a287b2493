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
    DONE = "done"
    LATE = "late"  # due time passed, not done
    DUE_TODAY = "due_today"  # due later today, in the pupil's time zone
    DUE_TOMORROW = "due_tomorrow"
    UPCOMING = "upcoming"  # due on a later day
    OPEN = "open"  # no due time


def todo_state(
    *,
    done: bool,
    starts_at: dt.datetime | None,
    due_at: dt.datetime | None,
    now: dt.datetime,
    zone: dt.tzinfo,
) -> TodoState:
    """Where one assignment stands for one pupil; "today" and "tomorrow" are days where the
    pupil lives, not in UTC."""
    if done:
        return TodoState.DONE
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
        ordered(e for e in visible if e.state is not TodoState.DONE),
        ordered(e for e in visible if e.state is TodoState.DONE),
    )


def local_to_utc(local: dt.datetime, zone_name: str) -> dt.datetime:
    """A wall-clock time typed in a form, in the user's zone, as the UTC instant it means."""
    return local.replace(tzinfo=ZoneInfo(zone_name)).astimezone(dt.UTC)


def utc_to_local(moment: dt.datetime, zone_name: str) -> dt.datetime:
    """A stored instant as the naive wall-clock time a form shows in the user's zone."""
    return moment.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)
