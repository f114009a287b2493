"""The language of a page (the user's setting, then the switcher, then Accept-Language) and the
time zone its times are shown in (the user's setting, then the platform's default)."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import has_request_context, request, session
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from mooc.web import edge


def select_locale() -> Locale:
    """Every page asks once: the answer is a `Locale` kept per language (Flask-Babel would
    parse a tag again at every request) and the browser's header is read once per distinct
    header (browsers send few)."""
    settings = edge.settings()
    if not has_request_context():  # CLI commands and jobs speak the default language
        return _locale(str(settings.default_language))
    languages: tuple[str, ...] = settings.languages
    if current_user.is_authenticated and current_user.locale in languages:
        return _locale(str(current_user.locale))
    chosen = session.get("lang")
    if chosen in languages:
        return _locale(str(chosen))
    best = _best_language(request.headers.get("Accept-Language", ""), languages)
    return _locale(best or str(settings.default_language))


@lru_cache(maxsize=16)
def _locale(tag: str) -> Locale:
    return Locale.parse(tag)


@lru_cache(maxsize=512)
def _best_language(header: str, languages: tuple[str, ...]) -> str | None:
    """The language of `languages` an Accept-Language `header` prefers (bounded: a client
    inventing headers only pushes older ones out)."""
    return parse_accept_header(header, LanguageAccept).best_match(languages)


def select_timezone() -> str:
    settings = edge.settings()
    if has_request_context() and current_user.is_authenticated and current_user.timezone:
        return str(current_user.timezone)
    return str(settings.default_timezone)
