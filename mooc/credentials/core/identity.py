"""How a record names its learner without showing who it is: a salted hash of the email
(OB 3.0 `IdentityObject`) or the learner's own DID.

No name or email is ever written in clear, so a record can be shared (or leak) without exposing
a pupil; whoever knows the email can still check that a record is about that person.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def normalize_email(email: str) -> str:
    """The form of an email that is hashed: trimmed and lower-cased."""
    return email.strip().lower()


def identity_hash(identity: str, salt: str) -> str:
    """OB 3.0 IdentityHash: 'sha256$' + hex SHA-256 of the identity followed by the salt."""
    return "sha256$" + hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()


def new_salt() -> str:
    """A fresh salt, so equal emails give unrelated hashes across records."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class HashedEmail:
    """A learner known by email, which the record carries only as a salted hash."""

    email: str
    salt: str = field(repr=False)

    def __post_init__(self) -> None:
        if "@" not in self.email or len(self.salt) < 16:
            raise ValueError("a hashed email needs an email and a salt of at least 16 characters")

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "IdentityObject",
            "identityHash": identity_hash(normalize_email(self.email), self.salt),
            "identityType": "emailAddress",
            "hashed": True,
            "salt": self.salt,
        }


@dataclass(frozen=True)
class HashedUsername:
    """A learner without email (a pupil signing in with a username), carried as a salted hash of
    the platform username (OB 3.0 identityType `userName`)."""

    username: str
    salt: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.username.strip() or len(self.salt) < 16:
            raise ValueError(
                "a hashed username needs a username and a salt of at least 16 characters"
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "IdentityObject",
            "identityHash": identity_hash(self.username.strip().lower(), self.salt),
            "identityType": "userName",
            "hashed": True,
            "salt": self.salt,
        }


def hashed_recipient(
    email: str | None, username: str | None, salt: str
) -> HashedEmail | HashedUsername:
    """The learner as a record names them: by email when there is one, else by username."""
    if email:
        return HashedEmail(email, salt)
    if username:
        return HashedUsername(username, salt)
    raise ValueError("a learner needs an email or a username to be named in a record")


@dataclass(frozen=True)
class LearnerDid:
    """A learner known by a DID of their own (from a wallet)."""

    did: str

    def __post_init__(self) -> None:
        if not self.did.startswith("did:"):
            raise ValueError(f"{self.did!r} is not a DID")


Recipient = HashedEmail | HashedUsername | LearnerDid


def identifies(
    subject: Mapping[str, Any], email: str | None = None, did: str | None = None
) -> bool:
    """Whether a credential subject names this learner (by DID, or by a salted email hash)."""
    if did is not None and subject.get("id") == did:
        return True
    if email is None:
        return False
    identifiers = subject.get("identifier", [])
    for identifier in identifiers if isinstance(identifiers, list) else [identifiers]:
        if not isinstance(identifier, Mapping) or identifier.get("identityType") != "emailAddress":
            continue
        salt, stated = identifier.get("salt", ""), identifier.get("identityHash")
        if isinstance(salt, str) and isinstance(stated, str):
            expected = identity_hash(normalize_email(email), salt)
            if hmac.compare_digest(expected.lower(), stated.lower()):
                return True
    return False
