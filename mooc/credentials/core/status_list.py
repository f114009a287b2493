"""W3C Bitstring Status List: the published bitstring that says which records are revoked.

Every record points at one bit (`BitstringStatusListEntry`); the list credential carries the
whole bitstring gzip-compressed as multibase base64url. Indexes are drawn at random and the list
is at least 131,072 bits long, so a set bit says little about who holds which record. Other
issuers' records may use its predecessor `StatusList2021` (the same bits, base64url without the
multibase 'u'), or OB 3.0's `1EdTechRevocationList` (a list of revoked records' ids).
"""

from __future__ import annotations

import gzip
import random
import secrets
import zlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mooc.credentials.core.contexts import CREDENTIALS_V2
from mooc.credentials.core.multibase import MultibaseError, decode_base64url, encode_base64url
from mooc.credentials.core.timestamps import format_timestamp

MIN_BITS = 131_072  # 16 KiB, the spec's minimum: smaller lists tell too much about their holders
MAX_BITS = 64 * 1024 * 1024  # refuse to inflate more than 8 MiB from an untrusted list
PURPOSES = ("revocation", "suspension")
BITSTRING = "BitstringStatusListEntry"
STATUS_LIST_2021 = "StatusList2021Entry"
EDTECH_REVOCATION_LIST = "1EdTechRevocationList"
# entry type → (list credential type, list subject type)
_LIST_TYPES = {
    BITSTRING: ("BitstringStatusListCredential", "BitstringStatusList"),
    STATUS_LIST_2021: ("StatusList2021Credential", "StatusList2021"),
}


class StatusListError(ValueError):
    """An encoded list, index or entry that does not follow Bitstring Status List."""


@dataclass(frozen=True)
class Bitstring:
    """An immutable bitstring; bit 0 is the most significant bit of the first byte."""

    data: bytes

    @classmethod
    def zeros(cls, length: int = MIN_BITS) -> Bitstring:
        if length < MIN_BITS or length % 8:
            raise StatusListError(f"a status list has a multiple of 8 bits, at least {MIN_BITS}")
        return cls(bytes(length // 8))

    @classmethod
    def decode(cls, encoded: str, *, multibase: bool = True) -> Bitstring:
        """The bitstring of an `encodedList` ('u' + base64url(gzip(bits)); StatusList2021 lists
        leave out the 'u')."""
        try:
            compressed = decode_base64url(encoded if multibase else "u" + encoded)
        except MultibaseError as error:
            raise StatusListError(f"encodedList: {error}") from error
        data = _gunzip(compressed)
        if len(data) * 8 < MIN_BITS:
            raise StatusListError(f"encodedList holds {len(data) * 8} bits, fewer than {MIN_BITS}")
        return cls(data)

    def encode(self) -> str:
        # mtime=0 keeps the encoding a function of the bits alone (stable across re-signing)
        return encode_base64url(gzip.compress(self.data, compresslevel=9, mtime=0))

    def __len__(self) -> int:
        return len(self.data) * 8

    def get(self, index: int) -> bool:
        self._check(index)
        return bool(self.data[index // 8] & (0x80 >> (index % 8)))

    def set(self, index: int, value: bool = True) -> Bitstring:
        """A copy with bit `index` set (or cleared)."""
        self._check(index)
        data = bytearray(self.data)
        mask = 0x80 >> (index % 8)
        data[index // 8] = data[index // 8] | mask if value else data[index // 8] & ~mask
        return Bitstring(bytes(data))

    def set_many(self, indexes: Collection[int]) -> Bitstring:
        """A copy with every bit in `indexes` set: one copy for a whole batch of revocations."""
        data = bytearray(self.data)
        for index in indexes:
            self._check(index)
            data[index // 8] |= 0x80 >> (index % 8)
        return Bitstring(bytes(data))

    def _check(self, index: int) -> None:
        if not 0 <= index < len(self):
            raise StatusListError(f"status index {index} is outside a list of {len(self)} bits")


def _gunzip(compressed: bytes) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(compressed, MAX_BITS // 8)
    except zlib.error as error:
        raise StatusListError(f"encodedList is not gzip data: {error}") from error
    if inflater.unconsumed_tail:
        raise StatusListError(f"encodedList inflates to more than {MAX_BITS} bits")
    if not inflater.eof:
        raise StatusListError("encodedList is truncated gzip data")
    return data


@dataclass(frozen=True)
class StatusListEntry:
    """The `credentialStatus` of a record: which bit of which list speaks for it."""

    list_url: str
    index: int
    purpose: str = "revocation"
    kind: str = BITSTRING

    def __post_init__(self) -> None:
        if self.purpose not in PURPOSES:
            raise StatusListError(f"status purpose must be one of {', '.join(PURPOSES)}")
        if self.index < 0:
            raise StatusListError("a status index is not negative")

    def to_json(self) -> dict[str, Any]:
        return {
            # OB 3.0 requires an id; it must differ from the list URL
            "id": f"{self.list_url}#{self.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": self.purpose,
            "statusListIndex": str(self.index),
            "statusListCredential": self.list_url,
        }

    @classmethod
    def from_json(cls, entry: Any) -> StatusListEntry:
        """Read an entry from a record; `StatusListError` says what is wrong with it."""
        kind = entry.get("type") if isinstance(entry, Mapping) else None
        if not isinstance(entry, Mapping) or kind not in _LIST_TYPES:
            raise StatusListError("credentialStatus is not a BitstringStatusListEntry")
        index = entry.get("statusListIndex")
        url = entry.get("statusListCredential")
        if not isinstance(index, str) or not index.isdigit() or not index.isascii():
            raise StatusListError("statusListIndex must be a base-10 string")
        if not isinstance(url, str) or not url:
            raise StatusListError("statusListCredential must be a URL")
        if entry.get("id") == url:
            raise StatusListError("credentialStatus.id must not be the status list URL")
        purpose = str(entry.get("statusPurpose"))
        return cls(list_url=url, index=int(index), purpose=purpose, kind=str(kind))


def status_list_credential(
    list_url: str,
    issuer: str,
    bits: Bitstring,
    valid_from: datetime,
    *,
    purpose: str = "revocation",
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """The unsigned `BitstringStatusListCredential` published at `list_url`.

    The issuer is its DID alone: the VC 2.0 context defines no `Profile`, and signing should use
    the same issuer as the records the list speaks for.
    """
    if purpose not in PURPOSES:
        raise StatusListError(f"status purpose must be one of {', '.join(PURPOSES)}")
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": format_timestamp(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bits.encode(),
        },
    }
    if valid_until is not None:
        credential["validUntil"] = format_timestamp(valid_until)
    return credential


def is_status_set(list_credential: Mapping[str, Any], entry: StatusListEntry) -> bool:
    """Whether the list credential sets the entry's bit (revoked or suspended).

    Raises `StatusListError` when the list cannot answer for this entry.
    """
    credential_type, subject_type = _LIST_TYPES[entry.kind]
    types = list_credential.get("type")
    if not isinstance(types, list) or credential_type not in types:
        raise StatusListError(f"the status list is not a {credential_type}")
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") != subject_type:
        raise StatusListError(f"the status list credential has no {subject_type} subject")
    if subject.get("statusPurpose") != entry.purpose:
        raise StatusListError(
            f"the list is for {subject.get('statusPurpose')!r}, the entry for {entry.purpose!r}"
        )
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise StatusListError("the status list has no encodedList")
    return Bitstring.decode(encoded, multibase=entry.kind == BITSTRING).get(entry.index)


@dataclass(frozen=True)
class RevocationListEntry:
    """OB 3.0's `1EdTechRevocationList` status: the URL of a list of revoked records' ids."""

    list_url: str

    @classmethod
    def from_json(cls, entry: Any) -> RevocationListEntry:
        url = entry.get("id") if isinstance(entry, Mapping) else None
        if not isinstance(url, str) or not url:
            raise StatusListError("a 1EdTechRevocationList status needs the list's URL as id")
        return cls(url)


def is_listed_as_revoked(revocation_list: Mapping[str, Any], credential_id: str) -> bool:
    """Whether a 1EdTech revocation list (`revokedCredentials: [{id, revocationReason}]`)
    names the record; raises `StatusListError` when the list cannot answer."""
    revoked = revocation_list.get("revokedCredentials")
    if not isinstance(revoked, list):
        raise StatusListError("the revocation list has no revokedCredentials list")
    return any(isinstance(item, Mapping) and item.get("id") == credential_id for item in revoked)


def choose_free_index(
    used: Collection[int], length: int = MIN_BITS, rng: random.Random | None = None
) -> int:
    """A random index of a list of `length` bits that is not in `used`.

    Random (not sequential) so an index says nothing about when or to whom a record was issued.
    Raises `StatusListError` when the list is full.
    """
    chooser = rng or secrets.SystemRandom()
    taken = used if isinstance(used, set | frozenset) else set(used)
    free_count = length - sum(1 for index in taken if 0 <= index < length)
    if free_count <= 0:
        raise StatusListError("the status list is full; start a new one")
    if free_count * 4 >= length:  # mostly free: a few random draws find a free index
        while True:
            index = chooser.randrange(length)
            if index not in taken:
                return index
    return chooser.choice([index for index in range(length) if index not in taken])
