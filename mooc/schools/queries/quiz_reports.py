"""The item analysis of a quiz assigned to a class: each pupil's counted attempt read once (one
query), then the pure arithmetic of `mooc.schools.core.item_analysis`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.assessment.models import Quiz, QuizAttempt
from mooc.assessment.queries import feedback
from mooc.errors import NotFound
from mooc.schools.core.item_analysis import QuestionStats, Sitting, analyse, read_answer
from mooc.schools.core.report import counted_attempt
from mooc.schools.models import AssignmentKind, ClassMember, ClassRole, SchoolClass
from mooc.schools.queries.reports import ReportItem, pupils_of, report_items


@dataclass(frozen=True)
class QuestionReport:
    number: int
    prompt: str  # Markdown, as the question read when the newest analysed attempt began
    kind: str
    stats: QuestionStats


@dataclass(frozen=True)
class QuizAnalysis:
    item: ReportItem
    quiz: Quiz
    pupils: int  # current pupils of the class
    scores: list[float]  # the analysed attempt's score of each pupil who submitted one
    questions: list[QuestionReport]


def assigned_quiz(session: Session, school_class: SchoolClass, assignment_id: int) -> ReportItem:
    """The class's (not withdrawn) quiz assignment; anything else is `NotFound`."""
    for item in report_items(session, school_class.id):
        if item.assignment_id == assignment_id and item.kind == AssignmentKind.QUIZ:
            return item
    raise NotFound(_("This class has no such assigned quiz."))


def quiz_analysis(session: Session, school_class: SchoolClass, assignment_id: int) -> QuizAnalysis:
    """Per question of an assigned quiz, from each pupil's counted attempt (the best or the last,
    as the quiz's policy says: the same attempt whose score the report shows)."""
    item = assigned_quiz(session, school_class, assignment_id)
    quiz = session.get_one(Quiz, item.quiz_id)
    attempts: dict[int, list[QuizAttempt]] = defaultdict(list)
    for attempt in session.scalars(
        select(QuizAttempt)
        .join(ClassMember, ClassMember.user_id == QuizAttempt.user_id)
        .where(
            QuizAttempt.quiz_id == quiz.id,
            QuizAttempt.submitted_at.is_not(None),
            ClassMember.class_id == school_class.id,
            ClassMember.role == ClassRole.PUPIL,
            ClassMember.ended_at.is_(None),
        )
        .order_by(QuizAttempt.number)
    ):
        attempts[attempt.user_id].append(attempt)
    sittings: list[Sitting] = []
    prompts: dict[int, tuple[dt.datetime, dict[str, Any]]] = {}
    for mine in attempts.values():
        index = counted_attempt([a.score or 0.0 for a in mine], mine[-1].policy.value)
        chosen = mine[index or 0]
        grades = feedback(chosen).grades
        responses = chosen.responses or {}
        answers = {}
        for q in chosen.questions:
            qid = int(q["id"])
            answers[qid] = read_answer(
                str(q["kind"]),
                q.get("data", {}).get("options", []),
                responses.get(str(qid)),
                correct=grades[qid].correct,
            )
            if qid not in prompts or prompts[qid][0] < chosen.started_at:
                prompts[qid] = (chosen.started_at, q)
        sittings.append(Sitting(score=chosen.score or 0.0, answers=answers))
    order = {q.id: q.position for q in quiz.questions}
    ids = sorted(prompts, key=lambda qid: (order.get(qid, 1 << 30), qid))
    stats = analyse(sittings, ids)
    return QuizAnalysis(
        item=item,
        quiz=quiz,
        pupils=session.scalar(
            select(func.count()).select_from(
                pupils_of(school_class.id).where(ClassMember.ended_at.is_(None)).subquery()
            )
        )
        or 0,
        scores=[s.score for s in sittings],
        questions=[
            QuestionReport(
                number=n,
                prompt=str(prompts[s.question_id][1]["prompt"]),
                kind=str(prompts[s.question_id][1]["kind"]),
                stats=s,
            )
            for n, s in enumerate(stats, 1)
        ],
    )
