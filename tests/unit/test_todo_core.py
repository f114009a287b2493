"""The pure rules of a pupil's to-do list: states across time zones, order, local times."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from mooc.schools.core.todo import (
    TodoEntry,
    TodoState,
    latest_due,
    local_to_utc,
    split_todo,
    todo_state,
    utc_to_local,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")  # UTC+7
UTC = dt.UTC


def _at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def _state(
    due: dt.datetime | None, now: dt.datetime, zone: dt.tzinfo = VN, **kw: object
) -> TodoState:
    return todo_state(
        done=bool(kw.get("done")),
        starts_at=kw.get("starts_at"),  # type: ignore[arg-type]
        due_at=due,
        now=now,
        zone=zone,
        done_at=kw.get("done_at"),  # type: ignore[arg-type]
    )


def test_today_and_tomorrow_are_days_where_the_pupil_lives() -> None:
    now = _at(2026, 12, 4, 16, 30)  # 23:30 on 4 December in Vietnam
    due = _at(2026, 12, 4, 17, 30)  # 00:30 on 5 December in Vietnam, still the 4th in UTC
    assert _state(due, now, VN) is TodoState.DUE_TOMORROW
    assert _state(due, now, UTC) is TodoState.DUE_TODAY
    assert _state(_at(2026, 12, 4, 16, 45), now, VN) is TodoState.DUE_TODAY
    assert _state(_at(2026, 12, 6, 1, 0), now, VN) is TodoState.UPCOMING


def test_late_done_open_and_not_started() -> None:
    now = _at(2026, 12, 4, 10, 0)
    assert _state(_at(2026, 12, 4, 9, 59), now) is TodoState.LATE
    assert _state(now, now) is TodoState.LATE  # due this very minute: the time is up
    assert _state(_at(2026, 12, 4, 9, 0), now, done=True) is TodoState.DONE
    assert _state(None, now) is TodoState.OPEN
    assert _state(None, now, starts_at=_at(2026, 12, 5)) is TodoState.NOT_STARTED


def test_done_after_the_due_time_is_done_late() -> None:
    now = _at(2026, 12, 4, 10, 0)
    due = _at(2026, 12, 3, 17, 0)  # midnight in Vietnam
    late = _at(2026, 12, 3, 17, 1)
    assert _state(due, now, done=True, done_at=late) is TodoState.DONE_LATE
    assert _state(due, now, done=True, done_at=due) is TodoState.DONE  # on the minute
    assert _state(due, now, done=True, done_at=None) is TodoState.DONE  # no evidence of lateness
    assert _state(None, now, done=True, done_at=late) is TodoState.DONE  # no due time


def test_latest_due_ignores_work_set_without_one() -> None:
    assert latest_due([None, _at(2026, 12, 3), _at(2026, 12, 1)]) == _at(2026, 12, 3)
    assert latest_due([None]) is None and latest_due([]) is None


def test_the_list_leads_with_late_work_and_hides_what_has_not_started() -> None:
    made = _at(2026, 12, 1)
    entries = [
        TodoEntry("no due", TodoState.OPEN, None, made),
        TodoEntry("later", TodoState.UPCOMING, _at(2026, 12, 9), made),
        TodoEntry("late", TodoState.LATE, _at(2026, 12, 2), made),
        TodoEntry("soon", TodoState.DUE_TODAY, _at(2026, 12, 4, 12), made),
        TodoEntry("hidden", TodoState.NOT_STARTED, _at(2026, 12, 3), made),
        TodoEntry("done", TodoState.DONE, _at(2026, 12, 3), made),
        TodoEntry("done late", TodoState.DONE_LATE, _at(2026, 12, 2), made),
    ]
    pending, done = split_todo(entries)
    assert [e.ref for e in pending] == ["late", "soon", "later", "no due"]
    assert [e.ref for e in done] == ["done late", "done"]


def test_local_times_round_trip() -> None:
    typed = dt.datetime(2026, 12, 5, 7, 30)  # 07:30 in Hanoi
    moment = local_to_utc(typed, "Asia/Ho_Chi_Minh")
    assert moment == _at(2026, 12, 5, 0, 30)
    assert utc_to_local(moment, "Asia/Ho_Chi_Minh") == typed
    assert local_to_utc(typed, "Europe/Paris") == _at(2026, 12, 5, 6, 30)
