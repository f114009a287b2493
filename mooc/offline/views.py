"""Offline learning's addresses: the web app manifest and the service worker at the site root,
the offline page, My offline courses, a course's bundle, the offline quiz page, the sync, and the
teacher's choice of quizzes available offline."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from mooc.catalog import queries as catalog_queries
from mooc.catalog.models import Course
from mooc.catalog.permissions import can_teach
from mooc.errors import BadRequest, Invalid, NotFound, PermissionDenied
from mooc.extensions import db
from mooc.learning.permissions import require_enrolled
from mooc.learning.syllabus import OUTLINES, OutlineCache
from mooc.offline import queries, services
from mooc.offline.core.bundle import can_go_offline
from mooc.offline.core.sync import MalformedBatch, SyncItem, read_batch, read_item
from mooc.web import edge
from mooc.web.auth import current_account, login_required
from mooc.web.errors import problem

bp = Blueprint("offline", __name__)

THEME_COLOUR = "#0b5cad"
_SW_VERSION = "mooc_offline_sw_version"


def _static(name: str) -> Path:
    return Path(current_app.static_folder or "static") / name


def _asset(name: str) -> str:
    url: str = current_app.jinja_env.globals["asset"](name)  # type: ignore[operator]
    return url


def _worker_version() -> str:
    """Changes with the worker, the page script and the stylesheet: a new version installs a
    new worker, which drops the caches of the old one (downloaded courses are kept)."""
    version = current_app.extensions.get(_SW_VERSION)
    if version is None:
        digest = hashlib.sha256()
        for name in ("js/sw.js", "js/offline.js", "css/app.css"):
            digest.update(_static(name).read_bytes())
        version = current_app.extensions[_SW_VERSION] = digest.hexdigest()[:12]
    return str(version)


@bp.get("/manifest.webmanifest")
def webmanifest() -> ResponseReturnValue:
    """The installable app, named in the visitor's language."""
    body = {
        "name": _("mooc — open courses"),
        "short_name": "mooc",
        "description": _("Free open courses, also without a connection once downloaded."),
        "lang": str(get_locale()),
        "dir": "ltr",
        "start_url": url_for("learning.dashboard"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": [
            {
                "src": _asset(f"icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
            }
            for size in (192, 512)
        ],
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


@bp.get("/sw.js")
def service_worker() -> ResponseReturnValue:
    """The service worker, from the site root so that its scope is the whole site; its
    version and the files it keeps are written in here."""
    config = {
        "version": _worker_version(),
        "precache": [
            _asset("css/app.css"),
            _asset("js/offline.js"),
            _asset("icons/icon-192.png"),
        ],
        "fallback": url_for("offline.fallback"),
        "script": _asset("js/offline.js"),
    }
    source = _static("js/sw.js").read_text(encoding="utf-8")
    script = source.replace("/*CONFIG*/{}", json.dumps(config), 1)
    response = Response(script, mimetype="text/javascript")
    # Browsers check the worker for updates at most daily anyway; never keep an old one.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
def fallback() -> ResponseReturnValue:
    """What the service worker shows for a page that was not downloaded, with no connection."""
    return render_template("offline/fallback.html")


@bp.get("/offline/courses")
@login_required
def my_courses() -> ResponseReturnValue:
    """My offline courses: the device's list (the page's script reads it from the device)."""
    return render_template("offline/courses.html")


def _links() -> queries.Links:
    return queries.Links(
        course=lambda c: url_for("learning.course", slug=c.slug),
        lecture=lambda c, s: url_for("learning.lecture", slug=c.slug, lecture_slug=s),
        quiz_offline=lambda c, s: url_for("offline.quiz", course_id=c.id, quiz_slug=s),
        quiz_online=lambda c, s: url_for("quiz.overview", slug=c.slug, quiz_slug=s),
    )


def _enrolled_course(course_id: int) -> Course:
    """The published course the signed-in pupil is enrolled in; NotFound or PermissionDenied."""
    course = db.session.get(Course, course_id)
    if course is None or not course.is_published:
        raise NotFound(_("No such course."))
    require_enrolled(
        db.session, current_account(), course, _("Enrol in the course to download it.")
    )
    return course


def _translated(error: MalformedBatch) -> Invalid:
    """The core's English refusal in the pupil's language (still a 422)."""
    return Invalid(_(error.template, **error.values))


def _read_item(raw: Any) -> SyncItem:
    try:
        return read_item(raw)
    except MalformedBatch as error:
        raise _translated(error) from None


def _read_batch(body: Any) -> list[SyncItem]:
    try:
        return read_batch(body)
    except MalformedBatch as error:
        raise _translated(error) from None


def _json_guard() -> ResponseReturnValue | None:
    """Script endpoints answer 401 as problem details, not a redirect to the log-in page."""
    if not current_user.is_authenticated:
        return problem(401, _("Please log in to access this page."))
    return None


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/offline/courses/<int:course_id>/manifest.json")
def bundle(course_id: int) -> ResponseReturnValue:
    """What an enrolled pupil downloads of a course, with its bytes and revision."""
    if (refused := _json_guard()) is not None:
        return refused
    course = _enrolled_course(course_id)
    outlines: OutlineCache = current_app.extensions[OUTLINES]
    found = queries.course_bundle(
        db.session, course, outlines, _links(), current_app.config.get("MOOC_ASSET_VERSION", "")
    )
    document = queries.bundle_document(
        found,
        {
            "user": current_account().id,
            "title": course.title,
            "course_url": url_for("learning.course", slug=course.slug),
        },
    )
    return _no_store(jsonify(document))


@bp.route("/offline/courses/<int:course_id>/quizzes/<quiz_slug>", methods=["GET", "POST"])
@login_required
def quiz(course_id: int, quiz_slug: str) -> ResponseReturnValue:
    """A quiz available offline, without its key: the page's script keeps the answers on the
    device; without scripts, the form sends them like one synced item."""
    course = _enrolled_course(course_id)
    found = queries.offline_quiz(db.session, course, quiz_slug)
    if request.method == "POST":
        item = _read_item(
            {
                "id": request.form.get("client_id", ""),
                "kind": "quiz",
                "course": course.id,
                "slug": found.slug,
                "revision": request.form.get("revision", type=int),
                "answers": {k: request.form.getlist(k) for k in request.form if k[1:].isdigit()},
            }
        )
        result = services.sync_one(db.session, current_account(), item, base_url=edge.base_url())
        db.session.commit()
        if result.attempt_id is not None:
            return redirect(url_for("quiz.result", attempt_id=result.attempt_id), 303)
        flash(result.message or _("This quiz can only be taken online."), "error")
        return redirect(url_for("learning.course", slug=course.slug), 303)
    return render_template(
        "offline/quiz.html",
        course=course,
        quiz=found,
        questions=queries.public_questions(found),
        client_id=str(uuid.uuid4()),
    )


@bp.get("/offline/token")
def token() -> ResponseReturnValue:
    """A fresh CSRF token for the sync, fetched when the connection is back: a page kept on
    the device for days holds an expired one. Same-origin scripts only can read it."""
    if (refused := _json_guard()) is not None:
        return refused
    return _no_store(jsonify({"csrf_token": generate_csrf(), "user": current_account().id}))


@bp.post("/offline/sync")
def sync() -> ResponseReturnValue:
    """Receive what the pupil did offline (JSON, CSRF token in the X-CSRFToken header): each
    item once, graded and completed by the server."""
    if (refused := _json_guard()) is not None:
        return refused
    body: Any = request.get_json(silent=True)
    if body is None:
        raise BadRequest(_("The request could not be understood."))
    user = current_account()
    if isinstance(body, dict) and body.get("user") not in (None, user.id):
        # Items queued by another account on this device are never credited to this one.
        return problem(409, _("These items were recorded by another account."))
    results = services.sync(db.session, user, _read_batch(body), base_url=edge.base_url())
    db.session.commit()
    return _no_store(jsonify({"results": [_result_document(r) for r in results]}))


def _result_document(result: services.ItemResult) -> dict[str, Any]:
    """One item's outcome as the device reads it (with the attempt's result page, if any)."""
    document: dict[str, Any] = {
        "id": result.client_id,
        "outcome": result.outcome,
        "replay": result.replay,
        "completed": result.completed,
        "message": result.message,
    }
    if result.attempt_id is not None:
        document["result_url"] = url_for("quiz.result", attempt_id=result.attempt_id)
    return document


@bp.route("/offline/teach/<slug>", methods=["GET", "POST"])
@login_required
def teach(slug: str) -> ResponseReturnValue:
    """The teacher chooses the course's quizzes available offline (none by default)."""
    course = catalog_queries.course_by_slug(db.session, slug, include_drafts=True)
    user = current_account()
    if not can_teach(user, course):
        raise PermissionDenied(_("Only the course's teachers can change it."))
    if request.method == "POST":
        try:
            chosen = {int(v) for v in request.form.getlist("quiz")}
        except ValueError:
            raise BadRequest(_("Bad request")) from None
        services.set_offline_quizzes(db.session, user, course, chosen)
        db.session.commit()
        flash(_("Saved: pupils download these quizzes with the course."), "success")
        return redirect(url_for("offline.teach", slug=slug), 303)
    return render_template(
        "offline/teach.html",
        course=course,
        quizzes=queries.course_quizzes(db.session, course.id),
        flagged=queries.flagged_quiz_ids(db.session, course.id),
        can_go_offline=lambda q: can_go_offline(
            time_limit_minutes=q.time_limit_minutes, pool_size=q.pool_size
        ),
    )
