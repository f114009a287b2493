"""Markdown → sanitized HTML, with math rendered on the server to MathML.

This is the one place user-written text becomes HTML: lectures, course descriptions and quiz
prompts all pass through `render_markdown`. The bleach allowlist lives only here, so the
sanitizer can be swapped in one place. Pure: no Flask, no database.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import bleach
import markdown
from bleach.html5lib_shim import Filter  # type: ignore[attr-defined]  # untyped in the stubs
from bleach.linkifier import LinkifyFilter
from latex2mathml.converter import convert as latex_to_mathml
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from mooc.folding import fold


@dataclass(frozen=True)
class MediaRef:
    """Where a lecture's `media/<name>` reference points, and its size when known."""

    url: str
    width: int | None = None
    height: int | None = None


MediaResolver = Callable[[str], MediaRef | None]


@dataclass(frozen=True)
class RegionLabels:
    """Accessible names of the sideways-scrolling boxes around wide tables and formulas.

    The caller passes them translated (this module knows no gettext); the defaults are English.
    """

    table: str = "Table"
    formula: str = "Formula"
    code: str = "Code"


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str
    text: str


@dataclass(frozen=True)
class Rendered:
    html: str
    outline: tuple[Heading, ...]
    media: tuple[str, ...]  # media names the text refers to


_HTML_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "code",
    "span",
    "div",
    "em",
    "strong",
    "b",
    "i",
    "del",
    "ins",
    "mark",
    "sub",
    "sup",
    "kbd",
    "abbr",
    "small",
    "s",
    "u",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "a",
    "img",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "details",
    "summary",
}
_MATHML_TAGS = {
    "math",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "mfrac",
    "msqrt",
    "mroot",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "semantics",
    "annotation",
}
_MATHML_ATTRS = [
    "display",
    "xmlns",
    "mathvariant",
    "stretchy",
    "fence",
    "separator",
    "form",
    "lspace",
    "rspace",
    "accent",
    "accentunder",
    "movablelimits",
    "largeop",
    "symmetric",
    "minsize",
    "maxsize",
    "columnalign",
    "rowalign",
    "columnspacing",
    "rowspacing",
    "columnlines",
    "rowlines",
    "frame",
    "width",
    "height",
    "depth",
    "linethickness",
    "notation",
    "displaystyle",
    "scriptlevel",
    "encoding",
]
_ID_PATTERN = re.compile(r"^(?:h-[\w-]{1,80}|fn:[\w-]{1,40}|fnref\d*:[\w-]{1,40})$")


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """bleach attribute filter: a small, explicit allowlist; never `style` or `on*`."""
    if tag in _MATHML_TAGS:
        return name in _MATHML_ATTRS
    if name == "id":
        return bool(_ID_PATTERN.match(value))
    if name == "class":
        return bool(re.fullmatch(r"[\w -]{1,120}", value))
    allowed = {
        "a": {"href", "title", "rel"},
        "img": {"src", "alt", "title", "width", "height", "loading", "decoding"},
        "abbr": {"title"},
        "th": {"align", "scope", "colspan", "rowspan"},
        "td": {"align", "colspan", "rowspan"},
        "ol": {"start"},
        "li": {"value"},
        "details": {"open"},
    }
    return name in allowed.get(tag, set())


def _is_external(href: str) -> bool:
    parts = urlsplit(href)
    return parts.scheme in {"http", "https"} or href.startswith("//")


def _link_rel(
    attrs: MutableMapping[tuple[str | None, str], str], new: bool = False
) -> MutableMapping[tuple[str | None, str], str]:
    """bleach linkify callback: external links get ``rel="nofollow noopener"``."""
    href = attrs.get((None, "href"), "")
    if _is_external(href):
        attrs[(None, "rel")] = "nofollow noopener"
    return attrs


def _is_block(token: dict[str, Any]) -> bool:
    return bool(token["data"].get((None, "display")) == "block")


class _ScrollRegionFilter(Filter):
    """Put each table and display formula in its own sideways-scrolling box; code blocks scroll
    in themselves and become focusable, named regions the same way.

    A wide table or formula must not widen a phone's page. The box is a focusable region with
    a name, so keyboard users can scroll it too. It runs after the sanitizer, so authors cannot
    write these attributes themselves and the wrapper cannot be stripped.
    """

    def __init__(self, source: Any, labels: RegionLabels) -> None:
        super().__init__(source)
        self.labels = labels

    def _open(self, label: str, kind: str) -> dict[str, Any]:
        attrs = {
            (None, "class"): f"scroll-x scroll-{kind}",
            (None, "role"): "region",
            (None, "tabindex"): "0",
            (None, "aria-label"): label,
        }
        return {"type": "StartTag", "name": "div", "namespace": None, "data": attrs}

    def __iter__(self) -> Any:
        open_tables = 0  # a table inside a table scrolls with its outer box
        in_block_math = False
        for token in super().__iter__():
            kind, name = token.get("type"), token.get("name")
            if kind == "StartTag" and name == "table":
                if open_tables == 0:
                    yield self._open(self.labels.table, "table")
                open_tables += 1
            elif kind == "StartTag" and name == "pre" and not open_tables:
                # a code block scrolls in itself (overflow-x: auto): reachable by keyboard, named
                token["data"].update(
                    {
                        (None, "tabindex"): "0",
                        (None, "role"): "region",
                        (None, "aria-label"): self.labels.code,
                    }
                )
            elif kind == "StartTag" and name == "math" and not open_tables and _is_block(token):
                in_block_math = True
                yield self._open(self.labels.formula, "formula")
            yield token
            if kind == "EndTag" and name == "table" and open_tables:
                open_tables -= 1
                if open_tables == 0:
                    yield {"type": "EndTag", "name": "div", "namespace": None}
            elif kind == "EndTag" and name == "math" and in_block_math:
                in_block_math = False
                yield {"type": "EndTag", "name": "div", "namespace": None}


# "1 000 000" as Vietnamese textbooks write it: a space between digit groups never breaks a line.
_DIGIT_GROUP_SPACE = re.compile(r"(?<=\d)[ \u00a0](?=\d{3}(?!\d))")
NARROW_NBSP = "\u202f"


class _DigitGroupFilter(Filter):
    """Keep grouped numbers on one line in prose (not in code, where spaces mean something)."""

    def __iter__(self) -> Any:
        literal = 0
        for token in super().__iter__():
            kind, name = token.get("type"), token.get("name")
            if kind == "StartTag" and name in ("pre", "code"):
                literal += 1
            elif kind == "EndTag" and name in ("pre", "code") and literal:
                literal -= 1
            elif kind == "Characters" and not literal:
                token = {**token, "data": _DIGIT_GROUP_SPACE.sub(NARROW_NBSP, token["data"])}
            yield token


@lru_cache(maxsize=16)
def _cleaner(labels: RegionLabels) -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=_HTML_TAGS | _MATHML_TAGS,
        attributes=_allowed_attribute,
        protocols={"http", "https", "mailto"},
        strip=True,
        strip_comments=True,
        filters=[
            partial(LinkifyFilter, callbacks=[_link_rel], skip_tags={"pre", "code", "math"}),
            partial(_ScrollRegionFilter, labels=labels),
            _DigitGroupFilter,
        ],
    )


def sanitize(fragment: str, labels: RegionLabels = RegionLabels()) -> str:
    """Clean an HTML fragment with the platform's allowlist; wide tables and formulas scroll."""
    return str(_cleaner(labels).clean(fragment))


_ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?:\\\(|\\\[)(?P<tex>.*?)(?:\\\)|\\\])</(?P=tag)>',
    re.DOTALL,
)


# Relations after which a long inline formula may wrap, as printed mathematics does.
_RELATION = re.compile(
    r"(?:=|<|>|\\(?:approx|leq?|geq?|neq?|sim|equiv|Rightarrow|Leftrightarrow|iff)(?![A-Za-z]))"
)
_WRAP_FROM = 40  # characters of LaTeX: shorter inline formulas always fit a phone's line


def inline_pieces(tex: str) -> list[str]:
    """A long inline formula cut after its top-level relations (outside braces, parentheses and
    \\left…\\right), so that each piece is a formula of its own and the line may break between
    them: a chain such as `P(5 < X < 8) = Φ(1) − Φ(−1) = 0,6826` would otherwise be one
    unbreakable box wider than a phone. Short ones and those without such a relation stay whole."""
    if len(tex) < _WRAP_FROM:
        return [tex]
    pieces, start, depth, at = [], 0, 0, 0
    while at < len(tex):
        if tex.startswith("\\left", at) and not tex[at + 5 : at + 6].isalpha():
            depth, at = depth + 1, at + 5
            continue
        if tex.startswith("\\right", at) and not tex[at + 6 : at + 7].isalpha():
            depth, at = depth - 1, at + 6
            continue
        char = tex[at]
        if char == "\\" and tex[at + 1 : at + 2] in "{}":
            at += 2  # an escaped brace is a character, not a group
            continue
        if char in "{([":
            depth += 1
        elif char in "})]":
            depth = max(0, depth - 1)  # a half-open interval [0, 1) must not stop all wrapping
        elif depth == 0 and (relation := _RELATION.match(tex, at)):
            at = relation.end()
            if tex[start:at].strip() and tex[at:].strip():
                pieces.append(tex[start:at])
                start = at
            continue
        at += 1
    pieces.append(tex[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def _math_to_mathml(match: re.Match[str]) -> str:
    tex = html.unescape(match.group("tex")).strip()
    block = match.group("tag") == "div"
    try:
        if block:  # a display formula gets its scrolling box from the sanitizer
            return str(latex_to_mathml(tex, display="block"))
        # a zero-width space between the pieces lets the line break there, and only there
        return "\u200b".join(str(latex_to_mathml(piece)) for piece in inline_pieces(tex))
    except Exception:
        source = html.escape(tex)
        return f'<code class="math-error" title="LaTeX">{source}</code>'


class _MediaTreeprocessor(Treeprocessor):
    """Point `media/<name>` images at storage, with dimensions and lazy loading."""

    def __init__(self, md: markdown.Markdown, resolver: MediaResolver | None) -> None:
        super().__init__(md)
        self.resolver = resolver
        self.names: list[str] = []

    def run(self, root: Element) -> None:
        for img in root.iter("img"):
            src = img.get("src", "")
            img.set("loading", "lazy")
            img.set("decoding", "async")
            if not src.startswith("media/"):
                continue
            name = src.removeprefix("media/")
            self.names.append(name)
            ref = self.resolver(name) if self.resolver else None
            if ref is None:
                continue
            img.set("src", ref.url)
            if ref.width and ref.height:
                img.set("width", str(ref.width))
                img.set("height", str(ref.height))


class _MediaExtension(Extension):
    def __init__(self, resolver: MediaResolver | None) -> None:
        super().__init__()
        self.processor: _MediaTreeprocessor | None = None
        self.resolver = resolver

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API name
        self.processor = _MediaTreeprocessor(md, self.resolver)
        md.treeprocessors.register(self.processor, "mooc_media", 5)


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


def _markdown(resolver: MediaResolver | None) -> tuple[markdown.Markdown, _MediaExtension]:
    media = _MediaExtension(resolver)
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
    source: str, *, media: MediaResolver | None = None, labels: RegionLabels = RegionLabels()
) -> Rendered:
    """Render Markdown (tables, footnotes, highlighted code, ``$math$``) to sanitized HTML.

    `labels` name the scrolling boxes around tables and display formulas, in the text's language.
    """
    md, media_ext = _markdown(media)
    raw = md.convert(source)
    with_math = _ARITHMATEX.sub(_math_to_mathml, raw)
    outline = tuple(_flatten(getattr(md, "toc_tokens", [])))
    names = tuple(media_ext.processor.names) if media_ext.processor else ()
    return Rendered(html=sanitize(with_math, labels), outline=outline, media=names)


@lru_cache(maxsize=4096)
def render_inline(source: str, labels: RegionLabels = RegionLabels()) -> str:
    """Render a short text (an option, a prompt) without the surrounding paragraph."""
    rendered = render_markdown(source, labels=labels).html.strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered
