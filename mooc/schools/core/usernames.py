"""Readable, unique sign-in names for pupils without email: `an.nguyen.6a1`.

Given name, family name and class, folded to ASCII (Vietnamese diacritics and đ removed). On a
clash the family name takes a number (`an.nguyen2.6a1`, `an.nguyen3.6a1`…), so the name still reads
as a name and still says the class.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterator
from functools import lru_cache

from mooc.folding import fold

MAX_LENGTH = 64
# What a username may hold: lowercase ASCII letters and digits, dots, hyphens and underscores,
# starting with a letter or digit (no "@": the sign-in form tells an email by it).
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


# A roster repeats the same few hundred given names, family names and class names: fold each once.
@lru_cache(maxsize=8192)
def _part(text: str) -> str:
    return _NOT_WORD.sub("", fold(text))


def is_valid_username(username: str) -> bool:
    return USERNAME.fullmatch(username) is not None


def username_parts(given: str, family: str, class_name: str | None) -> tuple[str, str]:
    """(stem, tail) of a generated username: `an.nguyen` and `.6a1`; numbers go between them."""
    given_part = _part(given) or "hs"
    family_part = _part(family)
    stem = f"{given_part}.{family_part}" if family_part else given_part
    tail = f".{_part(class_name)}" if class_name and _part(class_name) else ""
    return stem[: MAX_LENGTH - len(tail) - 4], tail


def candidates(given: str, family: str, class_name: str | None) -> Iterator[str]:
    """`an.nguyen.6a1`, then `an.nguyen2.6a1`, `an.nguyen3.6a1`, … without end."""
    stem, tail = username_parts(given, family, class_name)
    yield f"{stem}{tail}"
    number = 2
    while True:
        yield f"{stem}{number}{tail}"
        number += 1


def allocate(given: str, family: str, class_name: str | None, taken: Container[str]) -> str:
    """The first candidate nobody has; the caller adds it to `taken` before the next person."""
    return next(name for name in candidates(given, family, class_name) if name not in taken)


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
    """The first free username for a pupil when `taken(name)` asks the database (login cards):
    the same names as a roster import gives (`an.nguyen.6a1`, then `an.nguyen2.6a1`)."""
    return next(name for name in candidates(given, family, class_name) if not taken(name))
