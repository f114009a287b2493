"""The free first lecture as visitors without an account see it, rendered once and kept: each
visitor still gets the CSRF token of their own session, their language, and their own flashed
messages, which are never kept for anyone else."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.learning.queries import ordered_lectures
from tests.factories import seed_course
from tests.integration.learning.learners import MATH

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _preview(session: Session) -> str:
    return (
        f"/courses/{MATH}/lectures/{ordered_lectures(session, seed_course(session, MATH))[0].slug}"
    )


def _read(client: FlaskClient, url: str, language: str = "en") -> str:
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_visitor_gets_the_kept_page_with_a_token_of_their_own(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    url = _preview(session)
    other = app.test_client()
    first, second = _read(client, url), _read(other, url)
    tokens = [TOKEN.findall(page) for page in (first, second)]
    assert tokens[0] and tokens[1] and set(tokens[0]).isdisjoint(tokens[1])
    assert TOKEN.sub("", first) == TOKEN.sub("", second)  # the same page otherwise
    # The token works for the session it was given to: the language form accepts it.
    answer = other.post("/language", data={"csrf_token": tokens[1][0], "lang": "vi", "next": url})
    assert answer.status_code == 303
    assert 'lang="vi"' in _read(other, url)


def test_the_kept_page_follows_the_language(client: FlaskClient, session: Session) -> None:
    url = _preview(session)
    english, vietnamese = _read(client, url, "en"), _read(client, url, "vi")
    assert "Skip to content" in english
    assert "Skip to content" not in vietnamese


def test_a_flashed_message_shows_once_and_to_its_visitor_only(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    url = _preview(session)
    _read(client, url)  # the page is kept
    assert client.get("/dashboard", headers={"Accept-Language": "en"}).status_code == 302
    flashed = _read(client, url)
    assert "Please log in to access this page." in flashed
    assert "Please log in to access this page." not in _read(client, url)
    assert "Please log in to access this page." not in _read(app.test_client(), url)
