"""Text folding for search and lenient answer matching: case, spaces and Vietnamese diacritics.

`fold("Toán lớp 6")` is ``"toan lop 6"``; ``đ`` folds to ``d``. Pure, no dependencies.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Letters that Unicode does not decompose into a base letter plus a combining mark.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ł": "l", "ø": "o", "æ": "ae", "ß": "ss"})


def strip_diacritics(text: str) -> str:
    """Remove combining marks after canonical decomposition ("Toán" → "Toan")."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# The five Vietnamese tone marks as combining characters: grave, acute, hook, tilde, dot below.
_TONE_MARKS = frozenset("\u0300\u0301\u0309\u0303\u0323")
_VOWELS = frozenset("aeiouyAEIOUY")


def tone_canonical(text: str) -> str:
    """One spelling for each tone-mark placement: "hòa" and "hoà", "thủy" and "thuỷ" agree.

    Within each run of vowels the tone mark moves to the run's last vowel; other marks (the
    circumflex, breve and horn of â ă ê ô ơ ư) stay where they are, and the result is NFC. The
    mark itself is kept: "hoa", "hòa" and "hóa" stay three different texts.
    """
    out: list[str] = []
    tones: list[str] = []  # tone marks taken from the current run of vowels
    last_vowel_end = -1  # index in `out` just after the last vowel's own marks
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            if ch in _TONE_MARKS and last_vowel_end >= 0:
                tones.append(ch)
            else:
                out.append(ch)
                if last_vowel_end >= 0:
                    last_vowel_end = len(out)
            continue
        if ch in _VOWELS:
            out.append(ch)
            last_vowel_end = len(out)
            continue
        out.extend(tones)
        tones, last_vowel_end = [], -1
        out.append(ch)
    out.extend(tones)
    return unicodedata.normalize("NFC", "".join(out))


def normalize_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """Lowercase, strip diacritics, collapse white space: the key that search compares."""
    return normalize_spaces(strip_diacritics(text).casefold())


def fold_terms(query: str) -> list[str]:
    """Split a search query into folded terms, keeping only word characters."""
    return [term for term in re.split(r"[^\w]+", fold(query)) if term]


def name_sort_key(name: str) -> tuple[str, str]:
    """How Vietnamese class lists are ordered: by the given name (the last word), then by the
    whole name, both folded — "Trần Văn An" comes before "Nguyễn Thị Bình"."""
    folded = fold(name)
    return (folded.rsplit(" ", 1)[-1], folded)
