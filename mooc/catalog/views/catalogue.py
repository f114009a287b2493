"""The catalogue pages: the home page and the searchable, filterable course list."""

from __future__ import annotations

from flask import (
    Blueprint,
    redirect,
    render_template,
    request,
    send_file,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from mooc.catalog import queries
from mooc.catalog.models import Level
from mooc.catalog.permissions import can_teach
from mooc.catalog.queries import CourseFilter
from mooc.errors import NotFound
from mooc.extensions import db
from mooc.pagination import page_number
from mooc.storage import is_inline
from mooc.web import edge
from mooc.web.auth import optional_account

bp = Blueprint("catalog", __name__)


def _filter_from_args() -> CourseFilter:
    args = request.args
    level = args.get("level", "")
    grade = args.get("grade", type=int)
    return CourseFilter(
        q=args.get("q", "")[:200],
        level=Level(level) if level in {lv.value for lv in Level} else None,
        grade=grade if grade is not None and 1 <= grade <= 12 else None,
        subject=args.get("subject") or None,
        institution=args.get("institution") or None,
    )


@bp.get("/")
def home() -> ResponseReturnValue:
    per_page = edge.settings().page_size
    k12 = queries.published_courses(db.session, CourseFilter(level=Level.K12), per_page=per_page)
    uni = queries.published_courses(
        db.session, CourseFilter(level=Level.UNIVERSITY), per_page=per_page
    )
    return render_template("catalog/home.html", k12=k12, university=uni)


@bp.get("/courses")
def index() -> ResponseReturnValue:
    flt = _filter_from_args()
    page = page_number(request.args.get("page"))
    results = queries.published_courses(
        db.session, flt, page=page, per_page=edge.settings().page_size
    )
    return render_template(
        "catalog/index.html",
        results=results,
        flt=flt,
        subjects=queries.subjects_in_use(db.session),
        providers=queries.university_providers(db.session),
    )


# Media never runs as a page of ours: no scripts, no framing, downloaded unless it is plain media.
_MEDIA_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


@bp.get("/courses/<slug>/media/<name>")
def media(slug: str, name: str) -> ResponseReturnValue:
    course = queries.course_by_slug(db.session, slug, include_drafts=True)
    if not course.is_published and not can_teach(optional_account(), course):
        raise NotFound(_("No such course."))
    asset = queries.media_asset(db.session, course, name)
    storage = edge.storage()
    # A player loads caption tracks only from the page's own origin (no CORS on the bucket):
    # caption files are served from here even when storage could hand out a direct URL.
    direct = None
    if asset.content_type != "text/vtt":
        direct = storage.url(
            asset.storage_key,
            expires_in=300,
            content_type=asset.content_type,
            download_name=asset.name,
        )
    if direct:
        return redirect(direct, 302)
    try:
        handle = storage.open(asset.storage_key)
    except FileNotFoundError:
        raise NotFound(_("No such media file.")) from None
    public = queries.is_public_media(db.session, course, asset.name)
    response = send_file(
        handle,
        mimetype=asset.content_type,
        as_attachment=not is_inline(asset.content_type),
        download_name=asset.name,
        etag=asset.sha256,
        max_age=86400 if public else None,
        conditional=False,
    )
    # Seeking in a clip and resuming a download ask for byte ranges. send_file answers them
    # only when it knows the length, which a stored object's handle does not tell it.
    response.content_length = asset.size
    try:
        response.make_conditional(request, accept_ranges=True, complete_length=asset.size)
    except RequestedRangeNotSatisfiable:
        handle.close()
        raise
    if not public:  # drafts' media: no shared cache may keep it; browsers revalidate (ETag)
        response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = _MEDIA_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
