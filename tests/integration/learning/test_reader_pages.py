"""The lecture page of signed-in readers, kept once per kind of reader with slots for their own
parts (mooc.web.page_cache): each pupil gets their own name, menus, unread count, marks and
CSRF token, never another's, whichever of them drew the kept page first."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy.orm import Session

from mooc.accounts.models import Role, User
from mooc.learning import services
from mooc.notifications.kinds import RECORD_ISSUED
from mooc.notifications.services import notify
from tests.factories import make_user
from tests.integration.lecture_courses import generated_course, sign_in

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
AN = "Nguyễn <An> & Co"  # drawn escaped, never as markup
BINH = "Trần Bình"


def _read(client: FlaskClient, url: str) -> str:
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _pupil(session: Session, name: str, *roles: tuple[str, Role]) -> User:
    return make_user(session, *roles, name=name)


def test_two_pupils_get_each_their_own_parts_of_the_kept_page(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    course = generated_course(session, app.extensions["mooc_storage"], tmp_path, 3)
    an = _pupil(session, AN)
    binh = _pupil(session, BINH, ("thcs-ba-dinh", Role.TEACHER))
    for pupil in (an, binh):
        services.enrol(session, pupil, course)
    notify(session, [binh.id], RECORD_ISSUED, {"record": "Toán 6"}, None)
    notify(session, [binh.id], RECORD_ISSUED, {"record": "Tin học"}, None)
    session.commit()
    first, second = app.test_client(), app.test_client()
    sign_in(first, an)
    sign_in(second, binh)
    url = f"/courses/{course.slug}/lectures/bai-1"
    token = TOKEN.findall(_read(first, url))[0]
    assert first.post(f"{url}/done", data={"csrf_token": token}).status_code == 303

    # Each reads the page twice, turn by turn: kept after the first reading of each kind.
    pages = {n: [] for n in ("an", "binh")}  # type: dict[str, list[str]]
    for _ in range(2):
        pages["an"].append(_read(first, url))
        pages["binh"].append(_read(second, url))
    for page in pages["an"]:
        assert str(escape(AN)) in page and AN not in page
        assert BINH not in page
        assert "You have finished this lecture." in page and "Mark as done" not in page
        assert "Teaching" not in page and "unread" not in page
        assert f'data-user="{an.id}"' in page and f'data-user="{binh.id}"' not in page
    for page in pages["binh"]:
        assert BINH in page and str(escape(AN)) not in page
        assert "Mark as done" in page and "You have finished this lecture." not in page
        assert "Teaching" in page and "(2<span" in page
        assert f'data-user="{binh.id}"' in page and f'data-user="{an.id}"' not in page
    # Tokens: each page carries its reader's own session token (the log-out form, the language
    # switcher, "Mark as done"; signed anew, with the time, on each request), never the other's,
    # and it works for its session only.
    mine = {
        n: {t.split(".")[0] for page in p for t in TOKEN.findall(page)} for n, p in pages.items()
    }
    assert len(mine["an"]) == 1 and len(mine["binh"]) == 1
    assert mine["an"].isdisjoint(mine["binh"])
    token = TOKEN.findall(pages["binh"][-1])[0]
    assert first.post(f"{url}/done", data={"csrf_token": token}).status_code == 400
    assert second.post(f"{url}/done", data={"csrf_token": token}).status_code == 303
    assert "You have finished this lecture." in _read(second, url)


def test_a_new_notification_changes_the_header_and_the_validator(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    course = generated_course(session, app.extensions["mooc_storage"], tmp_path, 2)
    pupil = _pupil(session, BINH)
    services.enrol(session, pupil, course)
    session.commit()
    sign_in(client, pupil)
    url = f"/courses/{course.slug}/lectures/bai-2"
    seen = client.get(url, headers={"Accept-Language": "en"})
    assert "unread" not in seen.get_data(as_text=True)
    etag = seen.headers["ETag"]
    again = client.get(url, headers={"Accept-Language": "en", "If-None-Match": etag})
    assert again.status_code == 304
    notify(session, [pupil.id], RECORD_ISSUED, {"record": "Toán 6"}, None)
    session.commit()
    told = client.get(url, headers={"Accept-Language": "en", "If-None-Match": etag})
    assert told.status_code == 200
    assert "(1<span" in told.get_data(as_text=True)
