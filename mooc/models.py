"""Imports every feature's models so Alembic and the mappers see all tables. Nothing else."""

from mooc.accounts.models import Institution, Membership, User
from mooc.assessment.models import Question, Quiz
from mooc.catalog.models import Course, Lecture, LectureVersion, MediaAsset, Section
from mooc.db import Base

__all__ = [
    "Base",
    "Course",
    "Institution",
    "Lecture",
    "LectureVersion",
    "MediaAsset",
    "Membership",
    "Question",
    "Quiz",
    "Section",
    "User",
]
