"""Student pages of a course: the course page, enrolment, lectures, "mark as done", dashboard."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from mooc.accounts import queries as account_queries
from mooc.accounts.models import User
from mooc.accounts.signed_in import SignedIn
from mooc.catalog import queries as catalog_queries
from mooc.catalog.core.players import OfferWords, offer_renditions
from mooc.catalog.models import Course
from mooc.db import utcnow
from mooc.errors import NotFound
from mooc.extensions import db, limiter
from mooc.learning import permissions, queries, services, view_notes
from mooc.learning.core.completion import CompletionStatus
from mooc.learning.deadlines import NO_DUES, CourseDues, course_dues
from mooc.learning.my_courses import my_courses
from mooc.learning.queries import (
    NOT_ENROLLED,
    CourseFacts,
    CourseVisit,
    LecturePlace,
    LectureReading,
    LectureVisit,
    lecture_place,
    ordered_lectures,
    studied_retired_lecture,
)
from mooc.learning.syllabus import (
    OUTLINES,
    CourseKey,
    CourseOutline,
    OutlineCache,
    PublishedText,
)
from mooc.learning.view_writer import EXTENSION as VIEW_WRITER
from mooc.learning.view_writer import ViewWriter
from mooc.learning.views import (
    flash_completion,
    own_session,
    reader_slots,
    site_header_html,
)
from mooc.web import edge, transactions
from mooc.web.auth import current_account, login_required, optional_account
from mooc.web.filters import one_decimal
from mooc.web.page_cache import PAGES, Filled, PageCache
from mooc.web.site_header import HeaderReader, header_reader_of

bp = Blueprint("learning", __name__)


def _dues(user_id: int | None, course: CourseKey) -> CourseDues:
    """The due dates the signed-in learner's classes set in the course (none for visitors)."""
    return course_dues(db.session, user_id, course.id, utcnow()) if user_id else NO_DUES


def _outlines() -> OutlineCache:
    cache: OutlineCache = current_app.extensions[OUTLINES]
    return cache


def _outline(course: CourseKey) -> CourseOutline:
    """The course's sections, lectures and quizzes: cached by the course's content revision."""
    return _outlines().outline(db.session, course)


@bp.get("/courses/<slug>")
def course(slug: str) -> ResponseReturnValue:
    """One statement for the session's check, the course, its cover and the reader's enrolment,
    completion and unread count (`queries.course_visit`); one for their completion status and
    lectures done; their class's due dates only if they may have some. The outline comes from
    the outline cache, the header from the page cache."""
    person: SignedIn | User | None = (
        current_user._get_current_object() if current_user.is_authenticated else None
    )
    visit: CourseVisit | None = g.pop("course_visit", None) if person is not None else None
    if visit is None:
        visit = queries.course_visit(db.session, slug, person.id if person else None)
    if visit is None or not visit.course.is_published:
        raise NotFound(_("No such course."))
    found = visit.course
    status: CompletionStatus | None = None
    done: set[int] = set()
    if person is not None and visit.enrolled:
        status, done = queries.course_status_and_done(db.session, person.id, found)
    elif person is not None:
        done = queries.done_lecture_ids(db.session, person.id, found.id)
    outline = _outline(found)
    lectures = outline.lectures
    completion = visit.completion
    if person is not None and status and status.complete and completion is None:
        # Retiring the one item a learner still lacked completes the course without any action
        # of theirs: record it when they next look (idempotent, like every completion).
        completion = services.complete_course_if_earned(
            db.session, current_account(), found, base_url=edge.base_url()
        )
        if completion is not None:
            db.session.commit()
            flash_completion()
    slots: dict[str, Filled] = {}
    if person is not None:  # the header from its kept copy, with the unread count read above
        slots["page_slots"] = reader_slots(person, visit.unread)
    return render_template(
        "learning/course.html",
        course=found,
        syllabus=outline.sections,
        enrolled=visit.enrolled,
        status=status,
        done_slugs={lec.slug for lec in lectures if lec.id in done},
        preview=lectures[0] if lectures else None,
        completion=completion,
        cover=visit.cover,
        dues=_dues(person.id if person and visit.may_have_dues else None, found),
        **slots,
    )


@bp.post("/courses/<slug>/enrol")
@login_required
def enrol(slug: str) -> ResponseReturnValue:
    found = catalog_queries.course_by_slug(db.session, slug)
    services.enrol(db.session, current_account(), found)
    db.session.commit()
    flash(_("You are enrolled. Good luck!"), "success")
    return redirect(url_for("learning.resume", slug=slug), 303)


@bp.route("/courses/<slug>/unenrol", methods=["GET", "POST"])
@login_required
def unenrol(slug: str) -> ResponseReturnValue:
    """GET asks for confirmation (works without JavaScript); POST, with its CSRF token, leaves."""
    found = catalog_queries.course_by_slug(db.session, slug)
    if request.method == "GET":
        user = current_account()
        if not queries.is_enrolled(db.session, user.id, found.id):
            return redirect(url_for("learning.course", slug=slug), 303)
        return render_template(
            "learning/unenrol.html",
            course=found,
            completion=queries.completion(db.session, user.id, found.id),
        )
    services.unenrol(db.session, current_account(), found)
    db.session.commit()
    flash(_("You have left the course. Your progress is kept if you come back."), "info")
    return redirect(url_for("learning.course", slug=slug), 303)


@bp.get("/courses/<slug>/resume")
@login_required
def resume(slug: str) -> ResponseReturnValue:
    """Where the learner left off, else the first lecture not done yet."""
    found = catalog_queries.course_by_slug(db.session, slug)
    user = current_account()
    lectures = ordered_lectures(db.session, found)
    if not lectures:
        return redirect(url_for("learning.course", slug=slug))
    enrolment = queries.enrolment(db.session, user.id, found.id)
    done = queries.done_lecture_ids(db.session, user.id, found.id)
    last = next(
        (lec for lec in lectures if enrolment and lec.id == enrolment.last_lecture_id), None
    )
    target = last if last is not None and last.id not in done else None
    target = target or next((lec for lec in lectures if lec.id not in done), last or lectures[0])
    return redirect(url_for("learning.lecture", slug=slug, lecture_slug=target.slug))


def _lecture_etag(
    depends: tuple[object, ...], user_id: int | None, reading: LectureReading, reader: str
) -> str:
    """Everything the page depends on: a 304 is only sent for an identical page. `depends` is
    what its kept body depends on (`_page_depends`); `reader` what the page shows of the reader
    (header, due dates), their id and kind of reading are theirs."""
    generate_csrf()  # the page embeds the session's token: create it before hashing, not after
    parts = (*depends, user_id, reading.done, reading.enrolled, reader, session.get("csrf_token"))
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def _lecture_session(user_id: str) -> SignedIn | User | None:
    """The lecture page's loader: the session checked in `queries.lecture_visit`."""
    args = request.view_args or {}
    if "lecture_slug" not in args:
        return account_queries.load_session_user(db.session, user_id)
    return own_session(
        user_id,
        "lecture_visit",
        lambda person_id: queries.lecture_visit(
            db.session, args["slug"], args["lecture_slug"], person_id
        ),
    )


def _course_session(user_id: str) -> SignedIn | User | None:
    """The course page's loader: the session checked in `queries.course_visit`."""
    slug = (request.view_args or {}).get("slug")
    if slug is None:
        return account_queries.load_session_user(db.session, user_id)
    return own_session(
        user_id,
        "course_visit",
        lambda person_id: queries.course_visit(db.session, slug, person_id),
    )


# Pages whose own statement checks the session (mooc.factory's user loader asks them first).
SESSION_LOADERS = {"learning.lecture": _lecture_session, "learning.course": _course_session}


def _visit(slug: str, lecture_slug: str, person: SignedIn | User | None) -> LectureVisit:
    """The statement the session's check read (for this person), else read now."""
    visit: LectureVisit | None = g.pop("lecture_visit", None) if person is not None else None
    if visit is None:
        user_id = person.id if person is not None else None
        visit = queries.lecture_visit(db.session, slug, lecture_slug, user_id)
    if visit is None or not visit.course.is_published:
        raise NotFound(_("No such course."))
    return visit


@bp.get("/courses/<slug>/lectures/<lecture_slug>")
@limiter.exempt  # no limit applies to it: not even looked up
@transactions.reads_first
def lecture(slug: str, lecture_slug: str) -> ResponseReturnValue:
    """One indexed statement for the session's check, the course, the reader's enrolment,
    progress on this lecture and unread count; one for their class's due dates; the view
    recorded (unless noted in the last minute). The outline and the text come from the outline
    cache, the page from the page cache (mooc.web.page_cache) with the reader's parts filled
    in; the course's row is read only to draw a page not kept yet."""
    person: SignedIn | User | None = (
        current_user._get_current_object() if current_user.is_authenticated else None
    )
    visit = _visit(slug, lecture_slug, person)
    found = visit.course
    row = _CourseRow(slug)
    place = _outline(found).place(lecture_slug)
    if place is None or place.lecture.version_id is None:
        return _retired_lecture(row(), lecture_slug)
    reading = NOT_ENROLLED
    if person is not None:
        reading = visit.reading
        if visit.lecture_id != place.lecture.id:  # an outline older than the row: read again
            reading = queries.lecture_reading(db.session, person.id, found.id, place.lecture.id)
    allowed = place.is_preview or reading.enrolled
    if not allowed and not permissions.can_read_lecture(optional_account(), row(), False, False):
        if person is None:
            return redirect(url_for("accounts.login", next=request.full_path), 302)
        flash(_("Enrol in the course to read this lecture."), "info")
        return redirect(url_for("learning.course", slug=slug), 303)
    text = _outlines().text(db.session, found, place.lecture.version_id)
    dues = _dues(person.id if person and visit.may_have_dues else None, found)
    lecture_due = dues.items.get(("lecture", place.lecture.slug))
    data_saver = person.data_saver if person is not None else True
    lecture_html, sizes = _with_renditions(found, text.html, data_saver)
    header = header_reader_of(person, reading.unread) if person is not None else None
    # A due date set, moved or passed, or a rendition made, changes the page: the validator
    # covers them.
    depends = _page_depends(found, text, sizes)
    etag = _lecture_etag(
        depends, person.id if person else None, reading, repr((dues.course, lecture_due, header))
    )
    # A page showing a one-time message gets no validator: the browser's copy of it must never
    # be confirmed by a 304 later, when the message is long gone.
    flashed = bool(session.get("_flashes"))
    if request.if_none_match.contains_weak(etag) and not flashed:
        response = make_response("", 304)
    else:

        def render(**slots: object) -> str:
            return render_template(
                "learning/lecture.html",
                course=row(),
                place=place,
                version=text,
                enrolled=reading.enrolled,
                done=reading.done,
                total=place.total,
                course_due=dues.course,
                lecture_due=lecture_due,
                lecture_html=lecture_html,
                **slots,
            )

        if person is None or header is None:  # both or neither
            page = _visitor_page(depends, render)
        else:
            dues_html = (
                render_template(
                    "learning/_lecture_dues.html", lecture_due=lecture_due, course_due=dues.course
                )
                if lecture_due or dues.course
                else ""
            )
            page = _reader_page(depends, reading, render, person.id, header, dues_html)
        response = make_response(page)
    if not flashed:
        response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    if person is not None:
        _note_view(person.id, found.id, place.lecture.id, reading)
    return response


class _CourseRow:
    """The course's ORM row, read on first use (drawing a page not kept yet, a teacher's
    check): the page's statement read only what keys its caches."""

    def __init__(self, slug: str) -> None:
        self._slug = slug
        self._row: Course | None = None

    def __call__(self) -> Course:
        if self._row is None:
            self._row = catalog_queries.course_to_read(db.session, self._slug)
        return self._row


def _note_view(user_id: int, course_id: int, lecture_id: int, reading: LectureReading) -> None:
    """Hand the reader's view to the process's writer (mooc.learning.view_writer), unless noted
    in the last minute or fetched for offline use (mooc/offline: not a reading, "resume" stays
    put): the page's own transaction only read.

    Where the writer does not write behind (tests), the page writes the note itself, after
    rendering: on SQLite in a writing transaction of its own (the reading one is deferred:
    mooc/web/transactions.py), on PostgreSQL in the reading one."""
    if request.headers.get("Purpose") == "prefetch":
        return
    note = view_notes.view_note(reading, user_id, course_id, lecture_id, utcnow())
    if note is None:
        return
    writer: ViewWriter = current_app.extensions[VIEW_WRITER]
    if writer.behind:
        writer.add(note)
        return
    if transactions.separate_write_transaction(db.session):
        db.session.commit()
        transactions.now_writing()
    with transactions.one_writer(db.session):
        view_notes.write_view_notes(db.session.connection(), [note])
        db.session.commit()


def _page_depends(course: CourseKey, text: PublishedText, sizes: str) -> tuple[object, ...]:
    """What every lecture page's kept body depends on: the course's content revision (its
    outline: the neighbours' titles, "lecture n of m") and last change (title, language), the
    lecture version, the offered renditions, language, zone (times are shown in the reader's),
    address and assets."""
    return (
        course.id,
        course.content_revision,
        course.updated_at,
        text.id,
        sizes,
        str(get_locale()),
        str(get_timezone()),
        request.method,
        request.full_path,
        current_app.config.get("MOOC_ASSET_VERSION", ""),
    )


def _visitor_page(depends: tuple[object, ...], render: Callable[..., str]) -> str:
    """The page as every visitor without an account sees it, rendered once per course content
    revision, lecture version, offered renditions, language, zone and address."""
    pages: PageCache = current_app.extensions[PAGES]
    key = ("lecture", *depends)
    if session.get("_flashes"):
        return render()
    return pages.visitor_page(key, render)


def _reader_page(
    depends: tuple[object, ...],
    reading: LectureReading,
    render: Callable[..., str],
    user_id: int,
    header: HeaderReader,
    dues_html: str,
) -> str:
    """The page of a signed-in reader: its body kept once per course content revision, lecture
    version, offered renditions, language, zone, address and kind of reader (enrolled, done),
    with the reader's own parts in its slots — the header (name, unread count, menus), the due
    dates of their class, their id, their CSRF token. A page with a message flashed is drawn
    whole, with the same parts."""
    pages: PageCache = current_app.extensions[PAGES]
    key = ("lecture, reader", *depends, reading.enrolled, reading.done)
    values = {
        "header": site_header_html(pages, header),
        "dues": dues_html,
        "user_id": str(user_id),
    }
    if session.get("_flashes"):
        return render(page_slots=Filled(values))  # drawn for this reader alone, not kept
    return pages.filled(key, lambda slots: render(page_slots=slots), values)


def _with_renditions(course: CourseFacts, html: str, data_saver: bool) -> tuple[str, str]:
    """The lecture's players with their videos' ready renditions (the smallest first with data
    saver, which visitors without an account have too), and a digest of what was offered."""
    if "<video" not in html:
        return html, ""
    offers = catalog_queries.rendition_offers(
        db.session, course, original=_("original"), audio=_("audio only")
    )
    words = OfferWords(sizes=_("Sizes"), megabytes=_("MB"), number=one_decimal)
    shown = offer_renditions(html, offers, data_saver=data_saver, words=words)
    digest = repr((data_saver, sorted((url, [o.url for o in o_]) for url, o_ in offers.items())))
    return shown, hashlib.sha256(digest.encode()).hexdigest()[:16]


def _retired_lecture(course: Course, slug: str) -> ResponseReturnValue:
    """A lecture retired from the course, for a learner who studied it: readable, no progress."""
    user = optional_account()
    if user is None:
        raise NotFound(_("No such lecture in this course."))
    lecture = studied_retired_lecture(db.session, course, slug, user.id)
    place = LecturePlace(lecture=lecture, index=0, previous=None, next=None, is_preview=False)
    return render_template(
        "learning/lecture.html",
        course=course,
        place=place,
        version=lecture.published_version,
        enrolled=False,
        done=False,
        retired=True,
        total=0,
    )


@bp.post("/courses/<slug>/lectures/<lecture_slug>/done")
@login_required
def mark_done(slug: str, lecture_slug: str) -> ResponseReturnValue:
    found = catalog_queries.course_by_slug(db.session, slug)
    place = lecture_place(db.session, found, lecture_slug)
    version = place.lecture.published_version
    if version is None:
        raise NotFound(_("No such lecture in this course."))
    user = current_account()
    # Where to go, known before the commit expires the lectures (no reading them again).
    target = url_for("learning.course", slug=slug)
    if place.next is not None:
        target = url_for("learning.lecture", slug=slug, lecture_slug=place.next.slug)
    if services.finish_lecture(db.session, user, place.lecture, version, base_url=edge.base_url()):
        flash_completion()
    db.session.commit()
    return redirect(target, 303)


@bp.get("/dashboard")
@login_required
def dashboard() -> ResponseReturnValue:
    mine = my_courses(db.session, current_account().id)
    return render_template(
        "learning/dashboard.html", in_progress=mine.in_progress, completions=mine.completed
    )
