"""Bitstring Status List: encoding, bits, entries, list credentials and free indexes."""

from __future__ import annotations

import base64
import gzip
import random
from datetime import UTC, datetime

import pytest

from mooc.credentials.core.status_list import (
    MIN_BITS,
    Bitstring,
    StatusListEntry,
    StatusListError,
    choose_free_index,
    is_status_set,
    status_list_credential,
)

LIST = "https://mooc.example.edu/status/revocation/1"


def test_empty_list_has_the_minimum_size_and_encodes_small() -> None:
    bits = Bitstring.zeros()
    assert len(bits) == MIN_BITS == 131_072
    encoded = bits.encode()
    assert encoded.startswith("u")
    assert "=" not in encoded
    assert len(encoded) < 100
    assert Bitstring.decode(encoded) == bits


def test_encoding_is_gzip_then_base64url_with_bit_zero_leftmost() -> None:
    bits = Bitstring.zeros().set(0).set(9).set(MIN_BITS - 1)
    raw = gzip.decompress(base64.urlsafe_b64decode(bits.encode()[1:] + "=="))
    assert raw[0] == 0b1000_0000
    assert raw[1] == 0b0100_0000
    assert raw[-1] == 0b0000_0001
    decoded = Bitstring.decode(bits.encode())
    assert [i for i in (0, 1, 8, 9, MIN_BITS - 1) if decoded.get(i)] == [0, 9, MIN_BITS - 1]


def test_set_is_pure_and_can_clear() -> None:
    empty = Bitstring.zeros()
    revoked = empty.set(94567)
    assert revoked.get(94567) and not empty.get(94567)
    assert not revoked.set(94567, False).get(94567)
    assert revoked.set_many([1, 2, 3]).get(2)


def test_out_of_range_and_short_or_bad_lists_are_refused() -> None:
    with pytest.raises(StatusListError, match="outside"):
        Bitstring.zeros().get(MIN_BITS)
    short = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(1024))).decode().rstrip("=")
    with pytest.raises(StatusListError, match="fewer than"):
        Bitstring.decode(short)
    with pytest.raises(StatusListError, match="gzip"):
        Bitstring.decode("uAAAA")
    with pytest.raises(StatusListError):
        Bitstring.decode("zAAAA")
    with pytest.raises(StatusListError):
        Bitstring.zeros(1000)


def test_entry_json_round_trip() -> None:
    entry = StatusListEntry(LIST, 94567)
    assert entry.to_json() == {
        "id": f"{LIST}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST,
    }
    assert StatusListEntry.from_json(entry.to_json()) == entry
    with pytest.raises(StatusListError, match="base-10"):
        StatusListEntry.from_json({**entry.to_json(), "statusListIndex": 94567})
    with pytest.raises(StatusListError, match="must not be"):
        StatusListEntry.from_json({**entry.to_json(), "id": LIST})


def test_a_revoked_bit_is_detected_through_the_list_credential() -> None:
    entry = StatusListEntry(LIST, 94567)
    issued = datetime(2025, 6, 30, tzinfo=UTC)
    clean = status_list_credential(LIST, "did:web:mooc.example.edu", Bitstring.zeros(), issued)
    assert clean["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert clean["credentialSubject"]["type"] == "BitstringStatusList"
    assert not is_status_set(clean, entry)
    revoked = status_list_credential(
        LIST, "did:web:mooc.example.edu", Bitstring.zeros().set(94567), issued
    )
    assert is_status_set(revoked, entry)
    assert not is_status_set(revoked, StatusListEntry(LIST, 94566))
    with pytest.raises(StatusListError, match="for 'revocation'"):
        is_status_set(revoked, StatusListEntry(LIST, 94567, "suspension"))


def test_free_indexes_are_random_and_never_reused() -> None:
    rng = random.Random(7)  # noqa: S311 - a seeded draw keeps the test repeatable
    used: set[int] = set()
    for _ in range(200):
        index = choose_free_index(used, rng=rng)
        assert index not in used and 0 <= index < MIN_BITS
        used.add(index)
    assert max(used) - min(used) > MIN_BITS // 2  # spread out, not sequential
    nearly_full = set(range(MIN_BITS)) - {4242}
    assert choose_free_index(nearly_full, rng=rng) == 4242
    with pytest.raises(StatusListError, match="full"):
        choose_free_index(set(range(MIN_BITS)))
