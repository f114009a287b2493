"""The demo class's assignment: `teacher@demo.test` has set the grade-6 maths quiz for class
6A1, due in a week, and about twelve pupils have submitted attempts with varied answers, so the
to-do list, the class report and the item analysis have something to show."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment import services as quizzes
from mooc.assessment.models import Quiz
from mooc.catalog.models import Course
from mooc.db import utcnow
from mooc.learning import services as learning
from mooc.learning.analytics import refresh_standing
from mooc.schools.models import Assignment, ClassMember, ClassRole, SchoolClass
from mooc.schools.permissions import teaches
from mooc.schools.services import assignments

COURSE = "toan-lop-6"
QUIZ = "kiem-tra-toan-6"
TEACHER = "teacher@demo.test"
PUPILS_WHO_ANSWERED = 12


def answer_form(question: dict[str, Any], right: bool, rng: random.Random) -> list[str]:
    """Form values for one question: the right answer, or a plausible wrong one."""
    data = question["data"]
    kind = question["kind"]
    options = data.get("options", [])
    correct = [str(i) for i, o in enumerate(options) if o["correct"]]
    wrong = [str(i) for i, o in enumerate(options) if not o["correct"]]
    if kind == "single":
        # Most wrong answers pick the same distractor, as in a real class.
        return correct[:1] if right else [wrong[0] if rng.random() < 0.6 else rng.choice(wrong)]
    if kind == "multiple":
        return correct if right else correct[:1] + wrong[:1]
    if kind == "numeric":
        answer = data["answer"]
        return [str(answer).replace(".", ",")] if right else [str(answer + rng.choice((1, -1, 10)))]
    return [str(data["answers"][0])] if right else ["không biết"]


def load_demo_assignments(
    session: Session, class_name: str = "6A1", *, now: dt.datetime | None = None
) -> list[str]:
    """Idempotent: nothing is added when the class already has the quiz assigned. Returns what
    it created, for the loader's report; nothing when the class or the teacher is missing."""
    now = now or utcnow()
    school_class = session.scalar(
        select(SchoolClass)
        .where(SchoolClass.name == class_name, SchoolClass.disabled_at.is_(None))
        .order_by(SchoolClass.id)
    )
    teacher = session.scalar(select(User).where(User.email == TEACHER))
    course = session.scalar(select(Course).where(Course.slug == COURSE))
    if school_class is None or teacher is None or course is None:
        return []
    quiz = session.scalar(select(Quiz).where(Quiz.course_id == course.id, Quiz.slug == QUIZ))
    if quiz is None:
        return []
    done = session.scalar(
        select(Assignment.id).where(
            Assignment.class_id == school_class.id, Assignment.quiz_id == quiz.id
        )
    )
    if done is not None:
        return []
    if not teaches(session, teacher, school_class):
        session.add(
            ClassMember(
                class_id=school_class.id, user_id=teacher.id, role=ClassRole.TEACHER, subject="Toán"
            )
        )
        session.flush()
    assignment, _ = assignments.create_assignment(
        session,
        teacher,
        school_class,
        assignments.AssignmentDraft(
            course_id=course.id,
            kind="quiz",
            quiz_id=quiz.id,
            note="Ôn tập trước bài kiểm tra giữa kì.",
            due_at=(now + dt.timedelta(days=7)).replace(second=0, microsecond=0),
        ),
        token=secrets.token_urlsafe(24),
        now=now,
    )
    pupils = sorted(assignments.current_pupils(session, school_class), key=lambda u: u.login_name)
    rng = random.Random(6)  # noqa: S311 - demo data, the same every time
    answered = 0
    for n, pupil in enumerate(pupils[:PUPILS_WHO_ANSWERED]):
        learning.enrol(session, pupil, course)
        skill = 0.35 + 0.6 * n / max(1, PUPILS_WHO_ANSWERED - 1)  # weak to strong pupils
        for _attempt in range(1 + (n % 3 == 0)):  # some pupils try twice
            attempt = quizzes.start_attempt(session, pupil, quiz)
            form = {
                f"q{q['id']}": answer_form(q, rng.random() < skill, rng) for q in attempt.questions
            }
            quizzes.submit_attempt(session, attempt, quizzes.parse_responses(attempt, form))
        answered += 1
    session.flush()
    refresh_standing(
        session, course.id, course.pass_mark, [p.id for p in pupils[:PUPILS_WHO_ANSWERED]]
    )
    return [
        f"assignment {assignment.id}: {quiz.title} for class {school_class.name}, "
        f"{answered} pupils answered"
    ]
