"""Ed25519 keys as Multikey text; did:key documents and resolution."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mooc.credentials.core.multibase import (
    decode_base58btc,
    decode_base64url,
    encode_base58btc,
    encode_base64url,
)
from mooc.credentials.core.multikey import (
    InvalidKey,
    decode_public_key,
    decode_secret_key,
    did_key,
    did_key_document,
    encode_public_key,
    encode_secret_key,
    resolve_did_key,
)

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def test_base58btc_keeps_leading_zero_bytes() -> None:
    for data in (b"", b"\0", b"\0\0\x01", bytes(range(40))):
        assert decode_base58btc(encode_base58btc(data)) == data
    assert encode_base58btc(b"hello world") == "zStV1DL6CwTryKyV"


def test_base64url_has_no_padding_and_refuses_it() -> None:
    assert encode_base64url(b"\xff\xfe") == "u__4"
    assert decode_base64url("u__4") == b"\xff\xfe"
    with pytest.raises(ValueError, match="base64url"):
        decode_base64url("u__4=")


def test_public_key_is_z6mk_and_round_trips() -> None:
    text = encode_public_key(KEY.public_key())
    assert text.startswith("z6Mk")
    assert decode_public_key(text) == KEY.public_key()


def test_other_key_types_and_lengths_are_refused() -> None:
    raw = decode_base58btc(encode_public_key(KEY.public_key()))
    with pytest.raises(InvalidKey, match="0xed01"):
        decode_public_key(encode_base58btc(b"\xe7\x01" + raw[2:]))  # secp256k1 header
    with pytest.raises(InvalidKey):
        decode_public_key(encode_base58btc(raw[:-1]))
    with pytest.raises(InvalidKey):
        decode_public_key("u" + "A" * 44)


def test_secret_key_round_trips_in_current_form() -> None:
    text = encode_secret_key(KEY)
    assert text.startswith("z3u2")
    assert encode_public_key(decode_secret_key(text).public_key()) == encode_public_key(
        KEY.public_key()
    )


def test_did_key_document_lists_one_multikey_for_every_purpose() -> None:
    did = did_key(KEY.public_key())
    document = did_key_document(did)
    method = document["verificationMethod"][0]
    assert method == {
        "id": f"{did}#{did[8:]}",
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": did[8:],
    }
    assert document["assertionMethod"] == [method["id"]]
    assert document["authentication"] == [method["id"]]


def test_did_key_resolution_gives_the_key_and_refuses_other_fragments() -> None:
    did = did_key(KEY.public_key())
    method = resolve_did_key(f"{did}#{did[8:]}")
    assert method.public_key == KEY.public_key()
    assert method.controller == did
    with pytest.raises(InvalidKey, match="only the verification method"):
        resolve_did_key(f"{did}#key-1")
    with pytest.raises(InvalidKey):
        resolve_did_key("did:web:example.edu#key-1")
