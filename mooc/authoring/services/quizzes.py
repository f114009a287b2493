"""Building quizzes: settings and questions of every type, validated by the question registry.

Editing a quiz bumps its revision; attempts already started keep the snapshot they began with.
The option format of the builder form is one option per line, correct ones starting with `*`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment.core.questions import (
    normalized_definition,
    validate_question,
    young_pupil_problems,
)
from mooc.assessment.models import AttemptPolicy, Question, QuestionKind, Quiz, RevealPolicy
from mooc.authoring import audit
from mooc.authoring.core.ordering import moved
from mooc.authoring.permissions import require_editor
from mooc.authoring.queries import section_items
from mooc.authoring.services.courses import remove_item, unique_slug
from mooc.authoring.services.ordering import renumber
from mooc.authoring.services.retiring import Removal, recount_learners
from mooc.catalog.models import Section
from mooc.catalog.services import bump_content_revision
from mooc.errors import Invalid


@dataclass(frozen=True)
class QuizSettings:
    title: str
    pass_mark: int
    weight: int
    required: bool
    max_attempts: int | None
    policy: str
    time_limit_minutes: int | None
    reveal: str = "after_last"
    shuffle_questions: bool = False
    shuffle_options: bool = False
    pool_size: int | None = None  # questions drawn per attempt; None: all


@dataclass(frozen=True)
class QuestionDraft:
    kind: str
    prompt: str
    explanation: str
    points: int
    data: dict[str, Any]


def _check_settings(s: QuizSettings, question_count: int = 0) -> None:
    if not s.title.strip():
        raise Invalid(_("A quiz needs a title."), field="title")
    if not 0 <= s.pass_mark <= 100:
        raise Invalid(_("The pass mark is a number from 0 to 100."), field="pass_mark")
    if not 0 <= s.weight <= 100:
        raise Invalid(_("The weight is a number from 0 to 100."), field="weight")
    if s.max_attempts is not None and not 1 <= s.max_attempts <= 100:
        raise Invalid(_("Allow 1 to 100 attempts, or leave it empty."), field="max_attempts")
    if s.policy not in ("best", "last"):
        raise Invalid(_("Choose which attempt counts."), field="policy")
    if s.time_limit_minutes is not None and not 1 <= s.time_limit_minutes <= 600:
        raise Invalid(_("The time limit is 1–600 minutes, or empty."), field="time_limit_minutes")
    if s.reveal not in {p.value for p in RevealPolicy}:
        raise Invalid(_("Choose when the right answers are shown."), field="reveal")
    if s.pool_size is not None and not 1 <= s.pool_size <= question_count:
        raise Invalid(
            _(
                "Draw 1 to %(n)d questions (the quiz has %(n)d), or leave it empty for all.",
                n=question_count,
            )
            if question_count
            else _("Add questions before drawing some of them for each attempt."),
            field="pool_size",
        )


def check_question(draft: QuestionDraft, grade: int | None = None) -> dict[str, Any]:
    """The stored definition of a valid question for a course of that `grade` (None: not K-12);
    `Invalid` naming every problem otherwise."""
    if not draft.prompt.strip():
        raise Invalid(_("Write the question."), field="prompt")
    if not 1 <= draft.points <= 100:
        raise Invalid(_("Points are 1–100."), field="points")
    problems = validate_question(draft.kind, draft.data) or young_pupil_problems(
        draft.kind, draft.data, grade
    )
    if problems:
        raise Invalid(" ".join(_(p.message, **p.values) for p in problems), field="data")
    return normalized_definition(draft.kind, draft.data)


def create_quiz(session: Session, user: User, section: Section, settings: QuizSettings) -> Quiz:
    require_editor(user, section.course)
    _check_settings(settings)
    quiz = Quiz(
        course_id=section.course_id,
        section_id=section.id,
        slug=unique_slug(session, Quiz, section.course_id, settings.title),
        position=len(section_items(session, section.id)) + 1,
        revision=1,
    )
    _apply_settings(quiz, settings)
    session.add(quiz)
    session.flush()
    bump_content_revision(session, quiz.course_id)
    recount_learners(session, quiz.course_id)
    audit.record(
        session,
        actor_id=user.id,
        action="create",
        object_type="quiz",
        object_id=quiz.id,
        course_id=quiz.course_id,
        summary=f"created quiz {quiz.slug}",
        after=_settings_state(quiz),
    )
    return quiz


def _apply_settings(quiz: Quiz, s: QuizSettings) -> None:
    quiz.title = s.title.strip()
    quiz.pass_mark = s.pass_mark
    quiz.weight = s.weight
    quiz.required = s.required
    quiz.max_attempts = s.max_attempts
    quiz.policy = AttemptPolicy(s.policy)
    quiz.time_limit_minutes = s.time_limit_minutes
    quiz.reveal = RevealPolicy(s.reveal)
    quiz.shuffle_questions = s.shuffle_questions
    quiz.shuffle_options = s.shuffle_options
    quiz.pool_size = s.pool_size


def _settings_state(quiz: Quiz) -> dict[str, Any]:
    return {
        "title": quiz.title,
        "pass_mark": quiz.pass_mark,
        "weight": quiz.weight,
        "required": quiz.required,
        "max_attempts": quiz.max_attempts,
        "policy": str(quiz.policy),
        "time_limit_minutes": quiz.time_limit_minutes,
        "reveal": str(quiz.reveal),
        "shuffle_questions": quiz.shuffle_questions,
        "shuffle_options": quiz.shuffle_options,
        "pool_size": quiz.pool_size,
    }


def delete_quiz(session: Session, user: User, quiz: Quiz) -> Removal:
    """Take a quiz out of the course: retired when learners have attempted it (their attempts
    and grades stay), deleted otherwise. Raises `PermissionDenied`."""
    require_editor(user, quiz.course)
    return remove_item(session, user, quiz)


def update_quiz(session: Session, user: User, quiz: Quiz, settings: QuizSettings) -> None:
    require_editor(user, quiz.course)
    _check_settings(settings, len(quiz.questions))
    before = _settings_state(quiz)
    shown = (quiz.title, quiz.required, quiz.time_limit_minutes)
    _apply_settings(quiz, settings)
    if (quiz.title, quiz.required, quiz.time_limit_minutes) != shown:
        bump_content_revision(session, quiz.course_id)  # what the syllabus shows changed
    session.flush()
    recount_learners(session, quiz.course_id)  # the required flag, weight or pass mark
    audit.record_edit(
        session,
        actor_id=user.id,
        object_type="quiz",
        object_id=quiz.id,
        course_id=quiz.course_id,
        summary=f"edited settings of quiz {quiz.slug}",
        before=before,
        after=_settings_state(quiz),
        revise=partial(_revise, quiz),
    )


def _question_state(q: Question) -> dict[str, Any]:
    return {
        "kind": str(q.kind),
        "prompt": q.prompt,
        "explanation": q.explanation,
        "points": q.points,
        "data": q.data,
    }


def add_question(session: Session, user: User, quiz: Quiz, draft: QuestionDraft) -> Question:
    require_editor(user, quiz.course)
    data = check_question(draft, quiz.course.grade)
    last = session.scalar(
        select(func.coalesce(func.max(Question.position), 0)).where(Question.quiz_id == quiz.id)
    )
    question = Question(
        quiz_id=quiz.id,
        position=(last or 0) + 1,
        kind=QuestionKind(draft.kind),
        prompt=draft.prompt.strip(),
        explanation=draft.explanation.strip(),
        points=draft.points,
        data=data,
    )
    session.add(question)
    _revise(quiz)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="create",
        object_type="question",
        object_id=question.id,
        course_id=quiz.course_id,
        summary=f"added a {draft.kind} question to {quiz.slug}",
        after=_question_state(question),
    )
    return question


def update_question(session: Session, user: User, question: Question, draft: QuestionDraft) -> None:
    quiz = question.quiz
    require_editor(user, quiz.course)
    data = check_question(draft, quiz.course.grade)
    before = _question_state(question)
    question.kind = QuestionKind(draft.kind)
    question.prompt = draft.prompt.strip()
    question.explanation = draft.explanation.strip()
    question.points = draft.points
    question.data = data
    audit.record_edit(
        session,
        actor_id=user.id,
        object_type="question",
        object_id=question.id,
        course_id=quiz.course_id,
        summary=f"edited question {question.position} of {quiz.slug}",
        before=before,
        after=_question_state(question),
        revise=partial(_revise, quiz),
    )


def delete_question(session: Session, user: User, question: Question) -> None:
    quiz = question.quiz
    require_editor(user, quiz.course)
    audit.record(
        session,
        actor_id=user.id,
        action="delete",
        object_type="question",
        object_id=question.id,
        course_id=quiz.course_id,
        summary=f"deleted question {question.position} of {quiz.slug}",
        before=_question_state(question),
    )
    quiz.questions.remove(question)
    session.flush()
    _renumber(session, quiz)
    _revise(quiz)


def move_question(session: Session, user: User, question: Question, delta: int) -> None:
    quiz = question.quiz
    require_editor(user, quiz.course)
    order = moved(sorted(quiz.questions, key=lambda q: q.position), question, delta)
    if order is None:
        return
    renumber(session, order)
    _revise(quiz)


def _revise(quiz: Quiz) -> int:
    """A new revision of the quiz: attempts already started keep the snapshot they began with."""
    quiz.revision += 1
    return quiz.revision


def _renumber(session: Session, quiz: Quiz) -> None:
    renumber(session, sorted(quiz.questions, key=lambda q: q.position))
