"""Learning events as xAPI 1.0.3 statements: building them, storing them, reading them back.

Statements are stored first (an outbox) and forwarded to an external LRS by `lrs.forward_pending`,
so a slow or failing LRS never blocks a learner and no statement is lost.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment.models import Quiz, QuizAttempt
from mooc.catalog.models import Course, Lecture, LectureVersion
from mooc.db import utcnow
from mooc.learning.models import XapiStatement
from mooc.pagination import Page, paginate

VERBS = {
    "experienced": "http://adlnet.gov/expapi/verbs/experienced",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
}
ACTIVITY_TYPES = {
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "interaction": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "course": "http://adlnet.gov/expapi/activities/course",
}
INTERACTION_TYPES = {
    "single": "choice",
    "multiple": "choice",
    "numeric": "numeric",
    "text": "fill-in",
}


def _timestamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def actor(user: User, base_url: str) -> dict[str, Any]:
    """An account-based agent: the platform's user id, never the email (privacy for minors)."""
    return {
        "objectType": "Agent",
        "account": {"homePage": base_url, "name": str(user.id)},
    }


def _activity(iri: str, name: str, kind: str, language: str) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": iri,
        "definition": {"name": {language: name}, "type": ACTIVITY_TYPES[kind]},
    }


def course_iri(base_url: str, course: Course) -> str:
    return f"{base_url}/courses/{course.slug}"


def _statement(
    *,
    user: User,
    verb: str,
    obj: dict[str, Any],
    base_url: str,
    when: dt.datetime,
    result: dict[str, Any] | None = None,
    parent: str | None = None,
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": actor(user, base_url),
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": obj,
        "timestamp": _timestamp(when),
        "version": "1.0.3",
    }
    if result is not None:
        statement["result"] = result
    if parent is not None:
        statement["context"] = {
            "platform": "mooc",
            "contextActivities": {"parent": [{"objectType": "Activity", "id": parent}]},
        }
    return statement


def lecture_experienced(
    user: User, lecture: Lecture, version: LectureVersion, *, base_url: str, when: dt.datetime
) -> dict[str, Any]:
    course = lecture.course
    iri = f"{course_iri(base_url, course)}/lectures/{lecture.slug}"
    obj = _activity(iri, version.title, "lesson", course.language)
    obj["definition"]["extensions"] = {f"{base_url}/xapi/ext/version": version.number}
    return _statement(
        user=user,
        verb="experienced",
        obj=obj,
        base_url=base_url,
        when=when,
        parent=course_iri(base_url, course),
    )


def question_answered(
    user: User,
    quiz: Quiz,
    question: dict[str, Any],
    response: Any,
    fraction: float,
    *,
    base_url: str,
    when: dt.datetime,
) -> dict[str, Any]:
    course = quiz.course
    quiz_iri = f"{course_iri(base_url, course)}/quizzes/{quiz.slug}"
    obj = _activity(
        f"{quiz_iri}/questions/{question['id']}",
        question.get("prompt", "")[:200],
        "interaction",
        course.language,
    )
    obj["definition"]["interactionType"] = INTERACTION_TYPES[question["kind"]]
    return _statement(
        user=user,
        verb="answered",
        obj=obj,
        base_url=base_url,
        when=when,
        result={
            "success": fraction >= 1.0,
            "score": {"scaled": round(fraction, 4)},
            "response": "" if response is None else str(response)[:500],
        },
        parent=quiz_iri,
    )


# SCORM's interaction types as xAPI names them (xAPI adds "other" for anything else).
SCORM_INTERACTION_TYPES = frozenset(
    {
        "true-false",
        "choice",
        "fill-in",
        "long-fill-in",
        "matching",
        "performance",
        "sequencing",
        "likert",
        "numeric",
        "other",
    }
)


def scorm_interaction_answered(
    user: User,
    lecture: Lecture,
    sco: str,
    interaction: tuple[str, str, str, bool | None],
    *,
    base_url: str,
    when: dt.datetime,
) -> dict[str, Any]:
    """An interaction a SCORM package reported (identifier, type, response, correct or not or
    unknown) as an "answered" statement under its lecture."""
    identifier, kind, response, success = interaction
    course = lecture.course
    lecture_iri = f"{course_iri(base_url, course)}/lectures/{lecture.slug}"
    obj = _activity(
        f"{lecture_iri}/scos/{quote(sco, safe='')}/interactions/{quote(identifier, safe='')}",
        identifier[:200] or sco,
        "interaction",
        course.language,
    )
    kind = kind.lower().replace("_", "-")
    obj["definition"]["interactionType"] = kind if kind in SCORM_INTERACTION_TYPES else "other"
    result: dict[str, Any] = {"response": response[:500]}
    if success is not None:
        result["success"] = success
    return _statement(
        user=user,
        verb="answered",
        obj=obj,
        base_url=base_url,
        when=when,
        result=result,
        parent=lecture_iri,
    )


def quiz_result(
    user: User, quiz: Quiz, attempt: QuizAttempt, *, base_url: str, when: dt.datetime
) -> dict[str, Any]:
    course = quiz.course
    passed = bool(attempt.passed)
    return _statement(
        user=user,
        verb="passed" if passed else "failed",
        obj=_activity(
            f"{course_iri(base_url, course)}/quizzes/{quiz.slug}",
            quiz.title,
            "assessment",
            course.language,
        ),
        base_url=base_url,
        when=when,
        result={
            "success": passed,
            "completion": True,
            "score": {
                "scaled": round((attempt.score or 0.0) / 100, 4),
                "raw": attempt.score or 0.0,
                "min": 0,
                "max": 100,
            },
        },
        parent=course_iri(base_url, course),
    )


def course_completed(
    user: User, course: Course, final_grade: float, *, base_url: str
) -> dict[str, Any]:
    return _statement(
        user=user,
        verb="completed",
        obj=_activity(course_iri(base_url, course), course.title, "course", course.language),
        base_url=base_url,
        when=utcnow(),
        result={
            "success": True,
            "completion": True,
            "score": {
                "scaled": round(final_grade / 100, 4),
                "raw": final_grade,
                "min": 0,
                "max": 100,
            },
        },
    )


def record(session: Session, statement: dict[str, Any], *, user_id: int | None) -> XapiStatement:
    """Store a statement (and queue it for the LRS, if one is configured)."""
    row = XapiStatement(
        id=statement["id"],
        user_id=user_id,
        verb=statement["verb"]["id"],
        object_id=statement["object"]["id"],
        statement=statement,
        next_attempt_at=utcnow(),
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class StatementFilter:
    agent_user_id: int | None = None
    verb: str | None = None
    since: dt.datetime | None = None


def statements(
    session: Session, flt: StatementFilter, *, page: int = 1, per_page: int = 100
) -> Page[XapiStatement]:
    stmt = select(XapiStatement)
    if flt.agent_user_id is not None:
        stmt = stmt.where(XapiStatement.user_id == flt.agent_user_id)
    if flt.verb:
        stmt = stmt.where(XapiStatement.verb == VERBS.get(flt.verb, flt.verb))
    if flt.since is not None:
        stmt = stmt.where(XapiStatement.stored_at > flt.since)
    ordered = stmt.order_by(XapiStatement.stored_at, XapiStatement.id)
    return paginate(session, ordered, page=page, per_page=per_page, clamp=False)
