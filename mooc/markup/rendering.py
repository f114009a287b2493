"""Markdown → sanitized HTML: the extensions the platform writes with (tables, footnotes,
highlighted code, math, media players), heading anchors and the outline."""

from __future__ import annotations

import hashlib
import html
import re
from functools import lru_cache
from typing import Any

import markdown

from mooc.folding import fold
from mooc.markup.formulas import formulas_to_mathml
from mooc.markup.players import MediaExtension
from mooc.markup.sanitizing import sanitize
from mooc.markup.values import DEFAULT_LABELS, Heading, MediaResolver, RegionLabels, Rendered


def _slugify(value: str, separator: str) -> str:
    """Heading anchors: ASCII, prefixed so they never clash with the page's own ids."""
    words = re.sub(r"[^\w\s-]", "", fold(value)).strip()
    slug = re.sub(r"[\s_-]+", separator, words)[:70].strip(separator)
    if not slug.isascii() or not slug:  # a heading of symbols ("∑") still gets a usable anchor
        slug = hashlib.sha256(value.encode()).hexdigest()[:8]
    return "h-" + slug


def _flatten(tokens: list[dict[str, Any]]) -> list[Heading]:
    out: list[Heading] = []
    for token in tokens:
        out.append(Heading(token["level"], token["id"], html.unescape(token["name"])))
        out.extend(_flatten(token.get("children", [])))
    return out


def _markdown(
    resolver: MediaResolver | None, labels: RegionLabels
) -> tuple[markdown.Markdown, MediaExtension]:
    media = MediaExtension(resolver, labels)
    md = markdown.Markdown(
        extensions=[
            "tables",
            "footnotes",
            "sane_lists",
            "toc",
            "pymdownx.arithmatex",
            "pymdownx.superfences",
            "pymdownx.highlight",
            "pymdownx.tilde",
            "pymdownx.mark",
            media,
        ],
        extension_configs={
            "toc": {"slugify": _slugify, "toc_depth": "2-3", "permalink": False},
            "pymdownx.arithmatex": {"generic": True, "smart_dollar": True},
            "pymdownx.highlight": {"use_pygments": True, "css_class": "highlight"},
            "footnotes": {"UNIQUE_IDS": False, "BACKLINK_TITLE": ""},
        },
        output_format="html",
    )
    return md, media


def render_markdown(
    source: str, *, media: MediaResolver | None = None, labels: RegionLabels = DEFAULT_LABELS
) -> Rendered:
    """Render Markdown (tables, footnotes, highlighted code, ``$math$``) to sanitized HTML.

    `labels` name the scrolling boxes around tables and display formulas, in the text's language.
    """
    md, media_ext = _markdown(media, labels)
    raw = md.convert(source)
    with_math = formulas_to_mathml(raw)
    outline = tuple(_flatten(getattr(md, "toc_tokens", [])))
    names = tuple(media_ext.processor.names) if media_ext.processor else ()
    return Rendered(html=sanitize(with_math, labels), outline=outline, media=names)


@lru_cache(maxsize=4096)
def render_inline(source: str, labels: RegionLabels = DEFAULT_LABELS) -> str:
    """Render a short text (an option, a prompt) without the surrounding paragraph."""
    rendered = render_markdown(source, labels=labels).html.strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered
