"""Learning's pages, one module per audience: `student` (course, lectures, dashboard), `quiz`
(taking a quiz) and `teacher` (a course's learners). Views never import one another; what two of
them share lives here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, g, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import escape

from mooc.accounts import queries as account_queries
from mooc.accounts.models import User
from mooc.accounts.signed_in import SignedIn, signed_in
from mooc.extensions import db
from mooc.web.page_cache import PAGES, Filled, PageCache, Slots
from mooc.web.site_header import HeaderReader, header_reader_of


def flash_completion() -> None:
    """The congratulation shown when a learner's action completes a course."""
    flash(_("Congratulations! You have completed this course."), "success")


def own_session(user_id: str, name: str, read: Callable[[int], Any]) -> SignedIn | User | None:
    """Flask-Login's loader on a page whose own statement checks the session: `read(person id)`
    returns the page's visit (its `person` the row of `PERSON_COLUMNS`), kept in `g.<name>`
    for the view; the check is the same as everywhere (`accounts.signed_in`). No visit (no
    such course, or a page not of this kind): the person for the "not found" page's header."""
    raw_id, _sep, token = user_id.partition(":")
    visit = read(int(raw_id)) if raw_id.isdigit() else None
    if visit is None:
        return account_queries.load_session_user(db.session, user_id)
    person = signed_in(visit.person, token, _person_row)
    if person is not None:
        setattr(g, name, visit)
    return person


def _person_row(user_id: int) -> User:
    return account_queries.person_of_session(db.session, user_id)


def site_header_html(pages: PageCache, reader: HeaderReader) -> str:
    """The header for `reader`: kept once per language, mount point and the facts it shows but
    the name (unread count, menus), filled with the name and where the language switch returns."""
    key = ("site header", str(get_locale()), request.script_root, reader.facts())

    def draw(slots: Slots) -> str:
        return render_template(
            "_partials/site_header.html",
            reader=reader.without_name(slots.name),
            switch_next=slots.next,
        )

    values = {"name": str(escape(reader.name)), "next": str(escape(request.full_path))}
    return pages.filled(key, draw, values)


def reader_slots(person: SignedIn | User, unread: int) -> Filled:
    """The page's slots for a signed-in reader whose page read their unread count itself: the
    header from its kept copy (`site_header_html`), no COUNT of its own."""
    pages: PageCache = current_app.extensions[PAGES]
    header = site_header_html(pages, header_reader_of(person, unread))
    return Filled({"header": header, "user_id": str(person.id)})
