"""Every page speaks one language: the main pages of each role, rendered in English and in
Vietnamese on the demo data, hold no word of the other language outside user content (course
titles, names, records' own words, which keep the language they were written in)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, User
from mooc.assessment.models import Quiz
from mooc.catalog.models import Course, Lecture, Section
from mooc.credentials.models import IssuedCredential
from mooc.transfer.models import Agreement, Decision, RequestItem, RuleVersion, TransferRequest
from tests.helpers import login, signing_settings

CATALOGUE = Path(__file__).resolve().parents[3] / "mooc/translations/vi/LC_MESSAGES/messages.po"
# letters only Vietnamese uses among the two languages (tone marks and ă â đ ê ô ơ ư)
VIETNAMESE = re.compile(
    r"\w*[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]\w*",
    re.IGNORECASE,
)
# Ministry document numbers are names, alike in every language ("Circular 08/2021/TT-BGDĐT").
PROPER_NAMES = {"BGDĐT"}
SKIPPED = {"script", "style", "code", "textarea", "pre", "svg", "title"}


class _Text(HTMLParser):
    """The page's visible text and labels, leaving out what is marked as another language
    (`lang` on an element) and machine text (code, scripts)."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = values.get("lang")
        skip = tag in SKIPPED or (lang is not None and lang != self.language and tag != "html")
        if tag not in {"input", "img", "br", "meta", "link", "hr", "source", "track"}:
            self.stack.append((tag, skip))
        if not (skip or self._skipping()):
            for name in ("aria-label", "placeholder", "alt", "title"):
                if values.get(name):
                    self.parts.append(str(values[name]))
            if (
                tag == "input"
                and values.get("type") in {"submit", "button"}
                and values.get("value")
            ):
                self.parts.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping() and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str, language: str, user_content: list[str]) -> str:
    parser = _Text(language)
    parser.feed(html)
    text = "\n".join(parser.parts)
    for value in user_content:  # longest first, so a title is removed before a word of it
        text = text.replace(value, " ")
    return text


@cache
def english_labels() -> tuple[str, ...]:
    """UI sentences of the catalogue that Vietnamese translates (no placeholders)."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    labels = []
    for message in catalogue:
        if not message.id or isinstance(message.id, tuple) or "%" in message.id:
            continue
        if message.string and message.string != message.id and len(message.id.split()) >= 2:
            labels.append(message.id)
    return tuple(labels)


def _user_content(session: Session) -> list[str]:
    values: set[str] = set()
    for column in (
        Course.title,
        Course.description,
        Course.code,
        Section.title,
        Lecture.title,
        Quiz.title,
        Institution.name,
        User.name,
        User.email,
        IssuedCredential.name,
        RequestItem.name,
        RequestItem.issuer_name,
        RequestItem.proposal_course_title,
        Agreement.name,
        RuleVersion.local_course_title,
        TransferRequest.message,
        Decision.comment,
    ):
        values.update(value for value in session.scalars(select(column)).all() if value)
    for outcomes in session.scalars(select(Course.outcomes)).all():
        values.update(outcomes or [])
    return sorted(values, key=len, reverse=True)


def _pages(session: Session) -> Iterator[tuple[str | None, list[str]]]:
    record = session.scalars(
        select(IssuedCredential)
        .join(User, IssuedCredential.user_id == User.id)
        .where(User.email == "student@demo.test")
    ).first()
    assert record is not None
    item = session.scalars(select(RequestItem)).first()
    assert item is not None
    course = session.scalars(select(Course).where(Course.code == "MAT2002")).one()
    yield None, ["/", "/courses", f"/courses/{course.slug}", "/login", "/register", "/verify"]
    yield (
        "student@demo.test",
        [
            "/dashboard",
            f"/courses/{course.slug}",
            f"/courses/{course.slug}/unenrol",
            "/records",
            f"/records/{record.uuid}",
            f"/records/{record.uuid}/print",
            "/records/send",
            "/transfer/requests",
            f"/transfer/requests/{item.request_id}",
        ],
    )
    yield (
        "teacher@demo.test",
        [
            "/teach/",
            f"/teach/courses/{course.slug}/learners",
            "/author/",
            f"/author/courses/{course.slug}",
            "/account",
        ],
    )
    yield (
        "verifier@demo.test",
        [
            "/university/dai-hoc-da-nang",
            f"/university/dai-hoc-da-nang/items/{item.id}",
            f"/university/dai-hoc-da-nang/items/{item.id}/reject",
            "/university/dai-hoc-da-nang/agreements",
            "/university/dai-hoc-da-nang/trust",
            "/university/dai-hoc-da-nang/evaluate",
            "/university/dai-hoc-da-nang/export",
        ],
    )
    yield (
        "admin@demo.test",
        [
            "/admin/people",
            "/admin/institutions",
            "/admin/records",
            f"/admin/records/{record.uuid}",
            f"/admin/records/{record.uuid}/revoke",
        ],
    )


@pytest.mark.parametrize("language", ["en", "vi"])
def test_main_pages_of_each_role_speak_only_the_chosen_language(
    app: Flask, session: Session, language: str
) -> None:
    with signing_settings(app, demo=True):
        loaded = app.test_cli_runner().invoke(args=["demo", "load"])
        assert loaded.exit_code == 0, loaded.output
        for user in session.scalars(select(User)).all():
            user.locale = language
        session.commit()
        user_content = _user_content(session)
        leaks: dict[str, list[str]] = {}
        for email, urls in _pages(session):
            client = app.test_client()
            if email is not None:
                assert login(client, email, "demo-password").status_code in {302, 303}
            for url in urls:
                response = client.get(url, headers={"Accept-Language": language})
                if response.status_code != 200:
                    leaks[f"{email or 'visitor'} {url}"] = [str(response.status_code)]
                    continue
                text = visible_text(response.get_data(as_text=True), language, user_content)
                if language == "en":
                    found = sorted(set(VIETNAMESE.findall(text)) - PROPER_NAMES)
                else:
                    found = [label for label in english_labels() if label in text]
                if found:
                    leaks[f"{email or 'visitor'} {url}"] = found
    assert not leaks, "\n".join(f"{page}: {found}" for page, found in leaks.items())
