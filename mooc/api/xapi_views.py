"""`GET /api/v1/xapi/statements`: the stored learning statements (admins), xAPI-style paging."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import Blueprint, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from mooc.accounts.models import User
from mooc.errors import Invalid
from mooc.extensions import db
from mooc.learning import xapi
from mooc.web.auth import admin_required

bp = Blueprint("api_xapi", __name__, url_prefix="/api/v1/xapi")
MAX_LIMIT = 500


def _agent_user_id(raw: str) -> int | None:
    """The user an `agent` filter names: an xAPI agent JSON (account or mbox) or an email."""
    raw = raw.strip()
    email = raw
    if raw.startswith("{"):
        try:
            agent = json.loads(raw)
        except json.JSONDecodeError:
            raise Invalid("agent must be an xAPI agent object or an email address") from None
        account = agent.get("account") if isinstance(agent, dict) else None
        if isinstance(account, dict) and str(account.get("name", "")).isdigit():
            return int(account["name"])
        email = (
            str(agent.get("mbox", "")).removeprefix("mailto:") if isinstance(agent, dict) else ""
        )
    user_id = db.session.scalar(select(User.id).where(User.email == email.lower()))
    return user_id if user_id is not None else -1


def _since(raw: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid("since must be an ISO 8601 timestamp, e.g. 2026-01-31T08:00:00Z") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@bp.get("/statements")
@admin_required
def statements() -> ResponseReturnValue:
    args = request.args
    flt = xapi.StatementFilter(
        agent_user_id=_agent_user_id(args["agent"]) if args.get("agent") else None,
        verb=args.get("verb") or None,
        since=_since(args["since"]) if args.get("since") else None,
    )
    limit = args.get("limit", 100, type=int) or 100
    page = args.get("page", 1, type=int) or 1
    if not 1 <= limit <= MAX_LIMIT or page < 1:
        raise Invalid(f"limit must be 1–{MAX_LIMIT} and page ≥ 1")
    result = xapi.statements(db.session, flt, page=page, per_page=limit)
    query: dict[str, Any] = {**args.to_dict(), "page": page + 1}
    more = url_for("api_xapi.statements", **query) if result.has_next else ""
    response = jsonify(
        statements=[row.statement for row in result.items], more=more, total=result.total
    )
    response.headers["X-Experience-API-Version"] = "1.0.3"
    return response
