"""Credit transfer as a university keeps it: the issuers it trusts, agreements with versioned
recognition rules, students' requests (one item per record), append-only decisions and an
append-only audit log of every change.

Uniqueness makes sending safe to repeat: one live item per record and university; one row per
rule version.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mooc.accounts.models import Institution, User
from mooc.audit import AuditColumns
from mooc.credentials.models import IssuedCredential
from mooc.db import Base, JSONType, created_at, enum_column, intpk, updated_at
from mooc.transfer.core.conversion import Method

Credits = Numeric(6, 1)


class IssuerOrigin(enum.StrEnum):
    PLATFORM = "platform"  # copied from the platform's trust list
    ADDED = "added"  # added by the university's staff


class TrustedIssuer(Base):
    """An issuer whose records a university accepts; removed ones stay as history."""

    __tablename__ = "transfer_trusted_issuer"
    __table_args__ = (
        Index(
            "uq_transfer_trusted_issuer_live",
            "institution_id",
            "did",
            unique=True,
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),
    )

    id: Mapped[intpk]
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    did: Mapped[str] = mapped_column(String(500))
    name: Mapped[str] = mapped_column(String(200))
    origin: Mapped[IssuerOrigin] = mapped_column(enum_column(IssuerOrigin, "issuer_origin"))
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[created_at]
    removed_at: Mapped[dt.datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class Agreement(Base):
    """A university's recognition agreement: a set of rules and a cap per student."""

    __tablename__ = "transfer_agreement"
    __table_args__ = (UniqueConstraint("institution_id", "name"),)

    id: Mapped[intpk]
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    partner: Mapped[str] = mapped_column(String(200), default="")
    credit_cap: Mapped[Decimal | None] = mapped_column(Credits)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    institution: Mapped[Institution] = relationship()
    rules: Mapped[list[RecognitionRule]] = relationship(
        back_populates="agreement", order_by="RecognitionRule.id"
    )


class RecognitionRule(Base):
    """A rule's identity; what it says lives in its versions (editing appends a version)."""

    __tablename__ = "transfer_rule"

    id: Mapped[intpk]
    agreement_id: Mapped[int] = mapped_column(ForeignKey("transfer_agreement.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[created_at]
    retired_at: Mapped[dt.datetime | None]

    agreement: Mapped[Agreement] = relationship(back_populates="rules")
    versions: Mapped[list[RuleVersion]] = relationship(
        back_populates="rule", order_by="RuleVersion.version"
    )

    @property
    def current(self) -> RuleVersion:
        return next(v for v in self.versions if v.version == self.current_version)


class RuleVersion(Base):
    """One version of a rule, never changed: decisions keep the version they used."""

    __tablename__ = "transfer_rule_version"
    __table_args__ = (UniqueConstraint("rule_id", "version"),)

    id: Mapped[intpk]
    rule_id: Mapped[int] = mapped_column(ForeignKey("transfer_rule.id"))
    version: Mapped[int] = mapped_column(Integer)
    issuer_did: Mapped[str] = mapped_column(String(500))
    achievement_id: Mapped[str | None] = mapped_column(String(500))
    code_pattern: Mapped[str | None] = mapped_column(String(60))
    local_course_code: Mapped[str] = mapped_column(String(40))
    local_course_title: Mapped[str] = mapped_column(String(200))
    method: Mapped[Method] = mapped_column(enum_column(Method, "conversion_method"))
    fixed_credits: Mapped[Decimal | None] = mapped_column(Credits)
    hours_per_credit: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    min_grade: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    max_age_days: Mapped[int | None] = mapped_column(Integer)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[created_at]

    rule: Mapped[RecognitionRule] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()


class TransferRequest(Base):
    """A student's request to a university: a message and the records sent (its items)."""

    __tablename__ = "transfer_request"

    id: Mapped[intpk]
    student_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]
    withdrawn_at: Mapped[dt.datetime | None]

    student: Mapped[User] = relationship()
    institution: Mapped[Institution] = relationship()
    items: Mapped[list[RequestItem]] = relationship(
        back_populates="request", order_by="RequestItem.id"
    )

    @property
    def status(self) -> str:
        """withdrawn, pending (some record awaits a decision) or decided."""
        if self.withdrawn_at is not None:
            return "withdrawn"
        if any(item.state == ItemState.PENDING for item in self.items):
            return "pending"
        return "decided"


class ItemState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    ADJUSTED = "adjusted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Outcome(enum.StrEnum):
    ACCEPTED = "accepted"  # as proposed
    ADJUSTED = "adjusted"  # recognised with other credits or another course (commented)
    REJECTED = "rejected"

    @property
    def recognises(self) -> bool:
        return self != Outcome.REJECTED


class RequestItem(Base):
    """One record sent to a university, with the latest automatic proposal for it.

    The proposal is the machine's suggestion (re-evaluated on demand); decisions are people's.
    """

    __tablename__ = "transfer_request_item"
    __table_args__ = (
        # The same record sent twice to the same university is one item (withdrawn ones aside).
        Index(
            "uq_transfer_request_item_live",
            "institution_id",
            "source_id",
            unique=True,
            sqlite_where=text("state <> 'withdrawn'"),
            postgresql_where=text("state <> 'withdrawn'"),
        ),
        # The university's queue: its items in one state, oldest first, a page at a time.
        Index("ix_transfer_request_item_queue", "institution_id", "state", "created_at", "id"),
    )

    id: Mapped[intpk]
    request_id: Mapped[int] = mapped_column(ForeignKey("transfer_request.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    source_id: Mapped[str] = mapped_column(String(300))  # the record's own id (urn:uuid:…)
    # The platform's row of the record, when the platform issued it (revocation is seen there).
    credential_id: Mapped[int | None] = mapped_column(
        ForeignKey("issued_credential.id", ondelete="SET NULL"), index=True
    )
    container_id: Mapped[str | None] = mapped_column(String(300))  # the transcript it came in
    document: Mapped[str] = mapped_column(Text)  # the signed record, verbatim
    name: Mapped[str] = mapped_column(String(300))
    issuer_did: Mapped[str] = mapped_column(String(500))
    issuer_name: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[ItemState] = mapped_column(enum_column(ItemState, "item_state"))
    created_at: Mapped[created_at]
    # The latest automatic evaluation.
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    checks: Mapped[list[dict[str, str]]] = mapped_column(JSONType, default=list)
    proposal_recognised: Mapped[bool] = mapped_column(Boolean, default=False)
    proposal_credits: Mapped[Decimal] = mapped_column(Credits, default=Decimal(0))
    proposal_course_code: Mapped[str | None] = mapped_column(String(40))
    proposal_course_title: Mapped[str | None] = mapped_column(String(200))
    proposal_rule_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("transfer_rule_version.id")
    )
    proposal_agreement_id: Mapped[int | None] = mapped_column(ForeignKey("transfer_agreement.id"))
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    reason_details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    evaluated_at: Mapped[dt.datetime | None]
    # When the platform (or a re-check) found the source record revoked.
    source_revoked_at: Mapped[dt.datetime | None]

    request: Mapped[TransferRequest] = relationship(back_populates="items")
    student: Mapped[User] = relationship()
    credential: Mapped[IssuedCredential | None] = relationship()
    proposal_rule_version: Mapped[RuleVersion | None] = relationship()
    decisions: Mapped[list[Decision]] = relationship(back_populates="item", order_by="Decision.id")

    @property
    def latest_decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    @property
    def needs_review(self) -> bool:
        """A recognising decision made before the source record was revoked, and not confirmed
        since (confirming lifts its record's suspension)."""
        decision = self.latest_decision
        if self.source_revoked_at is None or decision is None or not decision.outcome.recognises:
            return False
        if decision.created_at >= self.source_revoked_at:
            return False
        lifted = decision.credential.suspension_lifted_at if decision.credential else None
        return lifted is None or lifted < self.source_revoked_at

    @property
    def suspended_record(self) -> IssuedCredential | None:
        """The recognition record of the latest decision, while it is suspended."""
        decision = self.latest_decision
        credential = decision.credential if decision is not None else None
        return credential if credential is not None and credential.is_suspended else None


class Decision(Base):
    """A person's decision on an item; only ever inserted (a new decision supersedes)."""

    __tablename__ = "transfer_decision"

    id: Mapped[intpk]
    item_id: Mapped[int] = mapped_column(ForeignKey("transfer_request_item.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "decision_outcome"))
    credits: Mapped[Decimal] = mapped_column(Credits, default=Decimal(0))
    local_course_code: Mapped[str | None] = mapped_column(String(40))
    local_course_title: Mapped[str | None] = mapped_column(String(200))
    rule_version_id: Mapped[int | None] = mapped_column(ForeignKey("transfer_rule_version.id"))
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("transfer_agreement.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The signed recognition record issued for it (recognising decisions only).
    credential_id: Mapped[int | None] = mapped_column(
        ForeignKey("issued_credential.id", ondelete="SET NULL")
    )
    created_at: Mapped[created_at]

    item: Mapped[RequestItem] = relationship(back_populates="decisions")
    decided_by: Mapped[User | None] = relationship()
    rule_version: Mapped[RuleVersion | None] = relationship()
    credential: Mapped[IssuedCredential | None] = relationship()


class TransferAuditEntry(AuditColumns, Base):
    """One change to a university's transfer setup or decisions: who, what, when."""

    __tablename__ = "transfer_audit_entry"
    __table_args__ = (
        Index("ix_transfer_audit_entry_institution_created", "institution_id", "created_at"),
    )

    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))


class AppendOnly(Exception):
    """A row of an append-only table was about to be changed or deleted."""


def _refuse_change(_mapper: Any, _connection: Any, target: Any) -> None:
    raise AppendOnly(f"{type(target).__name__} rows are append-only")


for _model in (Decision, RuleVersion, TransferAuditEntry):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)


class PresentationRequest(Base):
    """A university asks a student for records: a challenge and a domain the answer (a signed
    presentation) must carry, until `expires_at`. Answered once: the holder and the request its
    records went into are kept, and answering again gives the same request back."""

    __tablename__ = "presentation_request"

    id: Mapped[intpk]
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # the request URL's secret part
    purpose: Mapped[str] = mapped_column(String(200))
    challenge: Mapped[str] = mapped_column(String(64))
    domain: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime]
    answered_at: Mapped[dt.datetime | None]
    holder: Mapped[str | None] = mapped_column(String(500))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    transfer_request_id: Mapped[int | None] = mapped_column(ForeignKey("transfer_request.id"))

    student: Mapped[User | None] = relationship(foreign_keys=[student_id])
    transfer_request: Mapped[TransferRequest | None] = relationship()

    def is_expired(self, now: dt.datetime) -> bool:
        return now >= self.expires_at
