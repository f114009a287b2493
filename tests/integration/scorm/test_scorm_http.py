"""The SCORM player's endpoints and the content origin, over HTTP: the lecture page frames the
content origin; launch hands over a signed URL and the learner's data; track saves a commit once
(CSRF required); the content origin serves a package's files by token only, with strict headers
and no cookies."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.authoring.services.scorm import add_scorm_lecture
from mooc.catalog.models import Course, Lecture, ScormPackage
from mooc.contentorigin.app import create_content_app
from mooc.learning import services as learning
from mooc.scorm import tokens
from mooc.scorm.core.archive import Limits
from mooc.storage import Storage
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_from, login
from tests.scorm_packages import build_package

_DATA_CSRF = re.compile(r'data-csrf="([^"]+)"')


@pytest.fixture
def lecture(session: Session, teacher: User, course: Course, storage: Storage) -> Lecture:
    found = add_scorm_lecture(
        session,
        teacher,
        course.sections[0],
        build_package("1.2", "Bài giảng SCORM"),
        storage=storage,
        limits=Limits(max_bytes=10 * 1024 * 1024),
    )
    session.commit()
    return found


def _learner(session: Session, client: FlaskClient, course: Course) -> User:
    user = make_user(session)
    learning.enrol(session, user, course)
    session.commit()
    login(client, user.email or "", PASSWORD)
    return user


def _page(client: FlaskClient, course: Course, lecture: Lecture) -> tuple[str, str]:
    response = client.get(f"/courses/{course.slug}/lectures/{lecture.slug}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    match = _DATA_CSRF.search(page)
    assert match
    return page, match.group(1)


def test_the_lecture_page_frames_the_content_origin_in_a_sandbox(
    app: Flask, session: Session, client: FlaskClient, course: Course, lecture: Lecture
) -> None:
    _learner(session, client, course)
    response = client.get(f"/courses/{course.slug}/lectures/{lecture.slug}")
    page = response.get_data(as_text=True)
    assert 'id="scorm-player"' in page and "scorm-player.js" in page
    assert 'sandbox="allow-scripts allow-forms allow-same-origin"' in page
    assert "allow-top-navigation" not in page
    origin = app.config["MOOC_SETTINGS"].content_origin
    assert f"frame-src {origin}" in response.headers["Content-Security-Policy"]
    assert "Mark as done" not in page


def test_launch_and_track_save_once_and_resume(
    app: Flask, session: Session, client: FlaskClient, course: Course, lecture: Lecture
) -> None:
    _learner(session, client, course)
    _, csrf = _page(client, course, lecture)
    base = f"/courses/{course.slug}/lectures/{lecture.slug}/scorm"
    headers = {"X-CSRFToken": csrf, "Accept": "application/json"}
    launch = client.post(f"{base}/launch", json={}, headers=headers).get_json()
    settings = app.config["MOOC_SETTINGS"]
    assert launch["version"] == "1.2" and launch["origin"] == settings.content_origin
    assert launch["launch"].startswith(f"{settings.content_origin}/launch/")
    assert [s["id"] for s in launch["scos"]] == ["part-1"]
    assert launch["scos"][0]["sequence"] == 0

    commit = {
        "sco": "part-1",
        "sequence": 1,
        "cmi": {
            "cmi": {
                "core": {"lesson_status": "incomplete", "lesson_location": "2"},
                "suspend_data": "page:2",
            }
        },
    }
    first = client.post(launch["track"], json=commit, headers=headers)
    again = client.post(launch["track"], json=commit, headers=headers)
    assert first.status_code == 200 and first.get_json()["saved"] is True
    assert again.get_json()["saved"] is False

    reopened = client.post(f"{base}/launch", json={}, headers=headers).get_json()
    sco = reopened["scos"][0]
    assert sco["sequence"] == 1
    assert sco["cmi"]["core"]["entry"] == "resume"
    assert sco["cmi"]["core"]["lesson_location"] == "2"
    assert sco["cmi"]["suspend_data"] == "page:2"


def test_track_needs_the_csrf_token_and_well_formed_commits(
    session: Session, client: FlaskClient, course: Course, lecture: Lecture
) -> None:
    _learner(session, client, course)
    _, csrf = _page(client, course, lecture)
    url = f"/courses/{course.slug}/lectures/{lecture.slug}/scorm/track"
    body = {"sco": "part-1", "sequence": 1, "cmi": {}}
    assert client.post(url, json=body, headers={"Accept": "application/json"}).status_code == 400
    headers = {"X-CSRFToken": csrf, "Accept": "application/json"}
    for bad in ({"sco": "part-1"}, {"sco": 1, "sequence": 1, "cmi": {}}, [1, 2]):
        response = client.post(url, json=bad, headers=headers)
        assert response.status_code == 400
        assert response.headers["Content-Type"].startswith("application/problem+json")
    unknown = client.post(url, json={**body, "sco": "nope"}, headers=headers)
    assert unknown.status_code == 404


def test_a_learner_not_enrolled_cannot_launch_or_track(
    session: Session, client: FlaskClient, course: Course, lecture: Lecture
) -> None:
    user = make_user(session)
    session.commit()
    login(client, user.email or "", PASSWORD)
    csrf = csrf_from(client, f"/courses/{course.slug}")  # the enrol button's form
    base = f"/courses/{course.slug}/lectures/{lecture.slug}/scorm"
    headers = {"X-CSRFToken": csrf, "Accept": "application/json"}
    assert client.post(f"{base}/launch", json={}, headers=headers).status_code == 403
    body = {"sco": "part-1", "sequence": 1, "cmi": {}}
    assert client.post(f"{base}/track", json=body, headers=headers).status_code == 403


@pytest.fixture
def content(app: Flask, storage: Storage) -> FlaskClient:
    content_app = create_content_app(app.config["MOOC_SETTINGS"], storage)
    return content_app.test_client()


def _token(app: Flask, session: Session, lecture: Lecture) -> str:
    package = session.scalars(
        select(ScormPackage).where(ScormPackage.lecture_id == lecture.id)
    ).one()
    return tokens.grant(app.config["MOOC_SETTINGS"].secret_key, package.storage_prefix, "1.2")


def test_the_content_origin_serves_package_files_by_token_with_strict_headers(
    app: Flask, session: Session, lecture: Lecture, content: FlaskClient
) -> None:
    token = _token(app, session, lecture)
    content.set_cookie("mooc_session", "the-learners-session", domain="localhost")
    response = content.get(f"/c/{token}/part-1/index.html")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b"api.LMSInitialize" in response.data
    csp = response.headers["Content-Security-Policy"]
    platform = app.config["MOOC_SETTINGS"].base_url
    assert f"frame-ancestors 'self' {platform}" in csp
    assert "sandbox allow-scripts allow-forms allow-same-origin" in csp
    assert "connect-src 'self'" in csp and "allow-top-navigation" not in csp
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response.headers
    css = content.get(f"/c/{token}/part-1/style.css")
    assert css.mimetype == "text/css"


def test_the_content_origin_refuses_bad_tokens_and_paths(
    app: Flask, session: Session, lecture: Lecture, content: FlaskClient
) -> None:
    token = _token(app, session, lecture)
    assert content.get(f"/c/{token}x/part-1/index.html").status_code == 403
    forged = tokens.grant("another-secret", "scorm/whatever", "1.2")
    assert content.get(f"/c/{forged}/part-1/index.html").status_code == 403
    assert content.get(f"/c/{token}/missing.html").status_code == 404
    assert content.get(f"/c/{token}/../../etc/passwd").status_code == 404
    assert content.get(f"/c/{token}/part-1/%2e%2e/%2e%2e/x").status_code == 404
    old = tokens.read_grant(app.config["MOOC_SETTINGS"].secret_key, token, max_age=-1)
    assert old is None  # an expired token opens nothing


def test_the_launch_page_loads_the_runtime_for_its_version(
    app: Flask, session: Session, lecture: Lecture, content: FlaskClient
) -> None:
    token = _token(app, session, lecture)
    response = content.get(f"/launch/{token}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "/runtime/scorm12.min.js" in page and "scorm-launch.js" in page
    platform = app.config["MOOC_SETTINGS"].base_url
    assert f'data-platform="{platform}"' in page
    assert f"frame-ancestors {platform}" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    with content.get("/runtime/scorm12.min.js") as runtime:
        assert runtime.status_code == 200 and b"Scorm12API" in runtime.data
    assert content.get("/runtime/../../pyproject.toml").status_code == 404
