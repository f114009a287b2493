"""Fixtures of the schools tests: a committed classroom, a school and its staff member."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, InstitutionKind, Role, User
from tests.factories import make_institution, make_user
from tests.integration.schools.classrooms import Classroom, make_classroom


@pytest.fixture
def classroom(session: Session) -> Classroom:
    room = make_classroom(session)
    session.commit()
    return room


@pytest.fixture
def school(session: Session) -> Institution:
    return make_institution(session, InstitutionKind.SCHOOL)


@pytest.fixture
def school_staff(session: Session, school: Institution) -> User:
    return make_user(session, (school.slug, Role.STAFF), name="Cô Văn Thư")
