"""Markdown → sanitized HTML, with math rendered on the server to MathML.

This is the one place user-written text becomes HTML: lectures, course descriptions and quiz
prompts all pass through `render_markdown`. Pure: no Flask, no database. The package's modules:
`values` (what goes in and out), `rendering` (Markdown and its extensions), `sanitizing` (the one
bleach allowlist), `formulas` (LaTeX → MathML) and `players` (audio, video, captions).
"""

from __future__ import annotations

from mooc.markup.players import default_captions, players_of
from mooc.markup.rendering import render_inline, render_markdown
from mooc.markup.sanitizing import sanitize
from mooc.markup.values import Heading, MediaRef, MediaResolver, RegionLabels, Rendered

__all__ = [
    "Heading",
    "MediaRef",
    "MediaResolver",
    "RegionLabels",
    "Rendered",
    "default_captions",
    "players_of",
    "render_inline",
    "render_markdown",
    "sanitize",
]
