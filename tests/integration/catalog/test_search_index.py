"""Catalogue search through the search index (SQLite FTS5 trigram table, PostgreSQL pg_trgm):
the same courses in the same order as a plain LIKE on the folded text, the index kept in step
with every write, and the database's plan reading it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from mooc.accounts.queries import get_institution
from mooc.catalog.models import Course, CourseStatus, Level
from mooc.catalog.queries import CourseFilter, published_courses
from mooc.catalog.services import refresh_search_text
from mooc.extensions import db
from mooc.folding import fold_terms
from mooc.search_index import escape_like
from tests.search_plans import plan, searches, settle

QUERIES = [
    "toan",
    "TOÁN lớp 6",
    "vat ly",
    "vật lý 10",
    "vat li",
    "dai hoc mo",
    "đại học",
    "lop",
    "6",
    "ly",
    "a",
    "lí 10",
    "lap trinh",
    "co so du lieu",
    "xac suat thong ke",
    "x_y",
    "_",
    "xyz",
    "",
]


def slugs(session: Session, q: str) -> list[str]:
    return [c.slug for c in published_courses(session, CourseFilter(q=q), per_page=500).items]


def like_only(session: Session, q: str) -> list[str]:
    """What the catalogue found before the index: every term LIKE'd, in the catalogue's order."""
    stmt = select(Course.slug).where(Course.status == CourseStatus.PUBLISHED)
    for term in fold_terms(q)[:10]:
        stmt = stmt.where(Course.search_text.like(f"%{escape_like(term)}%", escape="\\"))
    order = (Course.level, Course.grade, Course.code, Course.title)
    return list(session.scalars(stmt.order_by(*order)))


def add_course(session: Session, slug: str, title: str) -> Course:
    course = Course(
        slug=slug,
        institution=get_institution(session, "thcs-ba-dinh"),
        title=title,
        description="",
        outcomes=[],
        language="vi",
        level=Level.K12,
        grade=7,
        subject="math",
        status=CourseStatus.PUBLISHED,
        published_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
    )
    session.add(course)
    refresh_search_text(course)
    session.flush()
    return course


@pytest.fixture
def underscored(session: Session) -> None:
    """A course whose title holds an underscore, and one a LIKE wildcard `_` would match too."""
    add_course(session, "bien-x-y", "Biến x_y trong Python")
    add_course(session, "xay-dung", "Xay dựng mô hình")


@pytest.mark.usefixtures("underscored")
@pytest.mark.parametrize("q", QUERIES)
def test_indexed_search_finds_what_like_found_in_the_same_order(session: Session, q: str) -> None:
    assert slugs(session, q) == like_only(session, q)


def test_diacritics_i_y_and_d_stroke_through_the_index(session: Session) -> None:
    assert "toan-lop-6" in slugs(session, "toan")
    assert "toan-lop-6" in slugs(session, "Toán")
    for q in ("vat ly", "vật lý", "vat li", "vật lí"):
        assert slugs(session, q) == ["vat-ly-lop-10"], q
    assert len(slugs(session, "dai hoc mo")) >= 2  # Đại học Mở Hà Nội's courses


def test_short_terms_go_with_long_ones(session: Session) -> None:
    """Terms under three characters (which a trigram index cannot answer) still narrow."""
    assert slugs(session, "ly 10") == ["vat-ly-lop-10"]
    assert slugs(session, "toan 6") == ["toan-lop-6"]
    assert slugs(session, "toan 99") == []


@pytest.mark.usefixtures("underscored")
def test_percent_and_underscore_are_literal(session: Session) -> None:
    assert slugs(session, "x_y") == ["bien-x-y"]  # three characters: the index
    assert slugs(session, "_") == ["bien-x-y"]  # one character: LIKE, escaped
    assert "xay-dung" in slugs(session, "xay")
    assert slugs(session, "50%") == slugs(session, "50")  # % is not a word character


def test_the_index_follows_inserts_renames_and_deletes(session: Session) -> None:
    course = add_course(session, "hinh-hoc-7", "Hình học phẳng")
    assert slugs(session, "hinh hoc phang") == ["hinh-hoc-7"]
    course.title = "Đại số tuyến tính"
    refresh_search_text(course)
    session.flush()
    assert slugs(session, "hinh hoc phang") == []
    assert slugs(session, "dai so tuyen") == ["hinh-hoc-7"]
    session.execute(update(Course).where(Course.id == course.id).values(search_text="quokka zebra"))
    assert slugs(session, "okka zebr") == ["hinh-hoc-7"]
    assert slugs(session, "dai so tuyen") == []
    institution_id = course.institution_id
    session.execute(delete(Course).where(Course.id == course.id))
    assert slugs(session, "okka zebr") == []
    session.execute(
        insert(Course),
        [
            {
                "slug": "bulk-hinh",
                "institution_id": institution_id,
                "title": "Bulk",
                "language": "vi",
                "level": Level.K12,
                "grade": 7,
                "subject": "math",
                "status": CourseStatus.PUBLISHED,
                "search_text": "hinh khoi wombat",
            }
        ],
    )
    assert slugs(session, "khoi womb") == ["bulk-hinh"]
    if session.get_bind().dialect.name == "sqlite":
        # FTS5 compares its index with the table it indexes and fails loudly on a difference.
        check = "INSERT INTO course_search(course_search, rank) VALUES ('integrity-check', 1)"
        session.execute(text(check))


def many_courses(session: Session, count: int = 3000) -> None:
    """Enough published courses that reading them all costs more than reading the index, and
    statistics that say so."""
    institution_id = get_institution(session, "thcs-ba-dinh").id
    rows = [
        {
            "slug": f"many-{n}",
            "institution_id": institution_id,
            "title": f"Many {n}",
            "language": "vi",
            "level": Level.K12,
            "grade": 1 + n % 12,
            "subject": "math",
            "status": CourseStatus.PUBLISHED,
            "search_text": f"khoa hoc so {n} tu nhien xa hoi {n * 7919 % 10007}",
        }
        for n in range(count)
    ]
    session.execute(insert(Course), rows)
    settle(session)


def test_the_plan_reads_the_index(session: Session) -> None:
    many_courses(session)
    with searches(db.engine) as sent:
        slugs(session, "toan lop")
    assert sent, "no search statement was sent"
    found = plan(session, *sent[-1])
    if session.get_bind().dialect.name == "sqlite":
        assert "course_search VIRTUAL TABLE" in found, found
    else:
        assert "ix_course_search_text_trgm" in found, found


def test_on_sqlite_a_short_term_alone_does_not_use_the_fts_table(session: Session) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the FTS5 table is SQLite's")
    with searches(db.engine) as sent:
        slugs(session, "ly")
    assert all("course_search" not in statement for statement, _ in sent)
    assert sent and "LIKE" in sent[-1][0]
