"""SCORM tests' fixtures: a teacher of the physics seed course and the app's storage."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from mooc.accounts.models import Role, User
from mooc.catalog.models import Course
from mooc.catalog.services import assign_teacher
from mooc.storage import Storage
from tests.factories import make_user, seed_course


@pytest.fixture
def course(session: Session) -> Course:
    return seed_course(session, "vat-ly-lop-10")


@pytest.fixture
def teacher(session: Session, course: Course) -> User:
    user = make_user(session, (course.institution.slug, Role.TEACHER))
    assign_teacher(session, course, user.id)
    return user


@pytest.fixture
def storage(app: Flask) -> Storage:
    found: Storage = app.extensions["mooc_storage"]
    return found
