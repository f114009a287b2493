"""The installable app: the web app manifest in the reader's language, the service worker from
the site root with its version, the offline page without anyone's data, and every page linking
them under the site's Content-Security-Policy (scripts from the site only)."""

from __future__ import annotations

import json
import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mooc.accounts.models import Role
from tests.factories import PASSWORD, make_user
from tests.helpers import login
from tests.integration.learning.learners import Browser


def test_the_manifest_names_the_app_in_the_readers_language(client: FlaskClient) -> None:
    vi = client.get("/manifest.webmanifest", headers={"Accept-Language": "vi"})
    assert vi.mimetype == "application/manifest+json"
    body = json.loads(vi.get_data(as_text=True))
    assert body["lang"] == "vi" and body["name"] == "mooc — khoá học mở"
    assert body["display"] == "standalone" and body["start_url"] == "/dashboard"
    assert body["theme_color"].startswith("#")
    assert [i["sizes"] for i in body["icons"]] == ["192x192", "512x512"]
    for icon in body["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == "image/png"
        width = int.from_bytes(image.get_data()[16:20], "big")  # the PNG header's width
        image.close()  # static files are streamed from disk
        assert f"{width}x{width}" == icon["sizes"]
    en = json.loads(
        client.get("/manifest.webmanifest", headers={"Accept-Language": "en"}).get_data(True)
    )
    assert en["lang"] == "en" and en["name"] == "mooc — open courses"


def test_the_service_worker_comes_from_the_root_with_its_version(client: FlaskClient) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    script = response.get_data(as_text=True)
    config = json.loads(re.search(r"const CONFIG = (\{.*?\});", script).group(1))  # type: ignore[union-attr]
    assert re.fullmatch(r"[0-9a-f]{12}", config["version"])
    assert config["fallback"] == "/offline"
    assert config["script"].startswith("/static/js/offline.js?v=")
    for url in config["precache"]:
        cached = client.get(url)
        assert cached.status_code == 200
        cached.close()
    assert "/*CONFIG*/" not in script


def test_the_offline_page_holds_no_account_data(learner: Browser) -> None:
    page = learner.get("/offline").get_data(as_text=True)
    assert "You are offline" in page
    assert learner.user.name not in page
    assert "csrf_token" not in page and "Log out" not in page


def test_every_page_links_the_manifest_and_the_offline_script(
    client: FlaskClient, learner: Browser
) -> None:
    visitor = client.application.test_client().get("/courses")
    html = visitor.get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'data-worker="/sw.js"' in html and "data-user=" not in html
    assert "script-src 'self'" in visitor.headers["Content-Security-Policy"]
    mine = learner.get("/dashboard").get_data(as_text=True)
    assert f'data-user="{learner.user.id}"' in mine
    assert 'id="offline-status"' in mine


def test_my_offline_courses_needs_an_account(client: FlaskClient, learner: Browser) -> None:
    assert client.application.test_client().get("/offline/courses").status_code == 302
    page = learner.get("/offline/courses").get_data(as_text=True)
    assert "My offline courses" in page and "data-offline-list" in page


def _header(html: str) -> str:
    return html.split('<header class="site">', 1)[1].split("</header>", 1)[0]


def test_the_menu_leads_signed_in_pupils_to_their_offline_courses(
    client: FlaskClient, learner: Browser, session: Session
) -> None:
    """Shown without scripts too: My offline courses says when the browser cannot keep courses.
    Teachers' menus are full already (their course pages link it)."""
    link = '<a href="/offline/courses">My offline courses</a>'
    visitor = client.application.test_client().get("/courses").get_data(as_text=True)
    assert link not in visitor
    mine = learner.get("/courses").get_data(as_text=True)
    assert _header(mine).count(link) == 2  # the wide menu and the phone's folded one
    make_user(session, ("thcs-ba-dinh", Role.TEACHER), email="co-giao@example.test")
    session.commit()
    teacher = client.application.test_client()
    teacher.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(teacher, "co-giao@example.test", PASSWORD)
    theirs = teacher.get("/courses").get_data(as_text=True)
    assert "Teaching" in _header(theirs) and link not in _header(theirs)
    page = learner.get("/offline/courses").get_data(as_text=True)
    assert "This browser cannot keep courses for offline use." in page
