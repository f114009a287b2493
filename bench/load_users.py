"""The accounts a load test signs in with, read from a database made by `flask demo scale`:
pupils (spread over the whole set) with the courses they are enrolled in, their lectures and
quizzes; homeroom teachers with their class; the teacher of every course; the university's staff.
Prints JSON (or writes it to --out) for bench/load.py.

    .venv/bin/python bench/load_users.py DATABASE_URL [--pupils 1000] [--teachers 100]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select  # noqa: E402

from mooc.accounts.models import User  # noqa: E402
from mooc.assessment.models import Quiz  # noqa: E402
from mooc.catalog.models import Course, Lecture, Section  # noqa: E402
from mooc.demo.scale.generate import (  # noqa: E402
    BIG_COURSE,
    COURSE_TEACHER_EMAIL,
    SCALE_PASSWORD,
    STAFF_EMAIL,
    UNIVERSITY_SLUG,
)
from mooc.learning.models import Enrolment  # noqa: E402
from mooc.schools.models import ClassMember, ClassRole  # noqa: E402


def list_users(url: str, pupils: int = 1000, teachers: int = 100) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            total = (
                conn.scalar(
                    select(func.count()).select_from(User).where(User.username.like("hs.%"))
                )
                or 0
            )
            if not total:
                raise SystemExit("no generated pupils here: run `flask demo scale` first")
            step = max(1, total // pupils)
            names = [f"hs.{n:07d}" for n in range(1, total + 1, step)][:pupils]
            ids = dict(
                conn.execute(select(User.username, User.id).where(User.username.in_(names))).all()
            )
            enrolled: dict[int, list[str]] = defaultdict(list)
            for user_id, slug in conn.execute(
                select(Enrolment.user_id, Course.slug)
                .join(Course, Course.id == Enrolment.course_id)
                .where(Enrolment.user_id.in_(list(ids.values())))
                .order_by(Enrolment.user_id, Course.slug)
            ):
                enrolled[user_id].append(slug)
            lectures: dict[str, list[str]] = defaultdict(list)
            for slug, lecture in conn.execute(
                select(Course.slug, Lecture.slug)
                .join(Lecture, Lecture.course_id == Course.id)
                .join(Section, Section.id == Lecture.section_id)
                .where(Lecture.published_version_id.is_not(None), Lecture.retired_at.is_(None))
                .order_by(Course.slug, Section.position, Lecture.position)
            ):
                lectures[slug].append(lecture)
            quizzes: dict[str, list[str]] = defaultdict(list)
            for slug, quiz in conn.execute(
                select(Course.slug, Quiz.slug)
                .join(Quiz, Quiz.course_id == Course.id)
                .where(Quiz.retired_at.is_(None))
                .order_by(Course.slug, Quiz.id)
            ):
                quizzes[slug].append(quiz)
            homerooms = conn.execute(
                select(User.email, ClassMember.class_id)
                .join(ClassMember, ClassMember.user_id == User.id)
                .where(ClassMember.role == ClassRole.HOMEROOM, User.email.like("gv.%"))
                .order_by(ClassMember.class_id)
                .limit(teachers)
            ).all()
    finally:
        engine.dispose()
    return {
        "password": SCALE_PASSWORD,
        "courses": {
            slug: {"lectures": lectures[slug], "quizzes": quizzes[slug]} for slug in lectures
        },
        "pupils": [
            {"login": name, "courses": enrolled[ids[name]]}
            for name in names
            if enrolled.get(ids.get(name, 0))
        ],
        "teachers": [{"login": email, "class_id": class_id} for email, class_id in homerooms],
        "course_teacher": {"login": COURSE_TEACHER_EMAIL, "course": BIG_COURSE},
        "staff": {"login": STAFF_EMAIL, "university": UNIVERSITY_SLUG},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--pupils", type=int, default=1000)
    parser.add_argument("--teachers", type=int, default=100)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    found = json.dumps(list_users(args.url, args.pupils, args.teachers), ensure_ascii=False)
    if args.out:
        args.out.write_text(found, encoding="utf-8")
    else:
        print(found)


if __name__ == "__main__":
    main()
