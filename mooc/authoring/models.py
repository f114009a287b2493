"""The append-only audit log of every authoring change."""

from __future__ import annotations

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mooc.audit import AuditColumns
from mooc.db import Base


class AuditEntry(AuditColumns, Base):
    """One authoring change: who did what to which object, with hashes of before and after.

    Rows are only ever inserted (the services offer no update or delete).
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_course_created", "course_id", "created_at"),)

    course_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before_hash: Mapped[str | None] = mapped_column(String(64))
    after_hash: Mapped[str | None] = mapped_column(String(64))
