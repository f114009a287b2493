"""The language of a page (the user's setting, then the switcher, then Accept-Language) and the
time zone its times are shown in (the user's setting, then the platform's default)."""

from __future__ import annotations

from flask import has_request_context, request, session
from flask_login import current_user

from mooc.web import edge


def select_locale() -> str:
    settings = edge.settings()
    if not has_request_context():  # CLI commands and jobs speak the default language
        return str(settings.default_language)
    languages: tuple[str, ...] = settings.languages
    if current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    best = request.accept_languages.best_match(languages)
    return best or str(settings.default_language)


def select_timezone() -> str:
    settings = edge.settings()
    if has_request_context() and current_user.is_authenticated and current_user.timezone:
        return str(current_user.timezone)
    return str(settings.default_timezone)
