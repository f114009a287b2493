"""What the database keeps by itself for the learners page (migration 9b3f6d2e8c14's triggers):
an enrolment's `sort_name` and the course's funnel tallies follow writes that bypass the ORM and
the services — a Core INSERT, a rename, a bulk UPDATE, a DELETE — so they hold at head on both
databases (a batch migration that recreated a table would have dropped them)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.catalog.models import Course
from mooc.learning.analytics import FUNNEL, course_tally
from mooc.learning.models import Enrolment
from tests.factories import make_user


def _funnel(session: Session, course_id: int) -> list[int]:
    tally = course_tally(session, course_id)
    return [tally.get(name, 0) for name in FUNNEL]


def test_the_sort_name_and_the_funnel_follow_any_write(session: Session) -> None:
    course = session.scalars(select(Course).where(Course.slug == "toan-lop-6")).one()
    start = _funnel(session, course.id)
    an, binh = make_user(session, name="Nguyễn Văn An"), make_user(session, name="Lê Bình")
    session.execute(
        insert(Enrolment),
        [
            {"user_id": an.id, "course_id": course.id},
            {"user_id": binh.id, "course_id": course.id, "started": True, "progress": 60},
        ],
    )

    def kept(user: User) -> str | None:
        return session.scalar(
            select(Enrolment.sort_name).where(
                Enrolment.user_id == user.id, Enrolment.course_id == course.id
            )
        )

    assert kept(an) == "nguyễn văn an"  # capitals here are ASCII: lower() alike on both
    moved = [now - then for now, then in zip(_funnel(session, course.id), start, strict=True)]
    assert moved == [2, 1, 1, 0]  # enrolled, started, halfway, completed

    session.execute(update(User).where(User.id == binh.id).values(name="Trần Bình"))
    assert kept(binh) == "trần bình"
    session.execute(
        update(Enrolment)
        .where(Enrolment.course_id == course.id, Enrolment.user_id.in_([an.id, binh.id]))
        .values(started=True, progress=100, completed=True)
    )
    moved = [now - then for now, then in zip(_funnel(session, course.id), start, strict=True)]
    assert moved == [2, 2, 2, 2]
    session.execute(delete(Enrolment).where(Enrolment.user_id == an.id))
    moved = [now - then for now, then in zip(_funnel(session, course.id), start, strict=True)]
    assert moved == [1, 1, 1, 1]
