"""Errors as friendly HTML pages, or RFC 9457 problem details under /api. Never a traceback."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from mooc.errors import DomainError
from mooc.extensions import limiter

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        410: _("No longer available"),
        413: _("The file or form is too large"),
        415: _("Unsupported content type"),
        422: _("Some input could not be accepted"),
        429: _("Too many requests"),
        500: _("Something went wrong on our side"),
        503: _("Service unavailable"),
    }


def _details() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please check the form and try again."),
        403: _("Your account does not have the role needed here."),
        404: _("We could not find what you were looking for. It may have moved or been removed."),
        405: _("This address does not accept that kind of request."),
        410: _("This link has expired or was used up. Please ask for a new one."),
        413: _("Please choose a smaller file."),
        415: _("This address accepts another kind of content."),
        429: _("Please wait a moment before trying again."),
        500: _("The error has been logged. Please try again in a little while."),
    }


def problem(status: int, detail: str | None = None, **extra: Any) -> tuple[Response, int]:
    """RFC 9457 problem details, whatever the client asked for (APIs and script endpoints)."""
    title = _titles().get(status, _("Error"))
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail or _details().get(status, title),
        **extra,
    }
    response = jsonify(body)
    response.mimetype = "application/problem+json"
    return response, status


def error_response(status: int, detail: str | None = None, **extra: Any) -> tuple[Response, int]:
    title = _titles().get(status, _("Error"))
    detail = detail or _details().get(status, title)
    if wants_json():
        return problem(status, detail, **extra)
    html = render_template("errors/error.html", status=status, title=title, detail=detail)
    return Response(html, mimetype="text/html"), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[Response, int]:
        return error_response(
            400, _("The form had expired or was not sent from this site. Please try again.")
        )

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> tuple[Response, int]:
        return error_response(exc.status, exc.message)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(exc: RateLimitExceeded) -> tuple[Response, int]:
        wait = _longest_wait()
        detail = None
        if wait > 60:
            minutes = -(-wait // 60)
            detail = ngettext(
                "Please wait %(num)d minute before trying again.",
                "Please wait %(num)d minutes before trying again.",
                minutes,
            )
        response, status = error_response(429, detail)
        if wait:  # Flask-Limiter would name the shortest breached limit; the longest is the truth
            response.headers["Retry-After"] = str(wait)
        return response, status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        if exc.code is None or exc.code < 400:
            return exc.get_response()
        response, status = error_response(exc.code, None if exc.code >= 500 else _desc(exc))
        if exc.code == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        return response, status

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[Response, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(InternalServerError.code)


def _longest_wait() -> int:
    """Seconds until every limit this request broke lets it through again (0 if unknown)."""
    resets = [limit.reset_at for limit in limiter.current_limits if limit.breached]
    # Whole seconds rounded down, as Flask-Limiter writes its own Retry-After: one number on the
    # page and in the header (60.8 s left of a one-minute window is "a moment", not "2 minutes").
    return max(1, int(max(resets) - time.time())) if resets else 0


def _desc(exc: HTTPException) -> str | None:
    """Our own abort(…, description) messages are shown; Werkzeug's stock English ones are not."""
    stock = type(exc).description
    return exc.description if exc.description and exc.description != stock else None
