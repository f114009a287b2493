"""What the database keeps by itself for the learners page (migration 9b3f6d2e8c14's triggers):
an enrolment's `sort_name` and the course's funnel tallies follow writes that bypass the ORM and
the services — a Core INSERT, a rename, a bulk UPDATE, a DELETE — so they hold at head on both
databases (a batch migration that recreated a table would have dropped them)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.bulk import insert_rows, reserve_ids
from mooc.catalog.models import Course
from mooc.db import utcnow
from mooc.learning.analytics import FUNNEL, course_tally, refresh_standing
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


def _learners(session: Session, count: int) -> list[int]:
    """`count` accounts written in one statement (no password hashed for each)."""
    ids = reserve_ids(session, User, count)
    session.execute(
        insert(User),
        [
            {
                "id": uid,
                "username": f"bulk.{uid}",
                "name": f"Học sinh {uid}",
                "password_hash": "x",
                "session_token": f"t{uid}",
                "created_at": utcnow(),
            }
            for uid in ids
        ],
    )
    return ids


def _courses(session: Session) -> list[Course]:
    slugs = ("toan-lop-6", "tieng-viet-lop-1")
    return list(session.scalars(select(Course).where(Course.slug.in_(slugs)).order_by(Course.id)))


def _moved(session: Session, course_id: int, start: list[int]) -> list[int]:
    return [now - then for now, then in zip(_funnel(session, course_id), start, strict=True)]


def test_the_funnel_follows_a_bulk_load_and_a_bulk_delete_across_courses(
    session: Session,
) -> None:
    """Rows written as `flask demo scale` writes them (COPY on PostgreSQL): many rows of two
    courses in one statement move each course's funnel by that course's rows alone."""
    first, second = _courses(session)
    starts = {c.id: _funnel(session, c.id) for c in (first, second)}
    ids = _learners(session, 30)
    rows = [
        {
            "user_id": uid,
            "course_id": (first if n % 3 else second).id,
            "active": True,
            "enrolled_at": utcnow(),
            "started": n % 2 == 0,
            "progress": 60 if n % 5 == 0 else 10,
            "completed": n % 10 == 0,
        }
        for n, uid in enumerate(ids)
    ]
    assert insert_rows(session, Enrolment, rows) == 30
    # n = 0..29: second course n % 3 == 0 (10 rows: n even 5, n % 5 == 0: 0, 15 -> 2 and
    # n % 10 == 0: 0 -> 1); the first the other 20.
    assert _moved(session, second.id, starts[second.id]) == [10, 5, 2, 1]
    assert _moved(session, first.id, starts[first.id]) == [20, 10, 4, 2]

    session.execute(delete(Enrolment).where(Enrolment.user_id.in_(ids)))
    assert _funnel(session, first.id) == starts[first.id]
    assert _funnel(session, second.id) == starts[second.id]


def _tally_writes(session: Session) -> int:
    """Rows of course_tally written so far in this transaction (PostgreSQL's counters)."""
    written = session.execute(
        text(
            "SELECT n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
            " WHERE relname = 'course_tally'"
        )
    ).scalar_one()
    return int(written)


def test_a_bulk_write_moves_each_tally_once_not_once_a_row(session: Session) -> None:
    """On PostgreSQL a tally moved once per enrolment within one transaction costs O(n²) (each
    move follows the row's earlier versions): a load of many enrolments moves each tally once,
    and a recount of the whole course's standing leaves the row trigger aside and recounts."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite moves tallies row by row (no statement triggers, no row versions)")
    course = _courses(session)[0]
    start = _funnel(session, course.id)
    ids = _learners(session, 200)
    before = _tally_writes(session)
    insert_rows(
        session,
        Enrolment,
        [
            {
                "user_id": uid,
                "course_id": course.id,
                "active": True,
                "enrolled_at": utcnow(),
                "started": True,
                "progress": 60,
            }
            for uid in ids
        ],
    )
    assert _tally_writes(session) - before == 3  # enrolled, started, halfway: once each
    assert _moved(session, course.id, start) == [200, 200, 200, 0]

    # Nothing studied: the recount takes every one of them back to not started, in one UPDATE.
    before = _tally_writes(session)
    refresh_standing(session, course.id, course.pass_mark)
    recount = _tally_writes(session) - before
    assert recount < 30  # the course's tallies deleted and written again, not 400 moves
    assert _moved(session, course.id, start) == [200, 0, 0, 0]

    # Afterwards the trigger moves the funnel again in the same transaction.
    session.execute(update(Enrolment).where(Enrolment.user_id == ids[0]).values(started=True))
    assert _moved(session, course.id, start) == [200, 1, 0, 0]
