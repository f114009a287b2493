"""One-time passwords printed on login cards: random, and easy to read aloud and to type.

Three groups of four lowercase letters and digits, such as ``k7pw-3hxa-9tmc``, drawn from an
alphabet without the characters people confuse on paper (0/o, 1/l/i): 31 symbols, twelve of
them, about 59 bits — far beyond guessing within the log-in limits, and only good until the
person chooses their own password at the first sign-in.
"""

from __future__ import annotations

import secrets

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GROUPS = 3
GROUP_LENGTH = 4


def one_time_password() -> str:
    """A new random one-time password, groups joined by hyphens (which are part of it)."""
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)
    )
