"""Institution API tokens: what a university's own systems present to call /api/v1.

Only an HMAC of the secret is stored (see `mooc.api.tokens`); the public id is shown to people
so they can tell their tokens apart, and is how a presented token is found again.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mooc.accounts.models import Institution, Role, User
from mooc.db import Base, created_at, intpk


class ApiScope(enum.StrEnum):
    """What a token lets its institution's system do; a fixed list, granted one by one."""

    REQUESTS_READ = "requests:read"
    DECISIONS_WRITE = "decisions:write"
    RECORDS_EVALUATE = "records:evaluate"
    XAPI_READ = "xapi:read"
    CREDENTIALS_ISSUE = "credentials:issue"  # VC API: sign credentials, set their status


class ApiToken(Base):
    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint("scopes <> ''", name="some_scope"),)

    id: Mapped[intpk]
    # The token's identification, shown in lists and embedded in the token itself.
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    # HMAC-SHA256 (hex) of the whole token under the token pepper; never the token.
    secret_hash: Mapped[str] = mapped_column(String(64))
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institution.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    # Granted scopes, space-separated like OAuth 2.0's `scope` (values of ApiScope).
    scopes: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[created_at]
    last_used_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    institution: Mapped[Institution] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def scope_list(self) -> list[ApiScope]:
        return [ApiScope(value) for value in self.scopes.split()]

    def has_scope(self, scope: ApiScope) -> bool:
        return scope.value in self.scopes.split()

    @property
    def maker_lost_role(self) -> bool:
        """A token acts with its maker's authority and dies with it: the maker's account is gone
        or deactivated, or they are neither staff of the institution nor an admin any more."""
        maker = self.created_by
        return (
            maker is None
            or not maker.is_active
            or not (maker.is_admin or maker.has_role(Role.STAFF, self.institution_id))
        )

    def is_usable(self, now: dt.datetime) -> bool:
        """Not revoked, not past its expiry, and its maker still has the role to make it."""
        return (
            self.revoked_at is None
            and (self.expires_at is None or now < self.expires_at)
            and not self.maker_lost_role
        )
