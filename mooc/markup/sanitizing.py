"""The one HTML allowlist: every fragment of user-written text passes `sanitize` (bleach), which
also links bare addresses, puts wide tables and display formulas in labelled scrolling boxes and
keeps grouped digits on one line. Swap the sanitizer here and nowhere else."""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from functools import lru_cache, partial
from typing import Any
from urllib.parse import urlsplit

import bleach
from bleach.html5lib_shim import Filter  # type: ignore[attr-defined]  # untyped in the stubs
from bleach.linkifier import LinkifyFilter

from mooc.markup.values import DEFAULT_LABELS, RegionLabels

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
    "video",
    "audio",
    "source",
    "track",
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
_LANG_PATTERN = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
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
        "details": {"open", "lang"},
        # players: never autoplay, loop or muted; sources and tracks only by src (protocols
        # are checked by the sanitizer like every other URL)
        "video": {"controls", "preload", "width", "height", "poster", "title"},
        "audio": {"controls", "preload", "title"},
        "source": {"src", "type"},
        "track": {"kind", "src", "srclang", "label", "default"},
    }
    if name == "preload":
        return value == "none"
    if name in {"lang", "srclang"}:
        return bool(_LANG_PATTERN.match(value))
    if name == "type" and tag == "source":
        return bool(re.fullmatch(r"(?:audio|video)/[\w.+-]{1,40}", value))
    if name == "kind":
        return value in {"captions", "subtitles"}
    if name in {"width", "height"} and tag in {"video"}:
        return value.isdigit() and len(value) <= 5
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


def sanitize(fragment: str, labels: RegionLabels = DEFAULT_LABELS) -> str:
    """Clean an HTML fragment with the platform's allowlist; wide tables and formulas scroll."""
    return str(_cleaner(labels).clean(fragment))
