"""The pages of issue #14's point 1 on a larger data set: the teacher's learners page (by name
and by progress) and its CSV for a course of N learners, and a university's request queue with N
pending items. Prints each page's median and p95 in ms, its SQL statements and its size.

The data is built once (bulk inserts) in a SQLite file or a PostgreSQL database; `--tree` then
times it with the code of other checkouts too, each in its own process, so two versions are
compared on the same data in one run:

    .venv/bin/python bench/budgets.py [--learners 5000] [--runs 10] [--pg URL] \\
        [--tree /work/main --tree .]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
PASSWORD = "bench-password-123"
START = dt.datetime(2026, 9, 7, 8, 0, tzinfo=dt.UTC)
COURSE = "toan-lop-6"
UNIVERSITY = "dai-hoc-da-nang"


def _app(tree: Path, instance: Path, url: str) -> Any:
    sys.path.insert(0, str(tree))
    from mooc.factory import create_app
    from mooc.settings import Settings

    settings = Settings(
        env="testing",
        instance_path=instance,
        secret_key="bench-" + "x" * 40,
        database_url=url,
        storage_url=f"file://{instance / 'media'}",
        extra={"ratelimit": False},
    )
    return create_app(settings=settings)


def build(url: str, instance: Path, learners: int) -> None:
    """Migrate, import content/, and add the learners, the items, a teacher and a staff member."""
    tree = HERE.parent.parent
    sys.path.insert(0, str(tree))
    from sqlalchemy import insert, select, text

    from mooc.accounts.models import Membership, Role, User
    from mooc.accounts.passwords import hash_password
    from mooc.accounts.queries import get_institution
    from mooc.assessment.models import AttemptPolicy, Quiz, QuizAttempt
    from mooc.authoring.core.package_format import load_tree
    from mooc.authoring.packages.importing import import_tree
    from mooc.catalog.models import Course, CourseTeacher
    from mooc.extensions import db
    from mooc.learning.models import Completion, Enrolment, LectureProgress
    from mooc.learning.queries import ordered_lectures
    from mooc.migrate import upgrade
    from mooc.transfer.models import ItemState, RequestItem, TransferRequest

    upgrade(url)
    app = _app(tree, instance, url)
    with app.app_context():
        session = db.session
        import_tree(session, app.extensions["mooc_storage"], load_tree(tree / "content"))
        secret = hash_password(PASSWORD)

        def people(prefix: str, count: int) -> list[int]:
            session.execute(
                insert(User),
                [
                    {
                        "email": f"{prefix}{n}@bench.test",
                        "password_hash": secret,
                        "name": f"{prefix.title()} {n:05d}",
                        "session_token": f"{prefix}{n}",
                        "locale": "en",
                    }
                    for n in range(count)
                ],
            )
            found = dict(
                session.execute(
                    select(User.email, User.id).where(User.email.like(f"{prefix}%@bench.test"))
                ).all()
            )
            return [found[f"{prefix}{n}@bench.test"] for n in range(count)]

        course = session.scalars(select(Course).where(Course.slug == COURSE)).one()
        lectures = ordered_lectures(session, course)
        quizzes = session.scalars(select(Quiz).where(Quiz.course_id == course.id)).all()
        (teacher,) = people("teacher", 1)
        session.add(CourseTeacher(course_id=course.id, user_id=teacher))
        session.add(
            Membership(
                user_id=teacher,
                institution_id=get_institution(session, "thcs-ba-dinh").id,
                role=Role.TEACHER,
            )
        )
        ids = people("learner", learners)
        enrol, progress, attempts, done = [], [], [], []
        for n, user_id in enumerate(ids):
            kind = n % 4  # idle, started, halfway, completed
            enrol.append(
                {
                    "user_id": user_id,
                    "course_id": course.id,
                    "last_activity_at": START + dt.timedelta(minutes=n),
                }
            )
            seen = lectures[: (n % len(lectures)) + 1] if kind else []
            for lecture in seen:
                progress.append(
                    {
                        "user_id": user_id,
                        "lecture_id": lecture.id,
                        "course_id": course.id,
                        "done_at": START if kind >= 2 else None,
                    }
                )
            if kind >= 2:
                for quiz in quizzes:
                    score = float(n % 101)
                    attempts.append(
                        {
                            "user_id": user_id,
                            "quiz_id": quiz.id,
                            "course_id": course.id,
                            "number": 1,
                            "quiz_revision": 1,
                            "pass_mark": quiz.pass_mark,
                            "policy": AttemptPolicy.BEST,
                            "questions": [],
                            "submitted_at": START,
                            "score": score,
                        }
                    )
            if kind == 3:
                done.append(
                    {
                        "user_id": user_id,
                        "course_id": course.id,
                        "final_grade": 90.0,
                        "lecture_versions": [],
                        "quiz_attempts": [],
                        "pass_mark": course.pass_mark,
                    }
                )
        for model, rows in (
            (Enrolment, enrol),
            (LectureProgress, progress),
            (QuizAttempt, attempts),
            (Completion, done),
        ):
            for start in range(0, len(rows), 2000):
                session.execute(insert(model), rows[start : start + 2000])
        university = get_institution(session, UNIVERSITY)
        (staff,) = people("staff", 1)
        session.add(Membership(user_id=staff, institution_id=university.id, role=Role.STAFF))
        students = people("student", learners)
        session.execute(
            insert(TransferRequest),
            [{"student_id": s, "institution_id": university.id} for s in students],
        )
        requests = dict(
            session.execute(
                select(TransferRequest.student_id, TransferRequest.id).where(
                    TransferRequest.institution_id == university.id
                )
            ).all()
        )
        document = json.dumps({"proof": "x" * 400})  # a signed record is a few KiB
        items = [
            {
                "request_id": requests[s],
                "institution_id": university.id,
                "student_id": s,
                "source_id": f"urn:uuid:{uuid.uuid4()}",
                "document": document,
                "name": f"Record {n:05d}",
                "issuer_did": "did:web:bench.test",
                "state": ItemState.PENDING,
                "created_at": START + dt.timedelta(minutes=n),
            }
            for n, s in enumerate(students)
        ]
        for start in range(0, len(items), 2000):
            session.execute(insert(RequestItem), items[start : start + 2000])
        session.commit()
    # Statistics for the planner, as a database that has lived a while has them.
    with app.app_context(), db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()


def timing(tree: Path, url: str, instance: Path, runs: int) -> dict[str, Any]:
    """Each page's median, p95, statements and bytes with the code of `tree`."""
    app = _app(tree, instance, url)
    from sqlalchemy import event

    from mooc.extensions import db

    with app.app_context():
        engine = db.engine
    results: dict[str, Any] = {}
    for who, paths in (
        (
            "teacher",
            [
                f"/teach/courses/{COURSE}/learners",
                f"/teach/courses/{COURSE}/learners?sort=progress&dir=desc&page=3",
                f"/teach/courses/{COURSE}/learners.csv",
            ],
        ),
        ("staff", [f"/university/{UNIVERSITY}"]),
    ):
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        client.post(
            "/login",
            data={"email": f"{who}0@bench.test", "password": PASSWORD, "csrf_token": token},
        )
        for path in paths:
            statements: list[str] = []

            def count(*args: object, into: list[str] = statements) -> None:
                into.append(str(args[2]))

            event.listen(engine, "before_cursor_execute", count)
            first = client.get(path)
            size = len(first.get_data())
            first.close()  # a streamed response ends its request (and transaction) on close
            event.remove(engine, "before_cursor_execute", count)
            assert first.status_code == 200, (path, first.status_code)
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                response = client.get(path)
                response.get_data()
                response.close()
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            results[path] = {
                "median": statistics.median(times),
                "p95": times[min(len(times) - 1, round(0.95 * len(times)) - 1)],
                "statements": len(statements),
                "kib": size / 1024,
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pg", default=os.environ.get("MOOC_TEST_DATABASE_URL", ""))
    parser.add_argument("--tree", action="append", default=[])
    parser.add_argument("--time-only", nargs=2, metavar=("URL", "INSTANCE"))
    args = parser.parse_args()
    if args.time_only:
        url, instance = args.time_only
        tree = Path(args.tree[0]).resolve()
        print(json.dumps(timing(tree, url, Path(instance), args.runs)))
        return
    trees = [Path(t).resolve() for t in args.tree] or [HERE.parent.parent]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.pg:
            from sqlalchemy import create_engine, text

            name = f"mooc_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(f"{args.pg.rstrip('/')}/postgres", isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = f"{args.pg.rstrip('/')}/{name}"
        else:
            url = f"sqlite:///{root / 'bench.sqlite3'}"
        try:
            t0 = time.perf_counter()
            build(url, root, args.learners)
            print(
                f"{args.learners} learners and {args.learners} pending items on "
                f"{url.split(':')[0]}, built in {time.perf_counter() - t0:.1f} s"
            )
            for tree in trees:
                out = subprocess.run(
                    [
                        sys.executable,
                        str(HERE),
                        "--time-only",
                        url,
                        str(root),
                        "--tree",
                        str(tree),
                        "--runs",
                        str(args.runs),
                    ],
                    check=True,
                    stdout=subprocess.PIPE,
                    text=True,
                    cwd=tree,
                ).stdout
                for path, r in json.loads(out.splitlines()[-1]).items():
                    print(
                        f"{tree.name:8} {path:58} median {r['median']:7.1f} ms  "
                        f"p95 {r['p95']:7.1f} ms  {r['statements']:3d} statements  "
                        f"{r['kib']:7.0f} KiB"
                    )
        finally:
            if args.pg:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
