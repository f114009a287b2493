"""The simulated people of the load test (bench/load.py runs Locust on this file): pupils browse
and search the catalogue, open their dashboard, to-do list and courses, read lectures, mark them
done and take quizzes (start, answer, submit, result); homeroom teachers open their class's
report and assignments; the teacher of the big course pages through its learners in every
order; university staff open their queue of pending records. Each signs in with a generated
account from the JSON file named by MOOC_LOAD_USERS (bench/load_users.py).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from typing import Any
from urllib.parse import urlencode

from locust import FastHttpUser, between, task

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_QUESTION = re.compile(r'<input[^>]*type="(radio|checkbox)"[^>]*name="(q\d+)"[^>]*value="(\d+)"')
_TYPED = re.compile(r'<input id="(q\d+)" name="q\d+" (inputmode="decimal" )?autocomplete')
_ATTEMPT = re.compile(r"/attempts/(\d+)")
_USERS: dict[str, Any] = {}
_TURN = itertools.count()


def _users() -> dict[str, Any]:
    if not _USERS:
        with open(os.environ["MOOC_LOAD_USERS"], encoding="utf-8") as f:
            _USERS.update(json.load(f))
    return _USERS


def _form(fields: dict[str, Any]) -> dict[str, Any]:
    """A form's body as a browser sends it (a field with several values repeated), for the
    client's `data` and `headers`."""
    return {
        "data": urlencode(fields, doseq=True),
        "headers": {"Content-Type": "application/x-www-form-urlencoded"},
    }


class _SignedIn(FastHttpUser):
    """Locust's gevent HTTP client: a fraction of the CPU of its requests-based one, so the
    load generator, sharing the machine with the app, takes less of what is measured; like a
    browser it keeps cookies and connections and accepts brotli and gzip."""

    abstract = True
    wait_time = between(1, 3)  # a person reads between clicks
    token = ""

    def sign_in(self, login: str) -> None:
        page = self.client.get("/login", name="login page")
        self.token = _token(page.text)
        self.client.post(
            "/login",
            **_form({"email": login, "password": _users()["password"], "csrf_token": self.token}),
            name="log in",
            allow_redirects=False,
        )

    def page(self, path: str, name: str) -> str:
        response = self.client.get(path, name=name)
        found = _CSRF.search(response.text)
        if found:
            self.token = found.group(1)
        return str(response.text)


def _token(html: str) -> str:
    found = _CSRF.search(html)
    return found.group(1) if found else ""


class Pupil(_SignedIn):
    weight = 16

    def on_start(self) -> None:
        pupils = _users()["pupils"]
        me = pupils[next(_TURN) % len(pupils)]
        self.courses: list[str] = me["courses"]
        self.sign_in(me["login"])

    def _course(self) -> tuple[str, dict[str, list[str]]]:
        slug = random.choice(self.courses)
        return slug, _users()["courses"][slug]

    @task(2)
    def catalogue(self) -> None:
        self.page("/courses", "catalogue")
        word = random.choice(["toan", "lop 6", "vat ly", "tieng viet", "xac suat", "english"])
        self.page(f"/courses?q={word}", "catalogue search")

    @task(2)
    def dashboard(self) -> None:
        self.page("/dashboard", "dashboard")

    @task(1)
    def todo(self) -> None:
        self.page("/my/todo", "to-do")

    @task(6)
    def read_lecture(self) -> None:
        slug, course = self._course()
        self.page(f"/courses/{slug}", "course page")
        lecture = random.choice(course["lectures"])
        html = self.page(f"/courses/{slug}/lectures/{lecture}", "lecture page")
        if "/done" in html and random.random() < 0.5:
            self.client.post(
                f"/courses/{slug}/lectures/{lecture}/done",
                **_form({"csrf_token": self.token}),
                name="mark as done",
                allow_redirects=False,
            )

    @task(1)
    def take_quiz(self) -> None:
        slug, course = self._course()
        if not course["quizzes"]:
            return
        quiz = random.choice(course["quizzes"])
        self.page(f"/courses/{slug}/quizzes/{quiz}", "quiz page")
        with self.client.post(
            f"/courses/{slug}/quizzes/{quiz}/start",
            **_form({"csrf_token": self.token}),
            name="quiz start",
            allow_redirects=False,
            catch_response=True,
        ) as started:
            if started.status_code == 409:  # every attempt used: the quiz page says so
                started.success()
                return
            found = _ATTEMPT.search(started.headers.get("Location", ""))
            if started.status_code != 303 or not found:
                started.failure(f"no attempt: {started.status_code}")
                return
        attempt = found.group(1)
        html = self.page(f"/attempts/{attempt}", "quiz attempt")
        answers: dict[str, list[str]] = {}
        for _kind, name, value in _QUESTION.findall(html):
            answers.setdefault(name, [])
            if not answers[name] or random.random() < 0.3:
                answers[name].append(value)
        for name, _numeric in _TYPED.findall(html):
            answers[name] = [str(random.randint(0, 20))]
        self.client.post(
            f"/attempts/{attempt}/submit",
            **_form({"csrf_token": self.token, **answers}),
            name="quiz submit",
            allow_redirects=False,
        )
        self.page(f"/attempts/{attempt}/result", "quiz result")


class Teacher(_SignedIn):
    weight = 2

    def on_start(self) -> None:
        teachers = _users()["teachers"]
        me = teachers[next(_TURN) % len(teachers)]
        self.class_id = me["class_id"]
        self.sign_in(me["login"])

    @task(3)
    def class_report(self) -> None:
        self.page(f"/classes/{self.class_id}/report", "class report")

    @task(1)
    def assignments(self) -> None:
        self.page(f"/classes/{self.class_id}/assignments", "class assignments")


class CourseTeacher(_SignedIn):
    fixed_count = 1  # the one teacher of the big course

    def on_start(self) -> None:
        me = _users()["course_teacher"]
        self.course = me["course"]
        self.sign_in(me["login"])

    @task(3)
    def learners(self) -> None:
        page = random.randint(1, 50)
        sort = random.choice(["name", "progress", "activity", "grade"])
        self.page(
            f"/teach/courses/{self.course}/learners?sort={sort}&page={page}", "teacher: learners"
        )


class Staff(_SignedIn):
    fixed_count = 2  # two officers of the university working through its queue

    def on_start(self) -> None:
        me = _users()["staff"]
        self.university = me["university"]
        self.sign_in(me["login"])

    @task(3)
    def queue(self) -> None:
        self.page(f"/university/{self.university}", "university queue")

    @task(1)
    def queue_page(self) -> None:
        page = random.randint(2, 100)
        self.page(f"/university/{self.university}?show=pending&page={page}", "university queue")
