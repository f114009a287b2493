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


def normalize_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """Lowercase, strip diacritics, collapse white space: the key that search compares."""
    return normalize_spaces(strip_diacritics(text).casefold())


def fold_terms(query: str) -> list[str]:
    """Split a search query into folded terms, keeping only word characters."""
    return [term for term in re.split(r"[^\w]+", fold(query)) if term]
