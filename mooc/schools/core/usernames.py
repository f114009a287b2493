"""Usernames for pupils without one: folded Vietnamese, readable, unique (``an.nguyen.6a1``).

Given name, family name and class, without diacritics, lowercase, joined by dots; a number is
added (``an.nguyen.6a1.2``) when the name is taken. Pure: the caller says what is taken.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mooc.folding import strip_diacritics

MAX_LENGTH = 64  # user_account.username
_NOT_NAME = re.compile(r"[^a-z0-9]+")
FALLBACK = "hs"  # học sinh: for a name with no letters or digits at all


def fold_part(text: str) -> str:
    """One part of a username: "Nguyễn Thị" → "nguyenthi", "6A1" → "6a1"."""
    return _NOT_NAME.sub("", strip_diacritics(text).lower())


def split_name(full_name: str) -> tuple[str, str]:
    """(given, family) of a Vietnamese full name: the family name comes first, the given name
    last ("Nguyễn Văn An" → ("An", "Nguyễn")); one word is the given name."""
    words = full_name.split()
    if not words:
        return "", ""
    if len(words) == 1:
        return words[0], ""
    return words[-1], words[0]


def make_username(given: str, family: str, class_name: str, taken: Callable[[str], bool]) -> str:
    """The first free username for a pupil: `taken(name)` says whether an account (or another
    pupil of the same batch) already has `name`."""
    parts = [p for p in (fold_part(given), fold_part(family), fold_part(class_name)) if p]
    base = ".".join(parts) or FALLBACK
    candidate, n = base[:MAX_LENGTH], 1
    while taken(candidate):
        n += 1
        suffix = f".{n}"
        candidate = base[: MAX_LENGTH - len(suffix)] + suffix
    return candidate
