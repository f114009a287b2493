"""The signed-in person as a page's own statement reads them (`PERSON_COLUMNS`) tells the header
the same menus as their ORM row does, for every mix of roles, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import Role, User
from mooc.accounts.queries import person_of_session
from mooc.accounts.signed_in import PERSON_COLUMNS, SignedIn
from mooc.web.site_header import header_reader_of
from tests.factories import make_user

SCHOOL, UNIVERSITY, MINISTRY = "thcs-ba-dinh", "dai-hoc-da-nang", "bo-giao-duc"

MIXES = {
    "no role": (),
    "admin": ((MINISTRY, Role.ADMIN),),
    "teacher at a school": ((SCHOOL, Role.TEACHER),),
    "staff at a university": ((UNIVERSITY, Role.STAFF),),
    "staff at a school": ((SCHOOL, Role.STAFF),),
    "teacher and staff at a school": ((SCHOOL, Role.TEACHER), (SCHOOL, Role.STAFF)),
    "staff at both": ((UNIVERSITY, Role.STAFF), (SCHOOL, Role.STAFF)),
    "every role": (
        (MINISTRY, Role.ADMIN),
        (SCHOOL, Role.TEACHER),
        (UNIVERSITY, Role.STAFF),
        (SCHOOL, Role.STAFF),
    ),
}


@pytest.mark.parametrize("mix", list(MIXES))
def test_the_statements_roles_are_the_rows_roles(session: Session, mix: str) -> None:
    person = make_user(session, *MIXES[mix])
    session.commit()
    row = session.execute(select(*PERSON_COLUMNS).where(User.id == person.id)).one()._mapping
    signed_in = SignedIn(row, lambda user_id: person_of_session(session, user_id))
    assert header_reader_of(signed_in, 0) == header_reader_of(person, 0), mix
    assert signed_in.is_admin == person.is_admin
