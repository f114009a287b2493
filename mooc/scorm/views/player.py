"""The SCORM player's calls from the lecture page: launch (what to play, with a signed
content-origin URL and the learner's data to resume), track (one runtime commit, saved once) and
navigate (where a navigation request leads: the SCO's `adl.nav.request`, previous, next, a part
of the table of contents).

Both are JSON, posted with the page's CSRF token; errors are problem details.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from mooc.accounts.models import User
from mooc.catalog import queries as catalog_queries
from mooc.catalog.models import Course, ScormPackage
from mooc.errors import BadRequest, NotFound, PermissionDenied
from mooc.extensions import db
from mooc.learning import permissions as learning_permissions
from mooc.learning import queries as learning_queries
from mooc.learning.syllabus import OUTLINES, OutlineCache
from mooc.scorm import queries, services, tokens
from mooc.web import edge
from mooc.web.auth import current_account, login_required, optional_account

bp = Blueprint("scorm", __name__)


def _lecture_package(
    slug: str, lecture_slug: str, user: User | None
) -> tuple[Course, ScormPackage, bool]:
    """The course, the package of its lecture and whether the reader is enrolled; raises
    `NotFound` or `PermissionDenied` as the lecture page would."""
    course = catalog_queries.course_to_read(db.session, slug)
    outlines: OutlineCache = current_app.extensions[OUTLINES]
    place = outlines.outline(db.session, course).place(lecture_slug)
    if place is None or not place.lecture.scorm:
        raise NotFound(_("This lecture has no SCORM package."))
    enrolled = user is not None and learning_queries.is_enrolled(db.session, user.id, course.id)
    if not learning_permissions.can_read_lecture(user, course, place.is_preview, enrolled):
        raise PermissionDenied(_("Enrol in the course to read this lecture."))
    return course, queries.package_of(db.session, place.lecture.id), enrolled


@bp.post("/courses/<slug>/lectures/<lecture_slug>/scorm/launch")
def launch(slug: str, lecture_slug: str) -> ResponseReturnValue:
    user = optional_account()
    course, package, enrolled = _lecture_package(slug, lecture_slug, user)
    settings = edge.settings()
    token = tokens.grant(settings.secret_key, package.storage_prefix, package.version)
    scos = queries.sco_launches(db.session, user if enrolled else None, package)
    return jsonify(
        version=package.version,
        title=package.title,
        origin=settings.content_origin,
        launch=f"{settings.content_origin}/launch/{token}",
        track=(f"/courses/{course.slug}/lectures/{lecture_slug}/scorm/track" if enrolled else None),
        scos=[
            {
                "id": sco.identifier,
                "title": sco.title,
                "href": sco.href,
                "finished": sco.finished,
                "score": sco.score,
                "sequence": sco.sequence,
                "cmi": sco.cmi,
                "valid": sco.valid,
                "choice": sco.choice,
            }
            for sco in scos
        ],
    )


def _commit_body() -> tuple[str, int, Any, bool]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest(_("Send the runtime's data as a JSON object."))
    sco, sequence, cmi = body.get("sco"), body.get("sequence"), body.get("cmi")
    if not isinstance(sco, str) or not isinstance(sequence, int) or isinstance(sequence, bool):
        raise BadRequest(_("A commit names its SCO and its sequence number."))
    if not 0 < sequence < 2**31 or not isinstance(cmi, dict):
        raise BadRequest(_("A commit names its SCO and its sequence number."))
    return sco, sequence, cmi, body.get("first") is True


@bp.post("/courses/<slug>/lectures/<lecture_slug>/scorm/track")
@login_required
def track(slug: str, lecture_slug: str) -> ResponseReturnValue:
    user = current_account()
    if request.content_length is not None and request.content_length > 512 * 1024:
        raise BadRequest(_("The runtime's data is too large."))
    _course, package, _enrolled = _lecture_package(slug, lecture_slug, user)
    sco, sequence, cmi, first = _commit_body()
    tracked = services.track(
        db.session,
        user,
        package,
        sco,
        sequence,
        cmi,
        base_url=edge.base_url(),
        opens_launch=first,
    )
    db.session.commit()
    return jsonify(
        saved=tracked.saved,
        sequence=tracked.state.sequence,
        completion=tracked.state.completion_status,
        success=tracked.state.success_status,
        score=tracked.state.score,
        lecture_done=tracked.lecture_done,
    )


@bp.post("/courses/<slug>/lectures/<lecture_slug>/scorm/navigate")
def navigate(slug: str, lecture_slug: str) -> ResponseReturnValue:
    _course, package, _enrolled = _lecture_package(slug, lecture_slug, optional_account())
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest(_("Send the navigation request as a JSON object."))
    current, wanted = body.get("sco"), body.get("request")
    if not (current is None or isinstance(current, str)) or not isinstance(wanted, str):
        raise BadRequest(_("A navigation request names its SCO and the request."))
    decision = services.navigate(package, current, wanted[:300])
    return jsonify(action=decision.action, sco=decision.target)
