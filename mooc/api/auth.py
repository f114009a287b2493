"""Guards of API views: an institution's bearer token with a scope, or (where a view allows it)
a logged-in person.

Token calls carry no cookies, so views behind `token_required` are exempt from the automatic
CSRF check; a cookie-authenticated call that changes something is still checked (see
`token_or_session_required`), and a browser cannot add an Authorization header to a cross-site
form post.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, g, request
from flask_babel import gettext as _
from flask_login import current_user

from mooc.accounts.models import Institution, User
from mooc.api import services
from mooc.api.models import ApiScope, ApiToken
from mooc.db import utcnow
from mooc.extensions import csrf, db
from mooc.web import edge
from mooc.web.errors import problem

F = TypeVar("F", bound=Callable[..., Any])
REALM = 'Bearer realm="mooc"'
# Marks a view reached with a bearer token (tests check every CSRF-exempt view carries it).
SCOPE_ATTRIBUTE = "api_token_scope"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def bearer_credentials() -> str | None:
    """The token of an `Authorization: Bearer …` header; "" when the header is there but is no
    bearer token, None when there is none."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, credentials = header.strip().partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


def unauthorized(detail: str, *, error: str | None = None) -> tuple[Response, int]:
    """401 problem details with the RFC 6750 challenge."""
    response, status = problem(401, detail, title=_("Authentication needed"))
    response.headers["WWW-Authenticate"] = REALM + (f', error="{error}"' if error else "")
    return response, status


def insufficient_scope(scope: ApiScope) -> tuple[Response, int]:
    response, status = problem(
        403,
        _("This API token lacks the permission %(scope)s.", scope=scope.value),
        scope=scope.value,
    )
    response.headers["WWW-Authenticate"] = (
        f'{REALM}, error="insufficient_scope", scope="{scope.value}"'
    )
    return response, status


def _token_call(presented: str, scope: ApiScope) -> ApiToken | tuple[Response, int]:
    """The token behind `presented` when it may use `scope`, else the refusal to answer with."""
    if not presented:
        return unauthorized(_("Send the API token as: Authorization: Bearer <token>."))
    settings = edge.settings()
    now = utcnow()
    try:
        token = services.authenticate(
            db.session, presented, pepper=settings.api_token_pepper, now=now
        )
    except services.InvalidToken as exc:
        return unauthorized(exc.message, error="invalid_token")
    if not token.has_scope(scope):
        return insufficient_scope(scope)
    if services.record_use(db.session, token, now):
        db.session.commit()
    return token


def token_required(scope: ApiScope) -> Callable[[F], F]:
    """Only a system holding an institution's token with `scope` passes; the view reads the
    caller with `calling_institution()`. 401 without a usable token, 403 without the scope."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            presented = bearer_credentials()
            if presented is None:
                return unauthorized(_("This address needs an API token."))
            outcome = _token_call(presented, scope)
            if not isinstance(outcome, ApiToken):
                return outcome
            g.api_token = outcome
            return view(*args, **kwargs)

        setattr(wrapped, SCOPE_ATTRIBUTE, scope)
        return cast(F, csrf.exempt(wrapped))

    return decorator


def token_or_session_required(
    scope: ApiScope, *, person_may: Callable[[User], bool]
) -> Callable[[F], F]:
    """A token with `scope` (as `token_required`), or a logged-in person `person_may` accepts
    (`calling_token()` is then None). A person's changes are CSRF-checked as on any form."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            presented = bearer_credentials()
            if presented is not None:
                outcome = _token_call(presented, scope)
                if not isinstance(outcome, ApiToken):
                    return outcome
                g.api_token = outcome
                return view(*args, **kwargs)
            if not current_user.is_authenticated:
                return unauthorized(_("Log in, or send an API token."))
            if not person_may(cast(User, current_user)):
                return problem(403)
            if request.method not in SAFE_METHODS:
                csrf.protect()  # the automatic check skips this view for token calls' sake
            g.api_token = None
            return view(*args, **kwargs)

        setattr(wrapped, SCOPE_ATTRIBUTE, scope)
        return cast(F, csrf.exempt(wrapped))

    return decorator


def calling_token() -> ApiToken | None:
    """The token the current API call came with (None for a logged-in person)."""
    return cast(ApiToken | None, g.get("api_token"))


def calling_institution() -> Institution:
    """The institution whose token made this call; only behind `token_required`."""
    token = calling_token()
    if token is None:
        raise LookupError("calling_institution() outside a token-authenticated call")
    return token.institution
