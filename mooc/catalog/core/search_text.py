"""What a course is found by: its folded title, code, subject, provider, description, outcomes."""

from __future__ import annotations

import re
from collections.abc import Iterable

from mooc.folding import fold

# Textbooks write i after h/k/l/m/s/t (Vật lí, kĩ năng, tỉ lệ) where many people still type y.
_I_OR_Y = re.compile(r"\b([hklmst])([iy])\b")


def course_search_text(
    *,
    title: str,
    code: str | None,
    subject: str,
    subject_labels: Iterable[str],
    institution: str,
    description: str,
    outcomes: Iterable[str],
) -> str:
    parts = [title, code or "", subject, *subject_labels, institution, description, *outcomes]
    text = fold(" ".join(parts))
    return f"{text} {spelling_variants(text)}".strip()


def spelling_variants(folded: str) -> str:
    """The i/y syllables of `folded` in their other spelling, so "vat ly" finds "Vật lí"."""
    swapped = {m[1] + ("y" if m[2] == "i" else "i") for m in _I_OR_Y.finditer(folded)}
    return " ".join(sorted(swapped))
