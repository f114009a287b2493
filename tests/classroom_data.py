"""A class with work to report on, committed for browser journeys, the page walk and the class
report benchmark: a school, class 6A1, a homeroom teacher, pupils with Vietnamese names, and
assignments over the seed courses (quizzes, lecture sets, whole courses) that pupils partly did."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import InstitutionKind, Role, User
from mooc.accounts.services import grant_role, register, upsert_institution
from mooc.assessment import services as quizzes
from mooc.assessment.models import Quiz
from mooc.catalog.models import Course
from mooc.db import utcnow
from mooc.learning import queries as learning_queries
from mooc.learning import services as learning
from mooc.learning.queries import ordered_lectures
from mooc.schools.models import (
    Assignment,
    AssignmentKind,
    AssignmentLecture,
    ClassMember,
    ClassRole,
    SchoolClass,
    SchoolYear,
)
from tests.factories import right_answer

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu", "Gia", "Bảo"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khoa", "Lan", "Linh",
         "Minh", "Nam", "Ngân", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tú"]  # fmt: skip


@dataclass(frozen=True)
class BuiltClass:
    class_id: int
    teacher_email: str
    pupil_ids: list[int]
    pupil_emails: list[str]
    quiz_assignment_ids: list[int]


def open_class(session: Session, school_id: int, name: str = "6A1") -> SchoolClass:
    """A grade-6 class of the school's 2026–2027 year (the year made with it)."""
    year = SchoolYear(
        institution_id=school_id,
        name="2026–2027",
        starts_on=dt.date(2026, 9, 5),
        ends_on=dt.date(2027, 5, 31),
    )
    session.add(year)
    session.flush()
    school_class = SchoolClass(institution_id=school_id, school_year=year, name=name, grade=6)
    session.add(school_class)
    session.flush()
    return school_class


def _answer(rng: random.Random, question: dict[str, Any]) -> Any:
    """Right two times in three; otherwise a wrong pick, a wrong number or a blank."""
    if rng.random() < 0.65:
        return right_answer(question)
    options = question["data"].get("options", [])
    wrong = [str(i) for i, o in enumerate(options) if not o["correct"]]
    if question["kind"] == "single" and wrong:
        return rng.choice(wrong[:2])  # two tempting wrong options, so one is chosen most
    if question["kind"] == "multiple" and wrong:
        return [rng.choice(wrong[:2])]
    if question["kind"] == "numeric":
        return float(question["data"]["answer"]) + 1
    return None


def build_class(
    session: Session,
    *,
    pupils: int = 30,
    items: int = 12,
    password: str,
    teacher: User | None = None,
    pupil_accounts: list[User] | None = None,
    tag: str = "6a1",
    seed: int = 6,
    base_url: str = "http://mooc.test",
) -> BuiltClass:
    """Build and flush (the caller commits). `items` assignments cycle through the seed quizzes,
    the K-12 courses' lecture sets and whole courses; about two pupils in three do each quiz
    (some twice), and pupils study some lectures."""
    rng = random.Random(seed)  # noqa: S311 - repeatable made-up data, not secrets
    school, _ = upsert_institution(
        session, slug=f"thcs-report-{tag}", name="Trường THCS Báo Cáo", kind=InstitutionKind.SCHOOL
    )
    school_class = open_class(session, school.id)
    if teacher is None:
        teacher = register(
            session, email=f"gv.{tag}@example.test", password=password, name="Nguyễn Thị Lan"
        )
    grant_role(session, teacher, school, Role.TEACHER)
    session.flush()
    session.add(ClassMember(class_id=school_class.id, user_id=teacher.id, role=ClassRole.HOMEROOM))
    people = list(pupil_accounts or [])
    for n in range(pupils - len(people)):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        email = f"hs.{tag}.{n + 1:02d}@example.test"
        people.append(register(session, email=email, password=password, name=name))
    session.flush()
    for person in people:
        session.add(ClassMember(class_id=school_class.id, user_id=person.id, role=ClassRole.PUPIL))
    courses = session.scalars(select(Course).order_by(Course.slug)).all()
    quiz_list = session.scalars(
        select(Quiz).where(Quiz.retired_at.is_(None)).order_by(Quiz.course_id, Quiz.id)
    ).all()
    lectures = {c.id: ordered_lectures(session, c) for c in courses}
    now = utcnow()
    assignments: list[Assignment] = []
    for n in range(items):
        due = now + dt.timedelta(days=n - items // 2)  # half already due
        if n % 4 == 0 and quiz_list:
            quiz = quiz_list[(n // 4) % len(quiz_list)]
            a = Assignment(course_id=quiz.course_id, kind=AssignmentKind.QUIZ, quiz_id=quiz.id)
        elif n % 4 == 3:
            a = Assignment(course_id=courses[n % len(courses)].id, kind=AssignmentKind.COURSE)
        else:
            a = Assignment(course_id=courses[n % len(courses)].id, kind=AssignmentKind.LECTURES)
        a.class_id, a.due_at, a.created_by_id = school_class.id, due, teacher.id
        session.add(a)
        session.flush()
        if a.kind == AssignmentKind.LECTURES:
            for lecture in lectures[a.course_id][(n % 3) : (n % 3) + 3]:
                session.add(AssignmentLecture(assignment_id=a.id, lecture_id=lecture.id))
        assignments.append(a)
    session.flush()
    taken: set[tuple[int, int]] = set()
    for person in people:
        for a in assignments:
            if rng.random() > 0.7:
                continue
            if a.kind == AssignmentKind.QUIZ and a.quiz_id is not None:
                if (person.id, a.quiz_id) in taken:
                    continue
                taken.add((person.id, a.quiz_id))
                quiz = session.get_one(Quiz, a.quiz_id)
                for _try in range(rng.choice((1, 1, 2))):
                    attempt = quizzes.start_attempt(session, person, quiz)
                    answers = {int(q["id"]): _answer(rng, q) for q in attempt.questions}
                    quizzes.submit_attempt(session, attempt, answers)
            else:
                course = session.get_one(Course, a.course_id)
                if not learning_queries.is_enrolled(session, person.id, course.id):
                    learning.enrol(session, person, course)
                for lecture in lectures[course.id][: rng.randint(1, 4)]:
                    if lecture.published_version is not None:
                        learning.mark_done(
                            session, person, lecture, lecture.published_version, base_url=base_url
                        )
    session.flush()
    return BuiltClass(
        class_id=school_class.id,
        teacher_email=teacher.email or "",
        pupil_ids=[p.id for p in people],
        pupil_emails=[p.email or "" for p in people],
        quiz_assignment_ids=[a.id for a in assignments if a.kind == AssignmentKind.QUIZ],
    )
