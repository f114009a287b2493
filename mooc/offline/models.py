"""What the server keeps for offline learning: which quizzes a teacher made available offline,
and every item a device sent (by its client-generated id), so a replayed sync changes nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mooc.db import Base, UTCDateTime, created_at, intpk


class OfflineQuiz(Base):
    """A quiz its teacher made available offline (a row per quiz; none: online only). Timed and
    pooled quizzes are never offered offline, whatever this says (`core.bundle.can_go_offline`)."""

    __tablename__ = "offline_quiz"

    quiz_id: Mapped[int] = mapped_column(
        ForeignKey("quiz.id", ondelete="CASCADE"), primary_key=True
    )
    enabled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[created_at]


class OfflineReceipt(Base):
    """One item a device sent (a lecture marked done, a quiz answered), received once per
    learner and client id (unique constraint): a replay finds this row and its outcome."""

    __tablename__ = "offline_receipt"
    __table_args__ = (UniqueConstraint("user_id", "client_id"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(10))  # "done" | "quiz"
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("course.id", ondelete="SET NULL"), index=True
    )
    # What the item did: done, graded, refused, stale (kept for the replay's answer).
    outcome: Mapped[str] = mapped_column(String(10))
    attempt_id: Mapped[int | None] = mapped_column(Integer)
    # The device's clock, for the record only: deadlines and time limits use the server's.
    device_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[created_at]
