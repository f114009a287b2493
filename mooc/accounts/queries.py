"""Reading people and institutions: the session's user, an institution by slug, the lists the
administration pages show, the time zones a profile may choose. Writes are in `services`."""

from __future__ import annotations

import secrets
import zoneinfo
from collections.abc import Collection, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from mooc.accounts.core.search_text import person_search_terms
from mooc.accounts.models import Institution, Membership, Role, User
from mooc.errors import NotFound
from mooc.pagination import Page, paginate
from mooc.search_index import contains_all

# Every page's header asks for the person's roles: loaded in the same statement, built once.
_SESSION_USER = select(User).options(joinedload(User.memberships)).where(User.id == bindparam("id"))


def load_session_user(session: Session, user_id: str) -> User | None:
    """Resolve Flask-Login's ``id:token``; a changed token (new password) ends old sessions."""
    raw_id, _, token = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    user = session.scalars(_SESSION_USER, {"id": int(raw_id)}).unique().first()
    if user is None or not user.is_active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def person_of_session(session: Session, user_id: int) -> User:
    """The signed-in person's row, once their session was checked in this request
    (`signed_in.SignedIn.full`)."""
    user = session.scalars(_SESSION_USER, {"id": user_id}).unique().first()
    if user is None:  # deleted since the check, a moment ago
        raise NotFound(_("No such person."))
    return user


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    """The IANA time zones a user may choose (zoneinfo's list, read once: it scans the disk)."""
    return tuple(sorted(zoneinfo.available_timezones()))


def get_institution(session: Session, slug: str) -> Institution:
    institution = session.scalar(select(Institution).where(Institution.slug == slug))
    if institution is None:
        raise NotFound(_("No such institution."))
    return institution


def institutions(session: Session) -> Sequence[Institution]:
    return session.scalars(select(Institution).order_by(Institution.name)).all()


def institutions_page(session: Session, *, page: int = 1, per_page: int = 50) -> Page[Institution]:
    """A page of the institutions by name (a country has tens of thousands of schools)."""
    return paginate(
        session,
        select(Institution).order_by(Institution.name, Institution.id),
        page=page,
        per_page=per_page,
    )


# Up to this many people found, a search reads them all through the trigram index and sorts
# them; beyond, they are common enough that walking the order's index meets a page of them soon.
# It is also as far as a search counts them: "1,000+" says enough, counting every "Nguyễn" of a
# country does not.
FEW_MATCHES = 1000


def people(session: Session, *, query: str = "", page: int = 1, per_page: int = 25) -> Page[User]:
    """A page of the users whose name, email or username holds every word of `query` (ignoring
    case and diacritics), with their total count and their roles (read for the whole page at
    once)."""
    stmt = select(User).options(selectinload(User.memberships).joinedload(Membership.institution))
    # By email, then those without one (pupils) by username: the order of an index, so a page
    # is read from it, whatever the number of accounts.
    order = (User.email.asc().nulls_last(), User.username, User.id)
    terms = person_search_terms(query)
    if not terms:
        return paginate(session, stmt.order_by(*order), page=page, per_page=per_page)
    dialect = session.get_bind().dialect.name
    found = contains_all(User.search_text, User.id, terms, dialect)
    total, more = _counted_up_to(session, found, max(FEW_MATCHES, page * per_page))
    if dialect == "postgresql" and not more:
        # Few matches: found through the search index first, then ordered. Left to itself the
        # planner walks the order's index hoping to meet a page of them early, and reads every
        # account when they are rare. (SQLite reads its FTS table first by itself.)
        matches = select(User.id).where(*found).cte("matches").prefix_with("MATERIALIZED")
        stmt = stmt.join(matches, matches.c.id == User.id)
    else:
        stmt = stmt.where(*found)
    found_page = paginate(session, stmt.order_by(*order), page=page, per_page=per_page, total=total)
    return replace(found_page, more=more)


def _counted_up_to(session: Session, found: Sequence[Any], cap: int) -> tuple[int, bool]:
    """How many users match, counted no further than `cap` (which covers the page asked for, so
    whether another page follows is known); and whether there are more than that."""
    limited = select(User.id).where(*found).limit(cap + 1).subquery()
    counted = session.scalar(select(func.count()).select_from(limited)) or 0
    return min(counted, cap), counted > cap


def students(
    session: Session, institution_id: int, *, query: str = "", page: int = 1, per_page: int = 25
) -> Page[Membership]:
    """A page of the student memberships of `institution_id` (with their people), by name; only
    those whose name, email or username holds every word of `query` (ignoring case and
    diacritics)."""
    stmt = (
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.institution_id == institution_id, Membership.role == Role.STUDENT)
        .options(joinedload(Membership.user))
    )
    terms = person_search_terms(query)
    if terms:
        dialect = session.get_bind().dialect.name
        stmt = stmt.where(*contains_all(User.search_text, User.id, terms, dialect))
    order = (User.name, User.id)
    return paginate(session, stmt.order_by(*order), page=page, per_page=per_page)


def student_membership(session: Session, institution_id: int, user_id: int) -> Membership:
    """`user_id`'s student membership of `institution_id`. Raises `NotFound` for anyone else
    (not a student there: another university's student is not found either)."""
    found = session.scalar(
        select(Membership).where(
            Membership.institution_id == institution_id,
            Membership.user_id == user_id,
            Membership.role == Role.STUDENT,
        )
    )
    if found is None:
        raise NotFound(_("There is no such student."))
    return found


def person(session: Session, user_id: int) -> User:
    """Someone's account by id. Raises `NotFound`."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such person."))
    return user


def institution(session: Session, institution_id: int) -> Institution:
    """An institution by id. Raises `NotFound`."""
    found = session.get(Institution, institution_id)
    if found is None:
        raise NotFound(_("No such institution."))
    return found


def normalize_login(login: str) -> str:
    """What a person typed at the sign-in form, as stored: emails and usernames are lowercase."""
    return login.strip().lower()


def find_by_login(session: Session, login: str) -> User | None:
    """The account signing in as `login`: an email when it has an @, else a username."""
    name = normalize_login(login)
    if not name:
        return None
    column = User.email if "@" in name else User.username
    return session.scalar(select(User).where(column == name))


def student_number(session: Session, user_id: int, institution_id: int) -> str | None:
    """The number `institution` knows this student by, if it gave one (records state it)."""
    return session.scalar(
        select(Membership.student_number).where(
            Membership.user_id == user_id,
            Membership.institution_id == institution_id,
            Membership.role == Role.STUDENT,
        )
    )


def student_numbers(
    session: Session, user_ids: Collection[int], institution_ids: Collection[int]
) -> dict[tuple[int, int], str]:
    """`student_number` for many people at once, by (user id, institution id): one statement."""
    if not user_ids or not institution_ids:
        return {}
    rows = session.execute(
        select(Membership.user_id, Membership.institution_id, Membership.student_number).where(
            Membership.user_id.in_(set(user_ids)),
            Membership.institution_id.in_(set(institution_ids)),
            Membership.role == Role.STUDENT,
            Membership.student_number.is_not(None),
        )
    )
    return {
        (user_id, institution_id): number
        for user_id, institution_id, number in rows
        if number is not None
    }
