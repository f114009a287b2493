"""The stylesheet: destructive buttons look destructive and stay readable (WCAG AA contrast)."""

from __future__ import annotations

import re
from pathlib import Path

CSS = (Path(__file__).resolve().parents[2] / "static/css/app.css").read_text()


def _luminance(colour: str) -> float:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_danger_buttons_have_their_own_colours_with_enough_contrast() -> None:
    rules = re.findall(r"([^{}]*\.danger[^{}]*)\{([^}]*)\}", CSS)
    assert rules, "no .danger rule"
    for selector, body in rules:
        background = re.search(r"background:\s*(#[0-9a-fA-F]{3,6})", body)
        colour = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", body)
        assert background, selector
        text = colour.group(1) if colour else "#fff"  # the hover rules keep the white text
        assert _contrast(background.group(1), text) >= 4.5, selector
