"""Catalogue and people search on a large data set, before and after the search indexes.

Builds, with bulk inserts (COPY on PostgreSQL), 100,000 people of one school and 7,000 published
courses with Vietnamese titles and descriptions, in a SQLite file and (with `--pg URL` or
MOOC_TEST_DATABASE_URL) a PostgreSQL database. Then, for each query, the median and p95 time:

- before: the statements the code sent before the indexes (a LIKE on the folded course text; for
  people `lower(name) LIKE … OR email LIKE … OR username LIKE …`), with PostgreSQL's trigram
  indexes dropped inside a rolled-back transaction, so both read every row as they did;
- after: the code as it is (`published_courses`, `search_people`, the administrator's `people`).

    .venv/bin/python bench/search.py [--users 100000] [--courses 7000] [--runs 15] [--pg URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, func, insert, or_, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import mooc.models  # noqa: E402,F401  (every mapper, for the relationships)
from mooc.accounts.core.search_text import person_search_text  # noqa: E402
from mooc.accounts.models import Institution, InstitutionKind, Membership, Role, User  # noqa: E402
from mooc.accounts.queries import people  # noqa: E402
from mooc.catalog.core.search_text import course_search_text  # noqa: E402
from mooc.catalog.models import Course, CourseStatus, Level  # noqa: E402
from mooc.catalog.queries import CourseFilter, published_courses  # noqa: E402
from mooc.folding import fold, fold_terms  # noqa: E402
from mooc.migrate import upgrade  # noqa: E402
from mooc.schools.queries.directory import SEARCH_LIMIT, search_people  # noqa: E402
from mooc.search_index import TRIGRAM_INDEXES, escape_like  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
FAMILY += ["Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu", "Quang", "Hữu", "Thanh", "Gia", "Bảo"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hằng", "Hiếu", "Hoa", "Hùng"]
GIVEN += ["Khánh", "Khôi", "Lan", "Linh", "Long", "Mai", "Nam", "Ngân", "Phong", "Phúc", "Quân"]
GIVEN += ["Sơn", "Tâm", "Thảo", "Trang", "Trung", "Tú", "Tuấn", "Uyên", "Việt", "Vy", "Yến"]
SUBJECTS = {
    "math": ("Toán", "Mathematics"),
    "physics": ("Vật lí", "Physics"),
    "chemistry": ("Hóa học", "Chemistry"),
    "biology": ("Sinh học", "Biology"),
    "literature": ("Ngữ văn", "Literature"),
    "history": ("Lịch sử", "History"),
    "geography": ("Địa lí", "Geography"),
    "english": ("Tiếng Anh", "English"),
    "informatics": ("Tin học", "Informatics"),
}
TOPICS = ["số tự nhiên", "phân số", "hình học phẳng", "chuyển động", "năng lượng", "tế bào"]
TOPICS += ["phản ứng hóa học", "thơ Đường", "cách mạng tháng Tám", "khí hậu", "ngữ pháp"]
TOPICS += ["lập trình Python", "cơ sở dữ liệu", "xác suất", "đạo hàm", "di truyền", "điện từ"]
WORDS = ["bài học", "luyện tập", "ví dụ", "thực hành", "kiểm tra", "ôn tập", "dự án", "khám phá"]
WORDS += ["học sinh", "giáo viên", "sách giáo khoa", "chương", "mục tiêu", "kĩ năng", "tỉ lệ"]

COURSE_QUERIES = ["toan", "vat ly", "hoa hoc lop 10", "lap trinh python", "ly", "xyzzy"]
PEOPLE_QUERIES = ["nguyen", "tran thi lan", "hoang khoi 7a3", "p012345@", "vy", "zzz"]


def _people_rows(count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    for n in range(count):
        family, middle, given = rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN)
        name = f"{family} {middle} {given}"
        username = f"{fold(given)}.{fold(family)}.{6 + n % 4}a{1 + n % 9}.{n}"
        email = f"p{n:06d}@school.test" if n % 3 == 0 else None
        yield {
            "email": email,
            "username": username,
            "name": name,
            "password_hash": "!",
            "session_token": f"s{n}",
            "is_active": True,
            "must_change_password": False,
            "search_text": person_search_text(name, username, email),
        }


def _course_rows(count: int, institution_id: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    for n in range(count):
        subject = rng.choice(list(SUBJECTS))
        grade = 1 + n % 12
        title = f"{SUBJECTS[subject][0]} lớp {grade}: {rng.choice(TOPICS)} ({n})"
        description = " ".join(rng.choice(WORDS + TOPICS) for _ in range(40))
        yield {
            "slug": f"course-{n}",
            "institution_id": institution_id,
            "title": title,
            "description": description,
            "description_html": "",
            "outcomes": [],
            "pass_mark": 50,
            "language": "vi",
            "level": Level.K12,
            "grade": grade,
            "subject": subject,
            "status": CourseStatus.PUBLISHED,
            "search_text": course_search_text(
                title=title,
                code=None,
                subject=subject,
                subject_labels=SUBJECTS[subject],
                institution="Trường THCS Thử Nghiệm",
                description=description,
                outcomes=[],
            ),
        }


def _bulk(session: Session, model: type[Any], rows: Iterator[dict[str, Any]]) -> None:
    """Rows in by COPY on PostgreSQL, by executemany on SQLite, 10,000 at a time."""
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == 10_000:
            _write(session, model, batch)
            batch = []
    _write(session, model, batch)


def _write(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(model), rows)
        return
    table = model.__table__
    names = list(rows[0])
    binds = [table.c[n].type.bind_processor(connection.dialect) or (lambda v: v) for n in names]
    driver = connection.connection.driver_connection
    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([b(row[n]) for b, n in zip(binds, names, strict=True)])


def build(engine: Engine, users: int, courses: int) -> int:
    """The school's id, after filling the database."""
    rng = random.Random(14)
    started = time.perf_counter()
    with Session(engine) as session:
        school = Institution(
            slug="thcs-thu-nghiem", name="THCS Thử Nghiệm", kind=InstitutionKind.SCHOOL
        )
        session.add(school)
        session.flush()
        _bulk(session, User, _people_rows(users, rng))
        ids = session.scalars(select(User.id)).all()
        _bulk(
            session,
            Membership,
            ({"user_id": i, "institution_id": school.id, "role": Role.STUDENT} for i in ids),
        )
        _bulk(session, Course, _course_rows(courses, school.id, rng))
        session.commit()
        school_id = school.id
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    print(f"  built {users:,} people, {courses:,} courses in {time.perf_counter() - started:.1f} s")
    return school_id


def old_courses(session: Session, q: str) -> SimpleNamespace:
    """The catalogue's statement before the index (and its count, as the page sent it)."""
    stmt = select(Course).where(Course.status == CourseStatus.PUBLISHED)
    for term in fold_terms(q)[:10]:
        stmt = stmt.where(Course.search_text.like(f"%{escape_like(term)}%", escape="\\"))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    order = (Course.level, Course.grade, Course.code, Course.title)
    return SimpleNamespace(
        total=total, items=list(session.scalars(stmt.order_by(*order).limit(12)))
    )


def old_people(session: Session, school_id: int, q: str) -> list[Any]:
    """The school's people search before the search line (`lower(name)` etc.)."""
    like = f"%{q.strip().lower()}%"
    members = select(Membership.user_id).where(Membership.institution_id == school_id)
    return list(
        session.scalars(
            select(User)
            .where(
                User.id.in_(members),
                or_(
                    func.lower(User.name).like(like),
                    User.email.like(like),
                    User.username.like(like),
                ),
            )
            .order_by(User.name)
            .limit(SEARCH_LIMIT)
        )
    )


def old_admin(session: Session, q: str) -> SimpleNamespace:
    like = f"%{q.strip().lower()}%"
    stmt = select(User).where(
        func.lower(User.email).like(like)
        | User.username.like(like)
        | func.lower(User.name).like(like)
    )
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    order = (func.coalesce(User.email, User.username), User.id)
    return SimpleNamespace(
        total=total, items=list(session.scalars(stmt.order_by(*order).limit(25)))
    )


def timed(call: Callable[[], Any], runs: int) -> tuple[float, float, int]:
    """Median and p95 in ms over `runs` calls (after one warm-up), and what the last found (the
    total of a paged list, else the rows)."""
    found = call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        found = call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    count = found.total if hasattr(found, "total") else len(found)
    return statistics.median(times), p95, count


@contextmanager
def without_indexes(session: Session) -> Iterator[None]:
    """PostgreSQL's trigram indexes dropped for the length of a transaction (rolled back)."""
    if session.get_bind().dialect.name == "postgresql":
        for index in sorted(TRIGRAM_INDEXES):
            session.execute(text(f"DROP INDEX IF EXISTS {index}"))
    try:
        yield
    finally:
        session.rollback()


def measure(engine: Engine, school_id: int, runs: int) -> None:
    cases: list[tuple[str, str, Callable[[Session], Any], Callable[[Session], Any]]] = []
    for q in COURSE_QUERIES:
        cases.append(
            (
                "catalogue",
                q,
                lambda s, q=q: old_courses(s, q),
                lambda s, q=q: published_courses(s, CourseFilter(q=q)),
            )
        )
    for q in PEOPLE_QUERIES:
        school = Institution(id=school_id)
        cases.append(
            (
                "school people",
                q,
                lambda s, q=q: old_people(s, school_id, q),
                lambda s, q=q, school=school: search_people(s, school, q),
            )
        )
        cases.append(
            ("admin people", q, lambda s, q=q: old_admin(s, q), lambda s, q=q: people(s, query=q))
        )
    print(
        f"  {'search':<14} {'query':<20} {'before ms (p95)':>17} {'rows':>6}  {'after ms (p95)':>16} {'rows':>6} {'×':>7}"
    )
    for kind, q, before, after in cases:
        with Session(engine) as session, without_indexes(session):
            b_med, b_p95, b_rows = timed(partial(before, session), runs)
        with Session(engine) as session:
            a_med, a_p95, a_rows = timed(partial(after, session), runs)
        print(
            f"  {kind:<14} {q:<20} {b_med:8.1f} ({b_p95:6.1f}) {b_rows:>6}  "
            f"{a_med:7.1f} ({a_p95:6.1f}) {a_rows:>6} {b_med / a_med:6.1f}×"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--courses", type=int, default=7_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pg", default=os.environ.get("MOOC_TEST_DATABASE_URL", ""))
    parser.add_argument("--sqlite", help="a SQLite file to keep; one already built is reused")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = Path(args.sqlite or f"{tmp}/search.sqlite3").resolve()
        targets = [("SQLite", f"sqlite:///{sqlite}", None)]
        if args.no_pg:
            args.pg = ""
        if args.pg:
            name = f"mooc_bench_search_{uuid.uuid4().hex[:8]}"
            admin = create_engine(f"{args.pg.rstrip('/')}/postgres", isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            targets.append(("PostgreSQL", f"{args.pg.rstrip('/')}/{name}", (admin, name)))
        try:
            for label, url, _ in targets:
                print(f"{label}:")
                built = label == "SQLite" and sqlite.exists()
                upgrade(url)
                engine = create_engine(url)
                if built:
                    with Session(engine) as session:
                        school_id = session.scalars(select(Institution.id)).one()
                else:
                    school_id = build(engine, args.users, args.courses)
                measure(engine, school_id, args.runs)
                engine.dispose()
        finally:
            for _, _, pg in targets:
                if pg is not None:
                    admin, name = pg
                    with admin.connect() as conn:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    admin.dispose()


if __name__ == "__main__":
    main()
