"""Learners for the learning tests: two seed courses and their quizzes, a learner logged in
through the browser (the `learner` and `other` fixtures of this folder's conftest), and the
answers that pass or fail an attempt."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from mooc.accounts.models import User
from mooc.assessment.models import QuizAttempt
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from, login

MATH = "toan-lop-6"  # 7 lectures, one quiz: pass mark 60, at most 3 attempts, best counts
MATH_QUIZ = "kiem-tra-toan-6"
READING = "tieng-viet-lop-1"  # 4 lectures, one quiz: pass mark 50
READING_QUIZ = "on-tap-tieng-viet"


Form = dict[str, str | list[str]]


@dataclass
class Browser:
    """A logged-in learner's browser, speaking English, with the session's CSRF token."""

    client: FlaskClient
    user: User
    token: str

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: Form | None = None) -> TestResponse:
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})})

    def enrol(self, slug: str) -> TestResponse:
        return self.post(f"/courses/{slug}/enrol")

    def start(self, slug: str, quiz_slug: str) -> TestResponse:
        return self.post(f"/courses/{slug}/quizzes/{quiz_slug}/start")


def browse(client: FlaskClient, session: Session, **user: Any) -> Browser:
    person = make_user(session, **user)
    session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert person.email is not None  # a learner with an address (pupils may have none)
    assert login(client, person.email, PASSWORD).status_code == 303
    return Browser(client, person, csrf_from(client, "/dashboard"))


def attempt_id(response: TestResponse) -> int:
    match = re.fullmatch(r"/attempts/(\d+)(/result)?", response.location)
    assert match, response.location
    return int(match.group(1))


def attempt(session: Session, response: TestResponse) -> QuizAttempt:
    found = session.get(QuizAttempt, attempt_id(response))
    assert found is not None
    session.refresh(found)
    return found


def right_answers(found: QuizAttempt) -> Form:
    """Form fields answering every question of the attempt's snapshot correctly."""
    form: Form = {}
    for q in found.questions:
        data, name = q["data"], f"q{q['id']}"
        correct = [str(i) for i, o in enumerate(data.get("options", [])) if o["correct"]]
        if q["kind"] == "single":
            form[name] = correct[0]
        elif q["kind"] == "multiple":
            form[name] = correct
        elif q["kind"] == "numeric":
            form[name] = str(data["answer"]).replace(".", ",")  # as a Vietnamese pupil types it
        else:
            form[name] = f"  {data['answers'][0].upper()} "
    return form


def wrong_answers(found: QuizAttempt) -> Form:
    """Form fields answering every question wrongly (no partial credit either)."""
    form: Form = {}
    for q in found.questions:
        data, name = q["data"], f"q{q['id']}"
        wrong = [str(i) for i, o in enumerate(data.get("options", [])) if not o["correct"]]
        if q["kind"] in ("single", "multiple"):
            form[name] = wrong[0]
        elif q["kind"] == "numeric":
            form[name] = str(data["answer"] + 1000)
        else:
            form[name] = "không biết"
    return form
