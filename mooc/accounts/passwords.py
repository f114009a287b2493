"""Password hashing with Argon2id (a memory-hard KDF); its cost parameters come from settings."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mooc.settings import STRONG_PASSWORD_HASHING, PasswordHashing

MIN_LENGTH = 10
# Hashed into the dummy verified when the email is unknown, so timing does not tell.
_TIMING_EQUALISER = "timing-equaliser-not-a-password"


def _make_hasher(params: PasswordHashing) -> PasswordHasher:
    return PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
    )


# The strong parameters until `configure` is called (scripts that build no app hash strongly).
_hasher = _make_hasher(STRONG_PASSWORD_HASHING)
_dummy = _hasher.hash(_TIMING_EQUALISER)


def configure(params: PasswordHashing) -> None:
    """Hash with `params` from now on (the factory passes the settings' parameters). Hashes made
    with other parameters still verify, and are re-hashed at the next log-in."""
    global _hasher, _dummy
    if (_hasher.time_cost, _hasher.memory_cost, _hasher.parallelism) == (
        params.time_cost,
        params.memory_kib,
        params.parallelism,
    ):
        return
    _hasher = _make_hasher(params)
    # The dummy hash costs what a real one does, so an unknown email takes as long as a known one.
    _dummy = _hasher.hash(_TIMING_EQUALISER)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
