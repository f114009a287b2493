"""Shared set-up for the school tests: a school of their own and its staff."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from mooc.accounts.models import Institution, InstitutionKind, Role, User
from tests.factories import make_institution, make_user


@pytest.fixture
def school(session: Session) -> Institution:
    return make_institution(session, InstitutionKind.SCHOOL)


@pytest.fixture
def school_staff(session: Session, school: Institution) -> User:
    return make_user(session, (school.slug, Role.STAFF), name="Cô Văn Thư")
