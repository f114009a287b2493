"""Generated courses for the lecture page tests: a package of N lectures in sections of five
and one quiz, imported like any package, and the people who read it."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role, User
from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.catalog.models import Course
from mooc.catalog.services import assign_teacher
from mooc.learning import services
from mooc.storage import Storage
from tests.factories import PASSWORD, make_user
from tests.helpers import CONTENT, login

QUIZ = "kiem-tra"


def write_course(root: Path, slug: str, lectures: int) -> Path:
    """A course folder `root/slug` with `lectures` lectures ("Bài 1" …) and a quiz."""
    folder = root / slug
    (folder / "lectures").mkdir(parents=True)
    (folder / "quizzes").mkdir()
    shutil.copy(
        CONTENT / "toan-lop-6" / "quizzes" / "kiem-tra-toan-6.yaml",
        folder / "quizzes" / f"{QUIZ}.yaml",
    )
    sections = []
    for first in range(1, lectures + 1, 5):
        items = "".join(
            f"      - lecture: bai-{n}\n" for n in range(first, min(first + 5, lectures + 1))
        )
        sections.append(f"  - title: Chương {first // 5 + 1}\n    items:\n{items}")
    sections[-1] += f"      - quiz: {QUIZ}\n"
    (folder / "course.md").write_text(
        f"---\nslug: {slug}\ntitle: Khoá {lectures} bài\ninstitution: thcs-ba-dinh\n"
        "language: vi\nlevel: k12\ngrade: 6\nsubject: math\nsections:\n"
        + "".join(sections)
        + "---\nMột khoá học sinh ra cho kiểm thử.\n",
        encoding="utf-8",
    )
    for n in range(1, lectures + 1):
        (folder / "lectures" / f"bai-{n}.md").write_text(
            f"---\ntitle: Bài {n}\nminutes: 10\n---\n## Phần {n}\n\nNội dung của bài {n}.\n",
            encoding="utf-8",
        )
    return folder


def import_course(session: Session, storage: Storage, folder: Path) -> Course:
    import_tree(session, storage, load_tree(folder))
    session.commit()
    return session.scalars(select(Course).where(Course.slug == folder.name)).one()


def generated_course(session: Session, storage: Storage, root: Path, lectures: int) -> Course:
    return import_course(session, storage, write_course(root, f"khoa-{lectures}-bai", lectures))


def sign_in(client: FlaskClient, user: User) -> None:
    with client.session_transaction() as cookie:
        cookie.clear()
    signed_in = login(client, user.email or "", PASSWORD)
    assert signed_in.status_code == 303
    client.get(signed_in.location).close()  # as a browser lands: the welcome is shown and gone


def pupil_of(session: Session, course: Course) -> User:
    pupil = make_user(session, name="Học sinh")
    services.enrol(session, pupil, course)
    session.commit()
    return pupil


def teacher_of(session: Session, course: Course) -> User:
    teacher = make_user(session, ("thcs-ba-dinh", Role.TEACHER), name="Cô Hoa")
    assign_teacher(session, course, teacher.id)
    session.commit()
    return teacher
