"""Signed records and what issuing them needs: issuer keys (private halves encrypted at rest),
issued credentials stored verbatim, revocation status lists, share links, and the revocation log.

Uniqueness is what makes issuing safe to repeat: one record per completion, one record per
status-list bit, one active key per institution.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mooc.accounts.models import Institution, User
from mooc.audit import AuditColumns
from mooc.db import Base, JSONType, created_at, enum_column, intpk, updated_at
from mooc.learning.models import Completion


class IssuerKey(Base):
    """An institution's Ed25519 signing key; rotated keys stay (old records keep verifying)."""

    __tablename__ = "issuer_key"
    __table_args__ = (
        UniqueConstraint("institution_id", "fragment"),
        # At most one active key per institution: two processes generating the first key
        # at once cannot both win.
        Index(
            "uq_issuer_key_one_active",
            "institution_id",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[intpk]
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    fragment: Mapped[str] = mapped_column(String(40))  # the DID URL fragment: key-20250630-ab12
    public_key_multibase: Mapped[str] = mapped_column(String(64))
    # AES-256-GCM of the 32-byte seed under MOOC_KEY_ENCRYPTION_KEY: nonce ‖ ciphertext ‖ tag.
    private_key_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    # Which key-encryption key sealed it (a fingerprint, not the key): a wrong setting is named.
    kek_fingerprint: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[created_at]

    institution: Mapped[Institution] = relationship()


class CredentialKind(enum.StrEnum):
    ACHIEVEMENT = "achievement"  # OB 3.0 record of one completed course
    TRANSCRIPT = "transcript"  # CLR 2.0 gathering a learner's records


class StatusList(Base):
    """A revocation Bitstring Status List of one issuer, published re-signed on every change."""

    __tablename__ = "status_list"
    __table_args__ = (UniqueConstraint("institution_id", "purpose", "number"),)

    id: Mapped[intpk]
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20), default="revocation")
    number: Mapped[int] = mapped_column(Integer)  # its place in the URL: /status/<number>
    length: Mapped[int] = mapped_column(Integer)  # bits; at least 131,072
    encoded_list: Mapped[str] = mapped_column(Text)
    credential: Mapped[str] = mapped_column(Text)  # the signed list credential, verbatim JSON
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    institution: Mapped[Institution] = relationship()


class IssuedCredential(Base):
    """A signed record exactly as issued, with the status-list bit that can revoke it (and, for
    a record resting on others, the bit that suspends it while one of those is revoked)."""

    __tablename__ = "issued_credential"
    __table_args__ = (
        UniqueConstraint("status_list_id", "status_index"),
        UniqueConstraint("suspension_list_id", "suspension_index"),
    )

    id: Mapped[intpk]
    uuid: Mapped[str] = mapped_column(String(36), unique=True)  # the record's urn:uuid
    kind: Mapped[CredentialKind] = mapped_column(enum_column(CredentialKind, "credential_kind"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # One record per completion (transcripts have none; NULLs do not collide).
    completion_id: Mapped[int | None] = mapped_column(
        ForeignKey("completion.id", ondelete="SET NULL"), unique=True
    )
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("issuer_key.id"))
    name: Mapped[str] = mapped_column(String(300))
    document: Mapped[str] = mapped_column(Text)  # the signed JSON, byte for byte as issued
    # The records this one rests on (ids of issued_credential rows): a transcript's records, a
    # recognition's source record. Revoking one of them revokes or suspends this one.
    includes: Mapped[list[int]] = mapped_column(JSONType, default=list)
    status_list_id: Mapped[int] = mapped_column(ForeignKey("status_list.id"))
    status_index: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[created_at]
    revoked_at: Mapped[dt.datetime | None]
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # A suspension bit, for records that can be suspended (recognition records); set while a
    # record this one rests on is revoked and its issuer has not confirmed or revoked it.
    suspension_list_id: Mapped[int | None] = mapped_column(ForeignKey("status_list.id"))
    suspension_index: Mapped[int | None] = mapped_column(Integer)
    suspended_at: Mapped[dt.datetime | None]
    suspension_lifted_at: Mapped[dt.datetime | None]  # when its issuer last confirmed it
    # A holder's copy (issued to the DID of their wallet) of this record: not listed among the
    # learner's records, revoked and suspended with the record it copies.
    copy_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("issued_credential.id", ondelete="CASCADE"), index=True
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    completion: Mapped[Completion | None] = relationship()
    institution: Mapped[Institution] = relationship()
    status_list: Mapped[StatusList] = relationship(foreign_keys=[status_list_id])
    suspension_list: Mapped[StatusList | None] = relationship(foreign_keys=[suspension_list_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None and self.revoked_at is None


class ShareLink(Base):
    """A link a learner gives to someone to verify one record; only the token's hash is kept."""

    __tablename__ = "share_link"

    id: Mapped[intpk]
    credential_id: Mapped[int] = mapped_column(
        ForeignKey("issued_credential.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex of the token
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]

    credential: Mapped[IssuedCredential] = relationship()


class RevocationEntry(Base):
    """Append-only log: who revoked which record, when, and why."""

    __tablename__ = "revocation_entry"

    id: Mapped[intpk]
    credential_id: Mapped[int] = mapped_column(ForeignKey("issued_credential.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created_at]

    actor: Mapped[User | None] = relationship()
    credential: Mapped[IssuedCredential] = relationship()


class VcApiCredential(Base):
    """A credential an institution's own system had signed through the VC API, kept as signed.

    Not a platform record (no learner, no completion): the system that posted it holds it; the
    row is here so its status can be set later, by the credential's `id`.
    """

    __tablename__ = "vcapi_credential"

    id: Mapped[intpk]
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("issuer_key.id"))
    # The posted credential's own `id` (a URL), how the status endpoint finds it again.
    credential_id: Mapped[str | None] = mapped_column(String(500), index=True)
    document: Mapped[str] = mapped_column(Text)  # the signed JSON, byte for byte as answered
    issued_at: Mapped[created_at]

    institution: Mapped[Institution] = relationship()
    entries: Mapped[list[VcApiStatusEntry]] = relationship(back_populates="credential")


class VcApiStatusList(Base):
    """A Bitstring Status List of VC API credentials: one issuer identifier, one purpose
    (revocation or suspension), signed by the key the list names, re-signed on every change."""

    __tablename__ = "vcapi_status_list"
    __table_args__ = (UniqueConstraint("institution_id", "purpose", "number"),)

    id: Mapped[intpk]
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(300))  # the did:web or did:key it is issued as
    key_id: Mapped[int] = mapped_column(ForeignKey("issuer_key.id"))
    purpose: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)
    length: Mapped[int] = mapped_column(Integer)
    credential: Mapped[str] = mapped_column(Text)  # the signed list credential, verbatim JSON
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    institution: Mapped[Institution] = relationship()


class VcApiStatusEntry(Base):
    """One bit of a VC API status list, the one a credential's `credentialStatus` points at."""

    __tablename__ = "vcapi_status_entry"
    __table_args__ = (UniqueConstraint("status_list_id", "status_index"),)

    id: Mapped[intpk]
    credential_ref: Mapped[int] = mapped_column(ForeignKey("vcapi_credential.id"), index=True)
    status_list_id: Mapped[int] = mapped_column(ForeignKey("vcapi_status_list.id"))
    status_index: Mapped[int] = mapped_column(Integer)
    is_set: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[updated_at]

    credential: Mapped[VcApiCredential] = relationship(back_populates="entries")
    status_list: Mapped[VcApiStatusList] = relationship()


class VcApiAuditEntry(AuditColumns, Base):
    """Append-only log of what institutions' systems did through the VC API (issue, status);
    the actor is the person whose token it was."""

    __tablename__ = "vcapi_audit_entry"

    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)


class HolderKey(Base):
    """The Ed25519 key the platform holds for a learner, to sign the presentations they make
    from My records (their holder DID is the did:key of it); sealed like issuers' keys."""

    __tablename__ = "holder_key"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    did: Mapped[str] = mapped_column(String(100), unique=True)
    # AES-256-GCM of the 32-byte seed under MOOC_KEY_ENCRYPTION_KEY: nonce ‖ ciphertext ‖ tag.
    private_key_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    kek_fingerprint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[created_at]


class WalletExchange(Base):
    """An "Add to wallet" VC API exchange for one record and its holder. The wallet posts to the
    exchange URL (its token is the secret part), is asked to prove a DID (a challenge and the
    platform's domain), and receives a copy of the record issued to that DID. Single-use: once
    completed, only the same DID gets the same copy again."""

    __tablename__ = "wallet_exchange"

    id: Mapped[intpk]
    token: Mapped[str] = mapped_column(String(64), unique=True)
    credential_id: Mapped[int] = mapped_column(
        ForeignKey("issued_credential.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    challenge: Mapped[str] = mapped_column(String(64))
    domain: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime]
    completed_at: Mapped[dt.datetime | None]
    holder: Mapped[str | None] = mapped_column(String(500))  # the wallet's DID, once proven
    copy_id: Mapped[int | None] = mapped_column(
        ForeignKey("issued_credential.id", ondelete="SET NULL"), unique=True
    )

    credential: Mapped[IssuedCredential] = relationship(foreign_keys=[credential_id])
    copy: Mapped[IssuedCredential | None] = relationship(foreign_keys=[copy_id])

    def is_expired(self, now: dt.datetime) -> bool:
        return now >= self.expires_at
