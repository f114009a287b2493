"""People, institutions and the memberships that give people roles at institutions."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from mooc.accounts.core.search_text import person_search_text
from mooc.db import Base, created_at, enum_column, intpk


class InstitutionKind(enum.StrEnum):
    SCHOOL = "school"
    UNIVERSITY = "university"
    MINISTRY = "ministry"


class Role(enum.StrEnum):
    """What a membership lets a person do at its institution."""

    STUDENT = "student"
    TEACHER = "teacher"
    STAFF = "staff"  # university verifier / registrar
    ADMIN = "admin"


class Institution(Base):
    __tablename__ = "institution"

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[InstitutionKind] = mapped_column(enum_column(InstitutionKind, "institution_kind"))
    created_at: Mapped[created_at]

    memberships: Mapped[list[Membership]] = relationship(back_populates="institution")


def _inserted_search_text(context: DefaultExecutionContext) -> str:
    """The search line of a row INSERTed without one (a Core bulk insert names the person)."""
    # SQLAlchemy leaves this public method unannotated.
    row: dict[str, Any] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return person_search_text(row.get("name"), row.get("username"), row.get("email"))


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("username = lower(username)", name="username_lowercase"),
        # A pupil may have no email; everyone can be named at the sign-in form by one or the other.
        CheckConstraint("email IS NOT NULL OR username IS NOT NULL", name="has_login"),
    )

    id: Mapped[intpk]
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # Sign-in name for people without email (pupils): folded, lowercase, e.g. "an.nguyen.6a1".
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(120))
    locale: Mapped[str | None] = mapped_column(String(8))
    # IANA zone the pages show times in; None follows the platform's default (MOOC_TIMEZONE)
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Videos play their smallest rendition first (see the account settings page).
    data_saver: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[created_at]
    last_login_at: Mapped[dt.datetime | None]
    # Changes on password change, so sessions opened before are logged out (see get_id).
    session_token: Mapped[str] = mapped_column(String(64))
    # Set when someone else chose the password (a login card, a teacher's reset, a roster file):
    # the person must choose their own at the next sign-in.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    birth_date: Mapped[dt.date | None]
    # Folded name, username and email: what people search matches (indexed: see
    # mooc.search_index). Kept in step by `_refresh_search_text` for every change through the
    # ORM and by its default for Core INSERTs; bulk UPDATEs and COPY give it themselves.
    search_text: Mapped[str] = mapped_column(Text, default=_inserted_search_text, server_default="")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @validates("name", "username", "email")
    def _refresh_search_text(self, key: str, value: str | None) -> str | None:
        """A derived column, recomputed when one of its parts is set (a pure function of the
        three; reading the other two loads an expired row first, as any attribute read does)."""
        parts = {"name": self.name, "username": self.username, "email": self.email, key: value}
        self.search_text = person_search_text(parts["name"], parts["username"], parts["email"])
        return value

    # Flask-Login protocol; kept here because it only reads columns.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def login_name(self) -> str:
        """What this person types at the sign-in form (and what pages show to name the account)."""
        return self.email or self.username or ""

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def has_role(self, role: Role, institution_id: int | None = None) -> bool:
        return any(
            m.role == role and (institution_id is None or m.institution_id == institution_id)
            for m in self.memberships
        )

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    def institution_ids(self, role: Role) -> set[int]:
        return {m.institution_id for m in self.memberships if m.role == role}


# The people list's order (`accounts.queries.people`): a page of it is read from this index, not
# sorted out of every account (plain columns: an expression index cannot be compared by Alembic).
Index("ix_user_account_login_order", User.email, User.username, User.id)


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "institution_id", "role"),
        # one person per number at a university; NULLs (no number, other roles) never collide
        Index("ix_membership_student_number", "institution_id", "student_number", unique=True),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institution.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    # The number a university knows its student by (on the STUDENT membership): what its
    # records state beside the name, so a registrar can match a record to the person.
    student_number: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[created_at]

    user: Mapped[User] = relationship(back_populates="memberships")
    institution: Mapped[Institution] = relationship(back_populates="memberships")


class PasswordReset(Base):
    """A password-recovery link sent by email. Only the SHA-256 of its random token is kept,
    so a copy of the database opens no account; `used_at` makes the link single-use."""

    __tablename__ = "password_reset"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    # The administrator who sent it from the person page; None when the person asked.
    sent_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
