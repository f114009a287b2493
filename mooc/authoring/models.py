"""The append-only audit log of every authoring change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mooc.accounts.models import User
from mooc.db import Base, JSONType, created_at, intpk


class AuditEntry(Base):
    """One authoring change: who did what to which object, with hashes of before and after.

    Rows are only ever inserted (the services offer no update or delete).
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_course_created", "course_id", "created_at"),)

    id: Mapped[intpk]
    created_at: Mapped[created_at]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))  # create / edit / publish / delete / …
    object_type: Mapped[str] = mapped_column(String(40))  # course / section / lecture / quiz / …
    object_id: Mapped[int | None] = mapped_column(Integer)
    course_id: Mapped[int | None] = mapped_column(Integer, index=True)
    summary: Mapped[str] = mapped_column(String(300))
    before_hash: Mapped[str | None] = mapped_column(String(64))
    after_hash: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    actor: Mapped[User | None] = relationship()
