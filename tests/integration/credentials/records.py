"""Signed records for tests: the seed courses records are issued for, a learner who completes
one and gets its signed record, and the records a person holds."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.credentials.models import IssuedCredential
from mooc.credentials.services.issuing import issue_completion_record
from tests.factories import complete
from tests.helpers import context

UNIVERSITY_COURSE = "xac-suat-thong-ke"  # dai-hoc-mo-ha-noi, 2 credits, 100 hours
SCHOOL_COURSE = "tieng-viet-lop-1"  # a grade 1 course of a primary school


def issue(
    app: Flask, session: Session, user: User, slug: str = UNIVERSITY_COURSE
) -> IssuedCredential:
    """`user` completes the course and gets its signed record (committed)."""
    record = issue_completion_record(session, complete(session, user, slug), context(app))
    session.commit()
    return record


def records_of(session: Session, user: User) -> list[IssuedCredential]:
    return list(
        session.scalars(select(IssuedCredential).where(IssuedCredential.user_id == user.id))
    )
