"""Writes of offline learning: a teacher's choice of quizzes available offline, and the sync of
what a pupil did on the device.

The sync is idempotent by the item's client id (a unique constraint per learner): a replayed
batch finds its receipts and changes nothing. Each item runs the same services as the online
pages (`finish_lecture`, `submit_quiz`), so grading stays on the server and completion follows;
the device's clock is kept for the record and never used for a deadline or time limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment import services as assessment
from mooc.assessment.models import Quiz
from mooc.catalog.models import Course
from mooc.catalog.permissions import can_teach
from mooc.errors import DomainError, Invalid, NotFound, PermissionDenied
from mooc.learning import services as learning
from mooc.learning.permissions import require_enrolled
from mooc.learning.queries import lecture_place
from mooc.offline.core.bundle import can_go_offline
from mooc.offline.core.sync import SyncItem
from mooc.offline.models import OfflineQuiz, OfflineReceipt
from mooc.offline.queries import course_quizzes, flagged_quiz_ids, is_offline_quiz


def set_offline_quizzes(session: Session, user: User, course: Course, chosen: set[int]) -> None:
    """Make exactly the `chosen` quizzes of `course` available offline.

    Raises `PermissionDenied` unless `user` teaches the course, `Invalid` for a timed or pooled
    quiz (the server's clock and draw cannot come along) or a quiz of another course."""
    if not can_teach(user, course):
        raise PermissionDenied(_("Only the course's teachers can change it."))
    quizzes = {q.id: q for q in course_quizzes(session, course.id)}
    if chosen - quizzes.keys():
        raise Invalid(_("No such quiz in this course."))
    for quiz_id in chosen:
        quiz = quizzes[quiz_id]
        if not can_go_offline(time_limit_minutes=quiz.time_limit_minutes, pool_size=quiz.pool_size):
            raise Invalid(_("Timed quizzes and quizzes drawn from a pool stay online only."))
    flagged = flagged_quiz_ids(session, course.id)
    if flagged - chosen:
        session.execute(delete(OfflineQuiz).where(OfflineQuiz.quiz_id.in_(flagged - chosen)))
    for quiz_id in sorted(chosen - flagged):
        session.add(OfflineQuiz(quiz_id=quiz_id, enabled_by_id=user.id))
    session.flush()


@dataclass(frozen=True)
class ItemResult:
    """What the server did with one item: `done` (a lecture recorded), `graded` (a quiz
    attempt), `refused` (not allowed: not enrolled, online-only quiz, no attempts left, gone)
    or `stale` (the quiz changed since it was downloaded); `replay` when received before."""

    client_id: str
    outcome: str
    attempt_id: int | None = None
    replay: bool = False
    completed: bool = False
    message: str = ""


def _receipt(session: Session, user: User, item: SyncItem) -> OfflineReceipt | None:
    return session.scalar(
        select(OfflineReceipt).where(
            OfflineReceipt.user_id == user.id, OfflineReceipt.client_id == item.client_id
        )
    )


def _course(session: Session, course_id: int) -> Course:
    course = session.get(Course, course_id)
    if course is None or not course.is_published:
        raise NotFound(_("No such course."))
    return course


def _finish(session: Session, user: User, item: SyncItem, base_url: str) -> ItemResult:
    course = _course(session, item.course_id)
    place = lecture_place(session, course, item.slug)
    version = place.lecture.published_version
    if version is None:
        raise NotFound(_("No such lecture in this course."))
    completion = learning.finish_lecture(session, user, place.lecture, version, base_url=base_url)
    return ItemResult(item.client_id, "done", completed=completion is not None)


def _answer(session: Session, user: User, item: SyncItem, base_url: str) -> ItemResult:
    course = _course(session, item.course_id)
    require_enrolled(session, user, course, _("Enrol in the course to take its quizzes."))
    quiz = session.scalar(select(Quiz).where(Quiz.course_id == course.id, Quiz.slug == item.slug))
    if quiz is None or not is_offline_quiz(quiz, flagged_quiz_ids(session, course.id)):
        raise PermissionDenied(_("This quiz can only be taken online."))
    if quiz.revision != item.quiz_revision:
        return ItemResult(
            item.client_id,
            "stale",
            message=_("The quiz changed after you downloaded it: please take it again."),
        )
    attempt = assessment.start_attempt(session, user, quiz)
    responses = assessment.parse_responses(attempt, item.answers)
    submitted = learning.submit_quiz(session, user, attempt, responses, base_url=base_url)
    return ItemResult(
        item.client_id,
        "graded",
        attempt_id=attempt.id,
        completed=submitted.completion is not None,
    )


def _apply(session: Session, user: User, item: SyncItem, base_url: str) -> ItemResult:
    """The item's work in a savepoint of its own: a refused item leaves no trace but its
    receipt, and the others of the batch still count."""
    try:
        with session.begin_nested():
            if item.kind == "done":
                return _finish(session, user, item, base_url)
            return _answer(session, user, item, base_url)
    except DomainError as error:
        return ItemResult(item.client_id, "refused", message=error.message)


def sync_one(session: Session, user: User, item: SyncItem, *, base_url: str) -> ItemResult:
    """Receive one item once: its receipt first (unique per learner and client id), then its
    work. A replay returns the first outcome and does nothing."""
    found = _receipt(session, user, item)
    if found is not None:
        return ItemResult(item.client_id, found.outcome, found.attempt_id, replay=True)
    receipt = OfflineReceipt(
        user_id=user.id,
        client_id=item.client_id,
        kind=item.kind,
        course_id=None,
        outcome="pending",
        device_time=item.device_time,
    )
    try:
        with session.begin_nested():
            session.add(receipt)
            session.flush()
    except IntegrityError:  # a parallel sync of the same batch received it a moment ago
        raced = _receipt(session, user, item)
        return ItemResult(
            item.client_id,
            raced.outcome if raced else "pending",
            raced.attempt_id if raced else None,
            replay=True,
        )
    result = _apply(session, user, item, base_url)
    receipt.outcome = result.outcome
    receipt.attempt_id = result.attempt_id
    receipt.course_id = item.course_id if session.get(Course, item.course_id) else None
    session.flush()
    return result


def sync(
    session: Session, user: User, items: Sequence[SyncItem], *, base_url: str
) -> list[ItemResult]:
    """Receive a device's batch in order (a lecture done before the quiz that completes the
    course, as the pupil did them). The caller commits once."""
    return [sync_one(session, user, item, base_url=base_url) for item in items]
