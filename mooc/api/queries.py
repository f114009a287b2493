"""Reading API tokens, and the learning statements an institution's token may read."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, exists, literal, or_, select
from sqlalchemy.orm import Session

from mooc.api.models import ApiToken
from mooc.catalog.models import Course
from mooc.errors import NotFound
from mooc.learning import xapi
from mooc.learning.models import XapiStatement
from mooc.pagination import Page, paginate


def institution_tokens(session: Session, institution_id: int) -> Sequence[ApiToken]:
    """An institution's tokens, newest first, revoked ones included (they explain old calls)."""
    return session.scalars(
        select(ApiToken)
        .where(ApiToken.institution_id == institution_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def institution_token(session: Session, institution_id: int, token_id: int) -> ApiToken:
    """Token `token_id` if it is `institution_id`'s; `NotFound` otherwise, also when it exists
    for another institution (its staff must not learn that it does)."""
    token = session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.institution_id == institution_id)
    )
    if token is None:
        raise NotFound(_("There is no such API token."))
    return token


def _about_institution_courses(institution_id: int) -> ColumnElement[bool]:
    """A statement whose activity is one of the institution's courses or lies inside one
    (`…/courses/<slug>` or `…/courses/<slug>/…`, whatever base URL it was recorded under)."""
    path = literal("%/courses/") + Course.slug
    return exists().where(
        Course.institution_id == institution_id,
        or_(XapiStatement.object_id.like(path), XapiStatement.object_id.like(path + "/%")),
    )


def institution_statements(
    session: Session,
    flt: xapi.StatementFilter,
    institution_id: int,
    *,
    page: int = 1,
    per_page: int = 100,
) -> Page[XapiStatement]:
    """Like `xapi.statements`, limited to learning in `institution_id`'s own courses: a
    university's systems see their courses' learners, never what happens elsewhere."""
    stmt = select(XapiStatement).where(_about_institution_courses(institution_id))
    if flt.agent_user_id is not None:
        stmt = stmt.where(XapiStatement.user_id == flt.agent_user_id)
    if flt.verb:
        stmt = stmt.where(XapiStatement.verb == xapi.VERBS.get(flt.verb, flt.verb))
    if flt.since is not None:
        stmt = stmt.where(XapiStatement.stored_at > flt.since)
    ordered = stmt.order_by(XapiStatement.stored_at, XapiStatement.id)
    return paginate(session, ordered, page=page, per_page=per_page, clamp=False)
