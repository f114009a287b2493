"""Multibase text encodings used by records: base58btc ('z') for keys and signatures,
base64url without padding ('u') for status lists.

Small enough to own rather than depend on a package for; strict on input so that a key or a
signature has exactly one accepted spelling.
"""

from __future__ import annotations

import base64
import re

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class MultibaseError(ValueError):
    """Text that is not the expected multibase encoding."""


def encode_base58btc(data: bytes) -> str:
    """'z' + base58btc (Bitcoin alphabet), leading zero bytes kept as '1'."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(_B58_ALPHABET[rest])
    return "z" + "1" * zeros + "".join(reversed(digits))


def decode_base58btc(text: str) -> bytes:
    """The bytes of a 'z…' multibase string."""
    if not isinstance(text, str) or not text.startswith("z"):
        raise MultibaseError("expected base58btc multibase text starting with 'z'")
    body = text[1:]
    number = 0
    for char in body:
        digit = _B58_INDEX.get(char)
        if digit is None:
            raise MultibaseError(f"{char!r} is not a base58btc character")
        number = number * 58 + digit
    zeros = len(body) - len(body.lstrip("1"))
    payload = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + payload


def encode_base64url(data: bytes) -> str:
    """'u' + base64url without padding."""
    return "u" + base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def decode_base64url(text: str) -> bytes:
    """The bytes of a 'u…' multibase string (padding is not allowed)."""
    if not isinstance(text, str) or not text.startswith("u"):
        raise MultibaseError("expected base64url multibase text starting with 'u'")
    body = text[1:]
    if not _B64URL.match(body) or len(body) % 4 == 1:
        raise MultibaseError("not base64url text without padding")
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
