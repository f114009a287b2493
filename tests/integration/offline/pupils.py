"""What the offline tests share: quizzes made available offline, answers built from a quiz's
questions (as the device sends them), sync items and the sync call with a fresh token."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from mooc.assessment.models import Quiz
from mooc.offline.models import OfflineQuiz
from tests.integration.learning.learners import Browser


def quiz(session: Session, course_id: int, slug: str) -> Quiz:
    return session.scalars(select(Quiz).where(Quiz.course_id == course_id, Quiz.slug == slug)).one()


def make_offline(session: Session, found: Quiz) -> None:
    session.add(OfflineQuiz(quiz_id=found.id))
    session.commit()


def answers(found: Quiz, *, right: bool = True) -> dict[str, list[str]]:
    """Every question answered (right or wrong) from the quiz's own key, as form fields."""
    form: dict[str, list[str]] = {}
    for q in found.questions:
        data, name = q.data, f"q{q.id}"
        options = data.get("options", [])
        picked = [str(i) for i, o in enumerate(options) if bool(o.get("correct")) == right]
        if q.kind.value == "single":
            form[name] = picked[:1]
        elif q.kind.value == "multiple":
            form[name] = picked if right else picked[:1]
        elif q.kind.value == "numeric":
            form[name] = [str(data["answer"] if right else data["answer"] + 1000)]
        else:
            form[name] = [data["answers"][0] if right else "không biết"]
    return form


def done_item(course_id: int, lecture_slug: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "kind": "done",
        "course": course_id,
        "slug": lecture_slug,
        "at": "2026-12-06T08:00:00+07:00",
        **extra,
    }


def quiz_item(found: Quiz, form: dict[str, list[str]], **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "kind": "quiz",
        "course": found.course_id,
        "slug": found.slug,
        "revision": found.revision,
        "answers": form,
        "at": "2020-01-01T00:00:00Z",
        **extra,
    }


def sync(browser: Browser, items: Any, **body: Any) -> TestResponse:
    """POST the batch `{"items": items, **body}` with a token fetched as the device does."""
    token = browser.get("/offline/token").get_json()["csrf_token"]
    return browser.client.post(
        "/offline/sync",
        json={"items": items, **body},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
