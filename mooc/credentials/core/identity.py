"""How a record names its holder (OB 3.0 `IdentityObject`s): a salted hash of the email or
username, or the learner's own DID; and who the person is, for a registrar: the name (and the
student number when known), in clear on university records, as salted hashes on school (K-12)
records, so a pupil's record can be shared (or leak) without exposing the pupil while whoever
knows the name can still check it (`check_identity`).

Hashes follow OB 3.0: 'sha256$' + hex SHA-256 of the value followed by the salt. Names and
student numbers are normalised first (Unicode NFC, single spaces, lower case), so the way they
are typed does not matter.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

NAME = "name"
# OB 3.0's identity types have no "student number": an extension type, as OB allows.
STUDENT_ID = "ext:studentId"
PERSON_TYPES = (NAME, STUDENT_ID)


def normalize_email(email: str) -> str:
    """The form of an email that is hashed: trimmed and lower-cased."""
    return email.strip().lower()


def normalize_person(value: str) -> str:
    """The form of a name or student number that is hashed and compared: Unicode NFC (Vietnamese
    typed with combining marks or not), single spaces, lower case."""
    return " ".join(unicodedata.normalize("NFC", value).split()).casefold()


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


@dataclass(frozen=True)
class PersonIdentity:
    """Who the holder is (identityType `name` or `ext:studentId`): in clear (`salt` None), or as a
    salted hash of the normalised value."""

    identity_type: str
    value: str
    salt: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.identity_type not in PERSON_TYPES:
            raise ValueError(f"{self.identity_type!r} is not a person identity type")
        if not self.value.strip():
            raise ValueError("a person identity needs a value")
        if self.salt is not None and len(self.salt) < 16:
            raise ValueError("a hashed identity needs a salt of at least 16 characters")

    def to_json(self) -> dict[str, Any]:
        if self.salt is None:
            shown = " ".join(unicodedata.normalize("NFC", self.value).split())
            return {
                "type": "IdentityObject",
                "identityHash": shown,
                "identityType": self.identity_type,
                "hashed": False,
            }
        return {
            "type": "IdentityObject",
            "identityHash": identity_hash(normalize_person(self.value), self.salt),
            "identityType": self.identity_type,
            "hashed": True,
            "salt": self.salt,
        }


def person_identities(
    name: str, student_number: str | None, *, in_clear: bool, salt: str
) -> tuple[PersonIdentity, ...]:
    """The holder's name (and student number when known): in clear on university records,
    hashed with `salt` otherwise."""
    chosen = None if in_clear else salt
    found = [PersonIdentity(NAME, name, chosen)] if name.strip() else []
    if student_number and student_number.strip():
        found.append(PersonIdentity(STUDENT_ID, student_number, chosen))
    return tuple(found)


def _identifiers(subject: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    identifiers = subject.get("identifier", [])
    listed = identifiers if isinstance(identifiers, list) else [identifiers]
    return [identifier for identifier in listed if isinstance(identifier, Mapping)]


def shown_identities(subject: Mapping[str, Any]) -> dict[str, str]:
    """The holder's identities a record states in clear, by type (name, student number)."""
    shown: dict[str, str] = {}
    for identifier in _identifiers(subject):
        kind, value = identifier.get("identityType"), identifier.get("identityHash")
        if identifier.get("hashed") is False and kind in PERSON_TYPES and isinstance(value, str):
            shown.setdefault(str(kind), value)
    return shown


def hashed_types(subject: Mapping[str, Any]) -> tuple[str, ...]:
    """The person identity types a record states only as hashes (what a verifier can check)."""
    found = {
        str(identifier.get("identityType"))
        for identifier in _identifiers(subject)
        if identifier.get("hashed") is True and identifier.get("identityType") in PERSON_TYPES
    }
    return tuple(kind for kind in PERSON_TYPES if kind in found)


Match = Literal["match", "no-match", "absent"]


def check_identity(subject: Mapping[str, Any], identity_type: str, value: str) -> Match:
    """Whether `value` is the holder's identity of `identity_type` as the record states it (in
    clear or hashed); "absent" when the record states none of that type."""
    wanted = normalize_person(value)
    stated = False
    for identifier in _identifiers(subject):
        if identifier.get("identityType") != identity_type:
            continue
        claim = identifier.get("identityHash")
        if not isinstance(claim, str):
            continue
        stated = True
        if identifier.get("hashed") is False:
            candidate = normalize_person(claim)
        else:
            salt = identifier.get("salt", "")
            candidate = identity_hash(wanted, salt if isinstance(salt, str) else "")
            wanted_hash, candidate = candidate.lower(), claim.lower()
            if hmac.compare_digest(wanted_hash, candidate):
                return "match"
            continue
        if hmac.compare_digest(candidate.encode(), wanted.encode()):
            return "match"
    return "no-match" if stated else "absent"


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
