"""The catalogue pages: the home page and the searchable, filterable course list."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    session,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from mooc.catalog import queries
from mooc.catalog.models import Course, Level
from mooc.catalog.permissions import can_teach
from mooc.catalog.queries import CourseFilter
from mooc.errors import NotFound
from mooc.extensions import db
from mooc.pagination import page_number
from mooc.storage import is_inline
from mooc.web import edge
from mooc.web.auth import optional_account
from mooc.web.page_cache import PAGES, Filled, PageCache, Slots

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


_KEPT_SECONDS = 300


@bp.get("/courses")
def index() -> ResponseReturnValue:
    """The same for every reader but the header: kept rendered per state of the catalogue
    (`catalogue_stamp`), language and address, the header and the reader's id in its slots.
    Kept five minutes at most: what the stamp does not see (an institution renamed, a course
    changed by a server whose clock lags) shows by then, and a stale name is harmless."""
    pages: PageCache = current_app.extensions[PAGES]
    signed_in = current_user.is_authenticated
    key = (
        "catalogue",
        queries.catalogue_stamp(db.session),
        int(time.time()) // _KEPT_SECONDS,
        str(get_locale()),
        request.script_root,
        request.full_path,
        signed_in,
        edge.settings().page_size,
        current_app.config.get("MOOC_ASSET_VERSION", ""),
    )
    values = {
        "header": render_template("catalog/_header.html"),
        "user_id": str(current_user.id) if signed_in else "",
    }
    if session.get("_flashes"):
        return _catalogue_page(Filled(values))  # drawn for this reader alone, not kept
    return pages.filled(key, _catalogue_page, values)


def _catalogue_page(page_slots: Slots | Filled) -> str:
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
        page_slots=page_slots,
    )


# Media never runs as a page of ours: no scripts, no framing, downloaded unless it is plain media.
_MEDIA_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _readable_course(slug: str) -> Course:
    course = queries.course_by_slug(db.session, slug, include_drafts=True)
    if not course.is_published and not can_teach(optional_account(), course):
        raise NotFound(_("No such course."))
    return course


@bp.get("/courses/<slug>/media/<name>")
def media(slug: str, name: str) -> ResponseReturnValue:
    course = _readable_course(slug)
    asset = queries.media_asset(db.session, course, name)
    stored = _Stored(asset.storage_key, asset.content_type, asset.name, asset.size, asset.sha256)
    return _serve(stored, public=queries.is_public_media(db.session, course, asset.name))


@bp.get("/courses/<slug>/media/<name>/<label>")
def rendition(slug: str, name: str, label: str) -> ResponseReturnValue:
    """A smaller copy of a video (144p, 360p, audio only), as public as the video itself."""
    course = _readable_course(slug)
    found = queries.media_rendition(db.session, course, name, label)
    stem = name.rpartition(".")[0] or name
    download = f"{stem}-{label}.{(found.storage_key or '').rpartition('.')[2]}"
    stored = _Stored(
        found.storage_key or "",
        found.content_type,
        download,
        found.size or 0,
        f"{found.source_sha256[:32]}-{label}",
    )
    return _serve(stored, public=queries.is_public_media(db.session, course, name))


@dataclass(frozen=True)
class _Stored:
    key: str
    content_type: str
    name: str
    size: int
    etag: str


def _serve(stored: _Stored, *, public: bool) -> ResponseReturnValue:
    storage = edge.storage()
    # A player loads caption tracks only from the page's own origin (no CORS on the bucket):
    # caption files are served from here even when storage could hand out a direct URL.
    direct = None
    if stored.content_type != "text/vtt":
        direct = storage.url(
            stored.key,
            expires_in=300,
            content_type=stored.content_type,
            download_name=stored.name,
        )
    if direct:
        return redirect(direct, 302)
    try:
        handle = storage.open(stored.key)
    except FileNotFoundError:
        raise NotFound(_("No such media file.")) from None
    response = send_file(
        handle,
        mimetype=stored.content_type,
        as_attachment=not is_inline(stored.content_type),
        download_name=stored.name,
        etag=stored.etag,
        max_age=86400 if public else None,
        conditional=False,
    )
    # Seeking in a clip and resuming a download ask for byte ranges. send_file answers them
    # only when it knows the length, which a stored object's handle does not tell it.
    response.content_length = stored.size
    try:
        response.make_conditional(request, accept_ranges=True, complete_length=stored.size)
    except RequestedRangeNotSatisfiable:
        handle.close()
        raise
    if not public:  # drafts' media: no shared cache may keep it; browsers revalidate (ETag)
        response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = _MEDIA_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
