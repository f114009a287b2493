"""Imports every feature's models so Alembic and the mappers see all tables. Nothing else."""

from mooc.accounts.models import Institution, Membership, User
from mooc.api.models import ApiToken
from mooc.assessment.models import Question, Quiz, QuizAttempt
from mooc.authoring.models import AuditEntry
from mooc.catalog.models import (
    Course,
    CourseTeacher,
    Lecture,
    LectureVersion,
    MediaAsset,
    ScormPackage,
    Section,
)
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
from mooc.jobs.models import JobRun
from mooc.learning.models import (
    Completion,
    CourseTally,
    Enrolment,
    LearnerQuizScore,
    LectureProgress,
    ScormState,
    XapiStatement,
)
from mooc.notifications.models import EmailOptOut, Notification, NotificationEmail, PeriodicJob
from mooc.offline.models import OfflineQuiz, OfflineReceipt
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
    "CourseTally",
    "CourseTeacher",
    "Decision",
    "EmailOptOut",
    "Enrolment",
    "Institution",
    "IssuedCredential",
    "IssuerKey",
    "JobRun",
    "LearnerQuizScore",
    "Lecture",
    "LectureProgress",
    "LectureVersion",
    "MediaAsset",
    "Membership",
    "Notification",
    "NotificationEmail",
    "OfflineQuiz",
    "OfflineReceipt",
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
    "ScormPackage",
    "ScormState",
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
