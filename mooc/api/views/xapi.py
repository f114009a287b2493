"""`GET /api/v1/xapi/statements`: stored learning statements, xAPI-style paging.

Administrators (logged in) read all of them; an institution's token with `xapi:read` reads those
about its own courses.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import Blueprint, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from mooc.accounts.models import User
from mooc.api import queries
from mooc.api.auth import calling_token, token_or_session_required
from mooc.api.bounds import MAX_USER_ID
from mooc.api.bounds import STATEMENTS_MAX_LIMIT as MAX_LIMIT
from mooc.api.models import ApiScope
from mooc.errors import Invalid
from mooc.extensions import db
from mooc.learning import xapi
from mooc.pagination import MAX_PAGE

bp = Blueprint("xapi", __name__, url_prefix="/api/v1/xapi")
FILTERS = ("agent", "verb", "since", "limit")


def _agent_user_id(raw: str) -> int | None:
    """The user an `agent` filter names: an xAPI agent JSON or a plain sign-in name.

    An agent's account name of digits is the platform's user id (what the statements carry);
    any other account name is a username, as pupils from a school roster have, often with no
    email; an `mbox` is an email. A plain string is an email when it has an @, else a username.
    Nobody matches: -1, so the filter finds nothing rather than everything.
    """
    raw = raw.strip()
    login = raw
    if raw.startswith("{"):
        try:
            agent = json.loads(raw)
        except (ValueError, RecursionError):
            raise Invalid(
                _("agent must be an xAPI agent object, an email address or a username")
            ) from None
        account = agent.get("account") if isinstance(agent, dict) else None
        name = str(account.get("name", "")).strip() if isinstance(account, dict) else ""
        # ASCII only: "²".isdigit(), yet int("²") fails; 4,300 digits is past int()'s limit.
        if name.isascii() and name.isdigit():
            return int(name) if len(name) <= 10 and int(name) <= MAX_USER_ID else -1
        if name:
            return _user_id(User.username, name)
        mbox = str(agent.get("mbox", "")) if isinstance(agent, dict) else ""
        return _user_id(User.email, mbox.removeprefix("mailto:")) if mbox else -1
    return _user_id(User.email if "@" in login else User.username, login)


def _user_id(column: InstrumentedAttribute[str | None], value: str) -> int:
    """The user whose email or username (both stored lowercase) is `value`, else -1."""
    user_id = db.session.scalar(select(User.id).where(column == value.strip().lower()))
    return user_id if user_id is not None else -1


def _since(raw: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw.strip().upper().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(_("since must be an ISO 8601 timestamp, e.g. 2026-01-31T08:00:00Z")) from None
    value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 lies before the first UTC moment
        return (dt.datetime.min if value.year == 1 else dt.datetime.max).replace(tzinfo=dt.UTC)


def _whole_number(name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10 and 1 <= int(raw) <= maximum):
        raise Invalid(
            _("%(name)s must be a whole number from 1 to %(max)d", name=name, max=maximum)
        )
    return int(raw)


def _filters() -> dict[str, str]:
    """The filters given (an empty agent or verb filters nothing; an empty since is no
    timestamp). NUL characters are refused: no database compares them."""
    given = {name: request.args[name] for name in FILTERS if name in request.args}
    if any("\x00" in value for value in given.values()):
        raise Invalid(_("Filters cannot contain NUL characters."))
    return {name: value for name, value in given.items() if value or name == "since"}


@bp.get("/statements")
@token_or_session_required(ApiScope.XAPI_READ, person_may=lambda user: user.is_admin)
def statements() -> ResponseReturnValue:
    given = _filters()
    flt = xapi.StatementFilter(
        agent_user_id=_agent_user_id(given["agent"]) if "agent" in given else None,
        verb=given.get("verb"),
        since=_since(given["since"]) if "since" in given else None,
    )
    limit = _whole_number("limit", 100, MAX_LIMIT)
    page = _whole_number("page", 1, MAX_PAGE)
    token = calling_token()
    if token is None:
        result = xapi.statements(db.session, flt, page=page, per_page=limit)
    else:
        result = queries.institution_statements(
            db.session, flt, token.institution_id, page=page, per_page=limit
        )
    query: dict[str, Any] = {**given, "page": page + 1}
    more = url_for("api.xapi.statements", **query) if result.has_next else ""
    response = jsonify(
        statements=[row.statement for row in result.items], more=more, total=result.total
    )
    response.headers["X-Experience-API-Version"] = "1.0.3"
    return response
