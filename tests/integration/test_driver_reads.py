"""A statement read through the driver's cursor (`mooc.driver_reads.OneRow`) gives the row
SQLAlchemy gives, is seen by the engine's cursor events, begins the connection's transaction as
an execute would, and fails as SQLAlchemy fails; on both databases (SQLite through SQLAlchemy)."""

from __future__ import annotations

import datetime as dt

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import Integer, bindparam, cast, create_engine, select, text
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.orm import Session

from mooc.accounts import signed_in
from mooc.accounts.models import Role
from mooc.catalog.models import CourseStatus
from mooc.driver_reads import OneRow
from mooc.learning import services as learning
from mooc.learning.queries import ordered_lectures, visits
from tests.factories import make_user, seed_course
from tests.querycount import counting

COURSE = "toan-lop-6"
ONE = OneRow(select(cast(bindparam("value", type_=Integer), Integer)), ("value",))


def _visit_values(session: Session) -> dict[str, object]:
    """A teacher and staff member enrolled in a course, one lecture viewed and one done."""
    person = make_user(session, ("thcs-ba-dinh", Role.TEACHER), ("dai-hoc-da-nang", Role.STAFF))
    course = seed_course(session, COURSE)
    learning.enrol(session, person, course)
    lectures = ordered_lectures(session, course)
    learning.record_view(session, person, lectures[1])
    session.commit()
    return {"slug": COURSE, "lecture_slug": lectures[1].slug, "user_id": person.id}


def test_a_row_read_through_the_driver_is_the_row_sqlalchemy_reads(session: Session) -> None:
    values = _visit_values(session)
    visit = visits._lecture_visit()
    connection = session.connection()
    expected = connection.execute(visit.statement, values).one()
    row = visit.first(connection, values)
    assert row == tuple(expected)
    # The same kinds of value, not only equal ones: an enum, UTC timestamps, the roles' flags.
    assert [type(value) for value in row] == [type(value) for value in expected]
    assert row[1] is CourseStatus.PUBLISHED
    stamps = [value for value in row if isinstance(value, dt.datetime)]
    assert stamps and all(value.utcoffset() == dt.timedelta(0) for value in stamps)
    names = dict(zip(visit.names, row, strict=True))
    assert names["person_id"] == values["user_id"]
    assert names["person_roles"] == signed_in.TEACHER | signed_in.STAFF  # no admin, no school


def test_no_row_is_none(session: Session) -> None:
    values = _visit_values(session)
    assert visits._lecture_visit().first(session.connection(), {**values, "slug": "none"}) is None


def test_the_lecture_visit_reads_the_person_and_their_reading(session: Session) -> None:
    values = _visit_values(session)
    found = visits.lecture_visit(
        session, COURSE, str(values["lecture_slug"]), int(str(values["user_id"]))
    )
    assert found is not None and found.person is not None
    assert found.person["person_id"] == values["user_id"]
    assert found.reading.enrolled and not found.reading.done
    assert found.reading.last_viewed_at is not None
    visitor = visits.lecture_visit(session, COURSE, str(values["lecture_slug"]), None)
    assert visitor is not None and visitor.person is None
    assert visitor.course.status is CourseStatus.PUBLISHED


def test_the_engines_cursor_events_see_the_statement(session: Session) -> None:
    values = _visit_values(session)
    connection = session.connection()
    with counting(connection.engine) as sent:
        visits._lecture_visit().first(connection, values)
    assert len(sent) == 1
    assert "FROM course" in sent.sql[0]


def test_a_first_statement_goes_alone_and_what_follows_begins_the_transaction(
    session: Session,
) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite reads through SQLAlchemy, whose execute begins it")
    with session.connection().engine.connect() as connection:
        assert not connection.in_transaction()
        assert ONE.first(connection, {"value": 5}) == (5,)
        assert connection.in_transaction()  # SQLAlchemy's, for what follows
        driver = connection.connection.driver_connection
        assert driver is not None
        # No BEGIN was sent (the server has no transaction open), and the driver is back to
        # beginning one.
        assert driver.info.transaction_status == TransactionStatus.IDLE
        assert not driver.autocommit
        connection.execute(text("SELECT 1"))
        assert driver.info.transaction_status == TransactionStatus.INTRANS
        assert ONE.first(connection, {"value": 6}) == (6,)  # within it
        assert driver.info.transaction_status == TransactionStatus.INTRANS
        connection.rollback()


def test_at_repeatable_read_the_first_statement_begins_the_transaction(session: Session) -> None:
    """There the first statement takes the transaction's snapshot: it must be within it."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite reads through SQLAlchemy, whose execute begins it")
    engine = session.connection().engine
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        assert ONE.first(connection, {"value": 5}) == (5,)
        driver = connection.connection.driver_connection
        assert driver is not None
        assert driver.info.transaction_status == TransactionStatus.INTRANS
        connection.rollback()


def test_a_bad_value_fails_as_sqlalchemy_fails_and_the_connection_stays(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite reads through SQLAlchemy, and casts 'x' to 0")
    statement = ONE
    connection = session.connection()
    savepoint = connection.begin_nested()
    with pytest.raises(DataError):
        statement.first(connection, {"value": "x"})
    savepoint.rollback()
    assert not connection.invalidated
    assert statement.first(connection, {"value": 7}) == (7,)


def test_a_lost_connection_is_invalidated(backend: str, fresh_database_url) -> None:  # type: ignore[no-untyped-def]
    if backend != "postgresql":
        pytest.skip("a server to lose: PostgreSQL's")
    engine = create_engine(fresh_database_url(backend))
    statement = ONE
    try:
        with engine.connect() as connection:
            assert statement.first(connection, {"value": 1}) == (1,)
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            connection.commit()  # the next read is a transaction's first: sent alone
            with engine.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            with pytest.raises(DBAPIError) as raised:
                statement.first(connection, {"value": 2})
            assert raised.value.connection_invalidated
            assert connection.invalidated
        with engine.connect() as connection:  # the pool gives a working connection again
            assert statement.first(connection, {"value": 3}) == (3,)
    finally:
        engine.dispose()
