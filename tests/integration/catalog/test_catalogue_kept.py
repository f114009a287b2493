"""The catalogue is kept rendered (mooc.catalog.views.catalogue): what changes in the courses
shows at once, and each reader still gets their own header."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from mooc.authoring.services.courses import set_published
from mooc.catalog.models import Course
from mooc.catalog.queries import catalogue_stamp
from mooc.catalog.services import assign_teacher
from tests.factories import PASSWORD, make_user
from tests.helpers import login


def _course(session: Session, title: str) -> Course:
    return session.scalars(select(Course).where(Course.title == title)).one()


def _catalogue(client: FlaskClient, url: str = "/courses") -> str:
    return client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_unpublishing_and_publishing_a_course_shows_in_the_kept_catalogue_at_once(
    client: FlaskClient, session: Session
) -> None:
    course = _course(session, "Toán lớp 6")
    teacher = make_user(session, email="catalogue-teacher@example.org")
    assign_teacher(session, course, teacher.id)
    session.commit()
    for url in ("/courses", "/courses?q=toan"):
        assert "Toán lớp 6" in _catalogue(client, url)
        assert "Toán lớp 6" in _catalogue(client, url)  # kept now
    set_published(session, teacher, course, False)
    session.commit()
    for url in ("/courses", "/courses?q=toan"):
        assert "Toán lớp 6" not in _catalogue(client, url)
    set_published(session, teacher, course, True)
    session.commit()
    for url in ("/courses", "/courses?q=toan"):
        assert "Toán lớp 6" in _catalogue(client, url)


def test_a_new_subject_shows_in_the_kept_facets(client: FlaskClient, session: Session) -> None:
    assert 'value="astronomy"' not in _catalogue(client)
    course = _course(session, "Toán lớp 6")
    course.subject = "astronomy"
    session.commit()
    assert 'value="astronomy"' in _catalogue(client)


def test_each_reader_gets_their_own_header_on_the_kept_page(
    client: FlaskClient, session: Session
) -> None:
    school = _course(session, "Toán lớp 6").institution
    first = make_user(session, (school.slug, Role.STUDENT), email="an@example.org", name="Pupil An")
    second = make_user(
        session, (school.slug, Role.STUDENT), email="binh@example.org", name="Pupil Bình"
    )
    session.commit()
    login(client, "an@example.org", PASSWORD)
    page = _catalogue(client)
    assert "Pupil An" in page and f'data-user="{first.id}"' in page
    with client.session_transaction() as cookie:
        cookie.clear()
    login(client, "binh@example.org", PASSWORD)
    page = _catalogue(client)
    assert "Pupil Bình" in page and "Pupil An" not in page
    assert f'data-user="{second.id}"' in page
    with client.session_transaction() as cookie:
        cookie.clear()
    page = _catalogue(client)
    assert "Pupil" not in page and "data-user" not in page


def test_the_catalogues_stamp_is_read_from_the_end_of_an_index(session: Session) -> None:
    """Its cost does not grow with the courses: on PostgreSQL even with table scans made the
    planner's last resort, on SQLite as its plan says."""
    statement = select(func.max(Course.updated_at))
    assert catalogue_stamp(session) == session.scalar(statement)
    compiled = statement.compile(session.get_bind())
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = connection.exec_driver_sql(f"EXPLAIN {compiled}")
        plan = "\n".join(str(row[0]) for row in rows)
        connection.exec_driver_sql("RESET enable_seqscan")
    else:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
        plan = "\n".join(str(row[3]) for row in rows)
    assert "ix_course_updated_at" in plan, plan
