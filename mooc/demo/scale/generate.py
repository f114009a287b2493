"""Writing the generated data set: schools with a school year and classes of 35 pupils, a
homeroom teacher per class with the class's course assigned, pupils enrolled in three courses
with their lecture progress, quiz attempts and some completions; one course of many learners; a
university with a long queue of pending records; a course teacher, a staff member and an
administrator. Rows go in by `mooc.bulk` (COPY on PostgreSQL), a few thousand pupils at a time.

Everyone generated shares one password (hashed once). The generated university is the marker
that the data exists: a second run is refused, so nothing is written twice.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from mooc.accounts.core.search_text import person_search_text
from mooc.accounts.models import Institution, InstitutionKind, Membership, Role, User
from mooc.assessment.models import QuizAttempt
from mooc.bulk import insert_rows, reserve_ids
from mooc.catalog.models import CourseTeacher
from mooc.demo.scale.catalogue import CoursePlan, QuizPlan, course_plans
from mooc.demo.scale.names import PLACES, person_name
from mooc.demo.scale.sizes import CLASS_SIZE, CLASSES_PER_SCHOOL, Sizes
from mooc.learning.analytics import refresh_standing
from mooc.learning.models import Completion, Enrolment, LectureProgress
from mooc.schools.models import (
    Assignment,
    AssignmentKind,
    AssignmentLecture,
    ClassMember,
    ClassRole,
    SchoolClass,
    SchoolYear,
)
from mooc.transfer.models import ItemState, RequestItem, TransferRequest

SCALE_PASSWORD = "scale-password"  # noqa: S105 - documented generated-data credential, demo mode only
UNIVERSITY_SLUG = "dai-hoc-tong-hop-scale"
UNIVERSITY_NAME = "Trường Đại học Tổng hợp (dữ liệu sinh)"
MINISTRY_SLUG = "bo-giao-duc"
COURSE_TEACHER_EMAIL = "giaovien@scale.test"
STAFF_EMAIL = "staff@scale.test"
ADMIN_EMAIL = "admin@scale.test"
BIG_COURSE = "toan-lop-6"
COURSES_PER_PUPIL = 3
PUPILS_PER_BATCH = 5000
# (name, grades) of a school's level; the schools of the big course's pupils teach grade 6.
LEVELS = (("Tiểu học", (1, 2, 3, 4, 5)), ("THCS", (6, 7, 8, 9)), ("THPT", (10, 11, 12)))
SECONDARY = 1
# A pupil's engagement: idle (enrolled only), partway through, or every lecture done.
IDLE, FULL = 0.12, 0.55
# A generated request item holds a record-sized document (a few KiB), like a real one.
_DOCUMENT_PAD = "x" * 2500


class AlreadyGenerated(Exception):
    """The generated university exists: this database already has the generated data."""


class NothingToStudy(Exception):
    """No published course with lectures: `flask content import` comes first."""


Tick = Callable[[str, int], None]


@dataclass
class Written:
    """Rows written per table, and the accounts a load test can sign in with."""

    rows: dict[str, int] = field(default_factory=dict)
    big_course: str = ""
    university: str = UNIVERSITY_SLUG

    def add(self, table: str, count: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + count

    @property
    def total(self) -> int:
        return sum(self.rows.values())


@dataclass(frozen=True)
class _School:
    id: int
    year_id: int
    grades: tuple[int, ...]


@dataclass(frozen=True)
class _Class:
    id: int
    school: _School
    grade: int
    homeroom_id: int
    courses: tuple[CoursePlan, ...]  # the big course first for its pupils


class _Writer:
    """One generation run: the session, the clock, the random source and the counts."""

    def __init__(
        self, session: Session, sizes: Sizes, password_hash: str, now: dt.datetime, seed: int
    ) -> None:
        self.session = session
        self.sizes = sizes
        self.password_hash = password_hash
        self.now = now
        self.rng = random.Random(seed)  # noqa: S311 - generated data, the same for a seed
        self.written = Written()
        self.tick: Tick = lambda _table, _n: None
        self.completions_left = sizes.completions
        # Chance that a pupil who did every lecture of a course also passed its quizzes.
        self.pass_chance = min(1.0, 2 * sizes.completions / max(1, sizes.pupils))

    def write(self, model: type[Any], rows: list[dict[str, Any]]) -> None:
        insert_rows(self.session, model, rows)
        table = model.__tablename__
        self.written.add(table, len(rows))
        self.tick(table, len(rows))

    def user(
        self,
        uid: int,
        name: str,
        *,
        email: str | None = None,
        username: str | None = None,
        birth_date: dt.date | None = None,
    ) -> dict[str, Any]:
        return {
            "id": uid,
            "email": email,
            "username": username,
            "name": name,
            "search_text": person_search_text(name, username, email),
            "password_hash": self.password_hash,
            "locale": "vi",
            "is_active": True,
            "session_token": secrets.token_hex(16),
            "birth_date": birth_date,
            "created_at": self.now - dt.timedelta(days=100),
        }

    def membership(self, user_id: int, institution_id: int, role: Role) -> dict[str, Any]:
        return {
            "user_id": user_id,
            "institution_id": institution_id,
            "role": role,
            "created_at": self.now - dt.timedelta(days=100),
        }


def generate(
    session: Session,
    sizes: Sizes,
    *,
    password_hash: str,
    now: dt.datetime,
    seed: int = 14,
    tick: Tick | None = None,
) -> Written:
    """Write the data set for `sizes` in the caller's transaction (the caller commits).

    Raises `AlreadyGenerated` when the generated university exists, `NothingToStudy` without
    published courses."""
    if session.scalar(select(Institution.id).where(Institution.slug == UNIVERSITY_SLUG)):
        raise AlreadyGenerated(f"generated data is already here (institution {UNIVERSITY_SLUG})")
    w = _Writer(session, sizes, password_hash, now, seed)
    if tick is not None:
        w.tick = tick
    plans = course_plans(session, w.rng)
    if not plans:
        raise NothingToStudy("no published course with lectures: run `flask content import` first")
    big = next((p for p in plans if p.slug == BIG_COURSE), plans[0])
    others = [p for p in plans if p is not big] or [big]
    w.written.big_course = big.slug
    schools, university_id = _institutions(
        w, big_classes=-(-sizes.big_course_learners // CLASS_SIZE)
    )
    classes = _classes(w, schools, big, others)
    queue_students = _pupils(w, classes, big)
    _staff_accounts(w, plans, schools[0].id, university_id)
    _queue(w, university_id, queue_students)
    # The standing each enrolment keeps, counted in SQL from the rows just written: planned
    # with statistics of them (without, PostgreSQL's plan for the standing's UPDATE took 5×
    # as long at 100,000 pupils).
    analyze(session)
    for plan in plans:
        refresh_standing(session, plan.id, plan.pass_mark)
    return w.written


def _institutions(w: _Writer, big_classes: int) -> tuple[list[_School], int]:
    """The schools (with their school year) and the university; the schools of the first
    `big_classes` classes teach grade 6, the others take turns by level."""
    count = w.sizes.schools
    ids = reserve_ids(w.session, Institution, count + 1)
    university_id = ids.pop()
    year_ids = reserve_ids(w.session, SchoolYear, count)
    start_year = w.now.year if w.now.month >= 8 else w.now.year - 1
    institutions, years, schools = [], [], []
    for n, (school_id, year_id) in enumerate(zip(ids, year_ids, strict=True)):
        level = SECONDARY if n * CLASSES_PER_SCHOOL < big_classes else n % len(LEVELS)
        label, grades = LEVELS[level]
        institutions.append(
            {
                "id": school_id,
                "slug": f"scale-truong-{n + 1:05d}",
                "name": f"Trường {label} số {n + 1} {PLACES[n % len(PLACES)]}",
                "kind": InstitutionKind.SCHOOL,
                "created_at": w.now - dt.timedelta(days=400),
            }
        )
        years.append(
            {
                "id": year_id,
                "institution_id": school_id,
                "name": f"{start_year}–{start_year + 1}",
                "starts_on": dt.date(start_year, 9, 5),
                "ends_on": dt.date(start_year + 1, 5, 31),
                "created_at": w.now - dt.timedelta(days=120),
            }
        )
        schools.append(_School(school_id, year_id, grades))
    institutions.append(
        {
            "id": university_id,
            "slug": UNIVERSITY_SLUG,
            "name": UNIVERSITY_NAME,
            "kind": InstitutionKind.UNIVERSITY,
            "created_at": w.now - dt.timedelta(days=400),
        }
    )
    w.write(Institution, institutions)
    w.write(SchoolYear, years)
    return schools, university_id


def _classes(
    w: _Writer, schools: list[_School], big: CoursePlan, others: list[CoursePlan]
) -> list[_Class]:
    """The classes, each with a homeroom teacher (an account, a membership, a class member) and
    its first course assigned."""
    count = w.sizes.classes
    class_ids = reserve_ids(w.session, SchoolClass, count)
    teacher_ids = reserve_ids(w.session, User, count)
    big_classes = -(-w.sizes.big_course_learners // CLASS_SIZE)
    classes, class_rows, teachers, memberships, members, assignments = [], [], [], [], [], []
    for k, (class_id, teacher_id) in enumerate(zip(class_ids, teacher_ids, strict=True)):
        school = schools[k // CLASSES_PER_SCHOOL]
        j = k % CLASSES_PER_SCHOOL
        grade = school.grades[j % len(school.grades)]
        wanted = COURSES_PER_PUPIL - 1 if k < big_classes else COURSES_PER_PUPIL
        rotated = [others[(k + i) % len(others)] for i in range(min(wanted, len(others)))]
        courses = tuple(dict.fromkeys(([big] if k < big_classes else []) + rotated))
        classes.append(_Class(class_id, school, grade, teacher_id, courses))
        class_rows.append(
            {
                "id": class_id,
                "institution_id": school.id,
                "school_year_id": school.year_id,
                "name": f"{grade}A{j // len(school.grades) + 1}",
                "grade": grade,
                "created_at": w.now - dt.timedelta(days=100),
            }
        )
        teachers.append(w.user(teacher_id, person_name(w.rng), email=f"gv.{k + 1:06d}@scale.test"))
        memberships.append(w.membership(teacher_id, school.id, Role.TEACHER))
        members.append(
            {
                "class_id": class_id,
                "user_id": teacher_id,
                "role": ClassRole.HOMEROOM,
                "created_at": w.now - dt.timedelta(days=100),
            }
        )
        assignments += _assignments(w, k, class_id, teacher_id, courses[0])
    w.write(SchoolClass, class_rows)
    w.write(User, teachers)
    w.write(Membership, memberships)
    w.write(ClassMember, members)
    assignment_ids = reserve_ids(w.session, Assignment, len(assignments))
    lectures = []
    for row, assignment_id in zip(assignments, assignment_ids, strict=True):
        row["id"] = assignment_id
        lectures += [
            {"assignment_id": assignment_id, "lecture_id": lecture_id}
            for lecture_id in row.pop("lectures")
        ]
    w.write(Assignment, assignments)
    w.write(AssignmentLecture, lectures)
    return classes


def _assignments(
    w: _Writer, k: int, class_id: int, teacher_id: int, course: CoursePlan
) -> list[dict[str, Any]]:
    """What class `k`'s homeroom teacher set in the class's first course: the whole course, its
    first lectures and its first quiz; every third class has a second set of lectures and a
    second quiz too (so classes differ in how much work they have)."""
    kinds = [AssignmentKind.COURSE, AssignmentKind.LECTURES, AssignmentKind.QUIZ]
    if k % 3 == 2:
        kinds += [AssignmentKind.LECTURES, AssignmentKind.QUIZ]
    made = []
    for n, kind in enumerate(kinds):
        repeat = n >= 3
        quizzes = course.quizzes[1:] if repeat and len(course.quizzes) > 1 else course.quizzes
        if kind == AssignmentKind.QUIZ and not quizzes:
            continue
        lectures = course.lectures[2:4] if repeat else course.lectures[:2]
        if kind == AssignmentKind.LECTURES and not lectures:
            continue
        made.append(
            {
                "class_id": class_id,
                "course_id": course.id,
                "kind": kind,
                "quiz_id": quizzes[0].id if kind == AssignmentKind.QUIZ else None,
                "note": "Hoàn thành trước kì thi học kì." if n == 0 else None,
                "due_at": w.now + dt.timedelta(days=14 - 3 * n),
                "created_by_id": teacher_id,
                "created_at": w.now - dt.timedelta(days=30 - n),
                "lectures": [lecture for lecture, _ in lectures]
                if kind == AssignmentKind.LECTURES
                else [],
            }
        )
    return made


@dataclass
class _Batch:
    users: list[dict[str, Any]] = field(default_factory=list)
    memberships: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    enrolments: list[dict[str, Any]] = field(default_factory=list)
    progress: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    # Completions name their attempts by position in `attempts` until ids are reserved.
    completions: list[tuple[dict[str, Any], list[int]]] = field(default_factory=list)


def _pupils(w: _Writer, classes: list[_Class], big: CoursePlan) -> list[int]:
    """The pupils and their learning, a batch at a time; returns the first pupils' ids (those
    who send records to the university)."""
    wanted = w.sizes.queue_items
    senders: list[int] = []
    for start in range(0, w.sizes.pupils, PUPILS_PER_BATCH):
        count = min(PUPILS_PER_BATCH, w.sizes.pupils - start)
        ids = reserve_ids(w.session, User, count)
        batch = _Batch()
        for offset, user_id in enumerate(ids):
            n = start + offset
            _pupil(w, batch, n, user_id, classes[n // CLASS_SIZE])
        senders += ids[: max(0, wanted - len(senders))]
        _write_batch(w, batch)
    return senders


def _pupil(w: _Writer, batch: _Batch, n: int, user_id: int, room: _Class) -> None:
    rng = w.rng
    born = w.now.year - 6 - room.grade + (w.now.month >= 8)
    batch.users.append(
        w.user(
            user_id,
            person_name(rng),
            username=f"hs.{n + 1:07d}",
            birth_date=dt.date(born, rng.randint(1, 12), rng.randint(1, 28)),
        )
    )
    batch.memberships.append(w.membership(user_id, room.school.id, Role.STUDENT))
    batch.members.append(
        {
            "class_id": room.id,
            "user_id": user_id,
            "role": ClassRole.PUPIL,
            "created_at": w.now - dt.timedelta(days=100),
        }
    )
    engagement = rng.random()
    for course in room.courses:
        _study(w, batch, user_id, course, engagement)


def _read_lectures(
    batch: _Batch, user_id: int, course: CoursePlan, seen: int, began: dt.datetime, *, full: bool
) -> dt.datetime:
    """The first `seen` lectures read a quarter of an hour apart, all done but the last unless
    `full`; returns when the last was opened."""
    at = began
    for i, (lecture_id, version_id) in enumerate(course.lectures[:seen]):
        at = began + dt.timedelta(minutes=15 * i)
        done = full or i < seen - 1
        batch.progress.append(
            {
                "user_id": user_id,
                "lecture_id": lecture_id,
                "course_id": course.id,
                "first_viewed_at": at,
                "last_viewed_at": at + dt.timedelta(minutes=8),
                "done_at": at + dt.timedelta(minutes=10) if done else None,
                "version_id": version_id,
            }
        )
    return at


def _study(w: _Writer, batch: _Batch, user_id: int, course: CoursePlan, engagement: float) -> None:
    """One enrolment: lectures seen (and done), quiz attempts, and perhaps a completion."""
    rng = w.rng
    lectures = course.lectures
    full = engagement >= FULL
    if engagement < IDLE:
        seen = 0
    elif full:
        seen = len(lectures)
    else:
        seen = rng.randint(1, max(1, len(lectures) - 1))
    began = w.now - dt.timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1440))
    at = _read_lectures(batch, user_id, course, seen, began, full=full)
    batch.enrolments.append(
        {
            "user_id": user_id,
            "course_id": course.id,
            "active": True,
            "enrolled_at": began - dt.timedelta(days=1),
            "last_activity_at": at if seen else None,
            "last_lecture_id": lectures[seen - 1][0] if seen else None,
        }
    )
    if not course.quizzes or (not full and seen * 2 < len(lectures)):
        return
    completes = full and w.completions_left > 0 and rng.random() < w.pass_chance
    quizzes = course.quizzes if full else course.quizzes[:1]
    counted: list[tuple[QuizPlan, float]] = []
    positions: list[int] = []
    for quiz in quizzes:
        tries = [rng.choice(quiz.failing)] if rng.random() < 0.4 or not completes else []
        if completes:
            tries.append(rng.choice(quiz.passing))
        scores = []
        for number, template in enumerate(tries, 1):
            submitted = at + dt.timedelta(minutes=20 + 10 * number)
            positions.append(len(batch.attempts))
            batch.attempts.append(
                {
                    "user_id": user_id,
                    "quiz_id": quiz.id,
                    "course_id": course.id,
                    "number": number,
                    "quiz_revision": quiz.revision,
                    "pass_mark": quiz.pass_mark,
                    "policy": quiz.policy,
                    "questions": template.questions,
                    "option_order": None,
                    "started_at": submitted - dt.timedelta(minutes=8),
                    "submitted_at": submitted,
                    "responses": template.responses,
                    "score": template.score,
                    "passed": template.passed,
                    "late": False,
                }
            )
            scores.append(template.score)
        if scores:
            counted.append((quiz, max(scores) if quiz.policy == "best" else scores[-1]))
    if completes:
        w.completions_left -= 1
        weighted = [(q.weight, s) for q, s in counted if q.required and q.weight > 0]
        total = sum(weight for weight, _ in weighted)
        grade = sum(weight * s for weight, s in weighted) / total if total else 100.0
        completion = {
            "user_id": user_id,
            "course_id": course.id,
            "final_grade": round(grade, 2),
            "completed_at": at + dt.timedelta(hours=1),
            "lecture_versions": sorted(v for _, v in lectures),
            "pass_mark": course.pass_mark,
            "credits": course.credits,
            "workload_hours": course.workload_hours,
        }
        batch.completions.append((completion, positions))


def _write_batch(w: _Writer, batch: _Batch) -> None:
    attempt_ids = reserve_ids(w.session, QuizAttempt, len(batch.attempts))
    for attempt, attempt_id in zip(batch.attempts, attempt_ids, strict=True):
        attempt["id"] = attempt_id
    completions = [
        {**row, "quiz_attempts": sorted(attempt_ids[p] for p in positions)}
        for row, positions in batch.completions
    ]
    w.write(User, batch.users)
    w.write(Membership, batch.memberships)
    w.write(ClassMember, batch.members)
    w.write(Enrolment, batch.enrolments)
    w.write(LectureProgress, batch.progress)
    w.write(QuizAttempt, batch.attempts)
    w.write(Completion, completions)


def _staff_accounts(
    w: _Writer, plans: list[CoursePlan], school_id: int, university_id: int
) -> None:
    """The teacher of every course, the university's staff member and an administrator."""
    ministry = w.session.scalar(select(Institution.id).where(Institution.slug == MINISTRY_SLUG))
    teacher_id, staff_id, admin_id = reserve_ids(w.session, User, 3)
    people = [
        w.user(teacher_id, "Nguyễn Thị Hoa", email=COURSE_TEACHER_EMAIL),
        w.user(staff_id, "Trần Văn Bình", email=STAFF_EMAIL),
    ]
    memberships = [
        w.membership(teacher_id, school_id, Role.TEACHER),
        w.membership(staff_id, university_id, Role.STAFF),
    ]
    if ministry is not None:
        people.append(w.user(admin_id, "Phạm Quốc Cường", email=ADMIN_EMAIL))
        memberships.append(w.membership(admin_id, ministry, Role.ADMIN))
    w.write(User, people)
    w.write(Membership, memberships)
    w.write(
        CourseTeacher,
        [
            {"course_id": p.id, "user_id": teacher_id, "created_at": w.now - dt.timedelta(days=90)}
            for p in plans
        ],
    )


def _queue(w: _Writer, university_id: int, students: list[int]) -> None:
    """One request per student with one pending record each, oldest first in the queue."""
    request_ids = reserve_ids(w.session, TransferRequest, len(students))
    requests, items = [], []
    count = len(students)
    for n, (request_id, student_id) in enumerate(zip(request_ids, students, strict=True)):
        sent = w.now - dt.timedelta(minutes=10 * (count - n))
        requests.append(
            {
                "id": request_id,
                "student_id": student_id,
                "institution_id": university_id,
                "message": "Em xin công nhận tín chỉ học phần đã hoàn thành.",
                "created_at": sent,
            }
        )
        source = f"urn:uuid:{uuid.UUID(int=w.rng.getrandbits(128), version=4)}"
        items.append(
            {
                "request_id": request_id,
                "institution_id": university_id,
                "student_id": student_id,
                "source_id": source,
                "document": json.dumps(
                    {"id": source, "type": ["VerifiableCredential"], "generated": _DOCUMENT_PAD}
                ),
                "name": f"Học phần trực tuyến {n % 40 + 1:02d}",
                "issuer_did": "did:web:scale.example.edu.vn",
                "issuer_name": "Trường Đại học Mở (dữ liệu sinh)",
                "state": ItemState.PENDING,
                "created_at": sent,
                "verified": False,  # generated: never checked by the platform's verifier
                "checks": [],
                "reasons": [],
                "reason_details": {},
            }
        )
    w.write(TransferRequest, requests)
    w.write(RequestItem, items)


def analyze(session: Session) -> None:
    """Statistics for the planner after a bulk load, as a database that has lived a while has."""
    session.execute(text("ANALYZE"))
