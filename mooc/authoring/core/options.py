"""A choice question's options as teachers type them: "* right answer" / "wrong answer". Pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def parse_options(text: str) -> list[dict[str, Any]]:
    """ "* right answer" / "wrong answer", one per line, into option dicts."""
    options = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        correct = stripped.startswith("*")
        options.append({"text": stripped.lstrip("*").strip(), "correct": correct})
    return options


def format_options(options: Sequence[dict[str, Any]]) -> str:
    return "\n".join(("* " if o.get("correct") else "") + str(o["text"]) for o in options)
