"""Imports every feature's models so Alembic and the mappers see all tables. Nothing else."""

from mooc.accounts.models import Institution, Membership, User
from mooc.api.models import ApiToken
from mooc.assessment.models import Question, Quiz, QuizAttempt
from mooc.authoring.models import AuditEntry
from mooc.catalog.models import Course, CourseTeacher, Lecture, LectureVersion, MediaAsset, Section
from mooc.credentials.models import (
    IssuedCredential,
    IssuerKey,
    RevocationEntry,
    ShareLink,
    StatusList,
    VcApiAuditEntry,
    VcApiCredential,
    VcApiStatusEntry,
    VcApiStatusList,
)
from mooc.db import Base
from mooc.learning.models import Completion, Enrolment, LectureProgress, XapiStatement
from mooc.notifications.models import EmailOptOut, Notification, NotificationEmail, PeriodicJob
from mooc.schools.models import (
    Assignment,
    AssignmentLecture,
    ClassMember,
    RosterImport,
    RosterPerson,
    SchoolClass,
    SchoolYear,
)
from mooc.transfer.models import (
    Agreement,
    Decision,
    RecognitionRule,
    RequestItem,
    RuleVersion,
    TransferAuditEntry,
    TransferRequest,
    TrustedIssuer,
)

__all__ = [
    "Agreement",
    "ApiToken",
    "Assignment",
    "AssignmentLecture",
    "AuditEntry",
    "Base",
    "ClassMember",
    "Completion",
    "Course",
    "CourseTeacher",
    "Decision",
    "EmailOptOut",
    "Enrolment",
    "Institution",
    "IssuedCredential",
    "IssuerKey",
    "Lecture",
    "LectureProgress",
    "LectureVersion",
    "MediaAsset",
    "Membership",
    "Notification",
    "NotificationEmail",
    "PeriodicJob",
    "Question",
    "Quiz",
    "QuizAttempt",
    "RecognitionRule",
    "RequestItem",
    "RevocationEntry",
    "RosterImport",
    "RosterPerson",
    "RuleVersion",
    "SchoolClass",
    "SchoolYear",
    "Section",
    "ShareLink",
    "StatusList",
    "TransferAuditEntry",
    "TransferRequest",
    "TrustedIssuer",
    "User",
    "VcApiAuditEntry",
    "VcApiCredential",
    "VcApiStatusEntry",
    "VcApiStatusList",
    "XapiStatement",
]
