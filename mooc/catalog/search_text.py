"""What a course is found by: its folded title, code, subject, provider, description, outcomes."""

from __future__ import annotations

from collections.abc import Iterable

from mooc.folding import fold


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
    return fold(" ".join(parts))
