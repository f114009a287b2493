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
    content_type: str | None = None
    # For a caption file: its cues as (start in seconds, plain text), when they could be read.
    transcript: tuple[tuple[float, str], ...] | None = None


MediaResolver = Callable[[str], MediaRef | None]


@dataclass(frozen=True)
class RegionLabels:
    """The words the renderer adds: accessible names of the sideways-scrolling boxes around wide
    tables and formulas, and the texts of audio and video players.

    The caller passes them translated (this module knows no gettext); the defaults are English.
    `language` is the text's language: its caption track is the player's default.
    """

    table: str = "Table"
    formula: str = "Formula"
    code: str = "Code"
    transcript: str = "Transcript"
    download_video: str = "Download the video"
    download_audio: str = "Download the recording"
    language: str = "en"


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


# What `![Title](media/<name>)` plays, by the name's extension when the file is not (yet) known.
PLAYABLE = {
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "webm": "video/webm",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "opus": "audio/ogg",
}
POSTER_EXTENSIONS = ("jpg", "png", "webp")
CAPTION_LANGUAGES = ("vi", "en")
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}  # each in its own language


_INLINE_TAGS = {"a", "em", "strong", "b", "i", "span", "del", "ins", "mark", "sub", "sup", "small"}
_INLINE_TAGS |= {"s", "u", "abbr", "code", "kbd"}
_PARAGRAPH_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6"}


def players_of(name: str) -> tuple[str, ...]:
    """The media names whose player uses `name` as its poster frame (`clip.jpg`, `.png`,
    `.webp`) or its captions (`clip.vi.vtt`, `clip.en.vtt`): the player finds them by name."""
    stem, _dot, extension = name.rpartition(".")
    if extension == "vtt":
        stem, _dot, language = stem.rpartition(".")
        if language not in CAPTION_LANGUAGES:
            return ()
    elif extension not in POSTER_EXTENSIONS:
        return ()
    return tuple(f"{stem}.{ext}" for ext in PLAYABLE) if stem else ()


def _clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class _MediaTreeprocessor(Treeprocessor):
    """Point `media/<name>` images at storage, with dimensions and lazy loading; audio and video
    become players (no autoplay, nothing loaded before play) with poster, captions, a download
    link for browsers without a player, and the captions' text as a transcript below."""

    def __init__(
        self, md: markdown.Markdown, resolver: MediaResolver | None, labels: RegionLabels
    ) -> None:
        super().__init__(md)
        self.resolver = resolver
        self.labels = labels
        self.names: list[str] = []

    def run(self, root: Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        for img in list(root.iter("img")):
            src = img.get("src", "")
            img.set("loading", "lazy")
            img.set("decoding", "async")
            if not src.startswith("media/"):
                continue
            name = src.removeprefix("media/")
            self.names.append(name)
            ref = self.resolver(name) if self.resolver else None
            content_type = (ref.content_type if ref else None) or PLAYABLE.get(
                name.rpartition(".")[2].lower()
            )
            if content_type and content_type.startswith(("audio/", "video/")):
                self._player(img, parents, name, ref, content_type)
                continue
            if ref is None:
                continue
            img.set("src", ref.url)
            if ref.width and ref.height:
                img.set("width", str(ref.width))
                img.set("height", str(ref.height))

    def _resolve(self, name: str) -> MediaRef | None:
        return self.resolver(name) if self.resolver else None

    def _player(
        self,
        img: Element,
        parents: dict[Element, Element],
        name: str,
        ref: MediaRef | None,
        content_type: str,
    ) -> None:
        """Put a player where the image was, and the transcripts of its captions below it."""
        title = img.get("alt", "").strip()
        video = content_type.startswith("video/")
        player, transcripts = self._player_element(name, ref, content_type, title)
        player.tail = img.tail
        parent = parents[img]
        alone = (
            parent.tag == "p"
            and len(parent) == 1
            and not (parent.text or "").strip()
            and not (img.tail or "").strip()
            and parent in parents
        )
        texts = [self._transcript(lang, cues) for lang, cues in transcripts]
        if alone:  # the paragraph is only the player: it becomes a figure, titled
            parent.clear()
            parent.tag = "figure"
            parent.set("class", "media " + ("media-video" if video else "media-audio"))
            parent.append(player)
            if title:
                caption = Element("figcaption")
                caption.text = title
                parent.append(caption)
            parent.extend(texts)
            return
        # in the middle of text: the player stands in the line; its transcripts follow
        if title:
            player.set("title", title)
        index = list(parent).index(img)
        parent.remove(img)
        parent.insert(index, player)
        if texts:
            self._place_after(parent, texts, parents)

    def _player_element(
        self, name: str, ref: MediaRef | None, content_type: str, title: str
    ) -> tuple[Element, list[tuple[str, tuple[tuple[float, str], ...]]]]:
        """The <video>/<audio> element (poster, shape, source, caption tracks, download link)
        and the cues of its captions, the text's language first."""
        url = ref.url if ref else f"media/{name}"
        video = content_type.startswith("video/")
        stem = name.rpartition(".")[0]
        player = Element("video" if video else "audio")
        player.set("controls", "controls")
        player.set("preload", "none")
        player.set("class", "player")
        if video:
            poster = next(
                (p for ext in POSTER_EXTENSIONS if (p := self._resolve(f"{stem}.{ext}"))), None
            )
            size = ref if ref and ref.width and ref.height else poster
            if size and size.width and size.height:  # a poster frame has the video's shape
                player.set("width", str(size.width))
                player.set("height", str(size.height))
            if poster is not None:
                player.set("poster", poster.url)
        player.append(Element("source", {"src": url, "type": content_type}))
        transcripts = self._add_captions(player, stem)
        fallback = Element("a", {"href": url})
        download = self.labels.download_video if video else self.labels.download_audio
        fallback.text = f"{download}: {title or name}"
        player.append(fallback)
        return player, transcripts

    def _add_captions(
        self, player: Element, stem: str
    ) -> list[tuple[str, tuple[tuple[float, str], ...]]]:
        """A caption track per caption file beside the clip (the text's language on by
        default); returns their cues, the text's language first."""
        transcripts: list[tuple[str, tuple[tuple[float, str], ...]]] = []
        tracks = []
        for lang in CAPTION_LANGUAGES:
            captions = self._resolve(f"{stem}.{lang}.vtt")
            if captions is None:
                continue
            track = Element("track", {"kind": "captions", "src": captions.url, "srclang": lang})
            track.set("label", LANGUAGE_NAMES.get(lang, lang))
            tracks.append(track)
            if captions.transcript:
                transcripts.append((lang, captions.transcript))
        if tracks:
            chosen = next(
                (t for t in tracks if t.get("srclang") == self.labels.language), tracks[0]
            )
            chosen.set("default", "default")
            player.extend(tracks)
        transcripts.sort(key=lambda item: item[0] != self.labels.language)
        return transcripts

    @staticmethod
    def _place_after(
        element: Element, texts: list[Element], parents: dict[Element, Element]
    ) -> None:
        """Put transcripts after the paragraph or heading that holds an inline player, or at
        the end of the list item or table cell that does (a list holds only its items)."""
        block = element
        while block.tag in _INLINE_TAGS and block in parents:
            block = parents[block]
        container = parents.get(block)
        if block.tag in _PARAGRAPH_TAGS and container is not None:
            at = list(container).index(block) + 1
            container[at:at] = texts
        else:
            block.extend(texts)

    def _transcript(self, lang: str, cues: tuple[tuple[float, str], ...]) -> Element:
        details = Element("details", {"class": "transcript", "lang": lang})
        summary = Element("summary")
        language = LANGUAGE_NAMES.get(lang, lang)
        summary.text = f"{self.labels.transcript} ({language})"
        details.append(summary)
        for start, text in cues:
            if not text:
                continue
            line = Element("p")
            time = Element("span", {"class": "cue-time"})
            time.text = _clock(start)
            time.tail = " " + text  # ElementTree escapes text: a caption file is untrusted
            line.append(time)
            details.append(line)
        return details


class _MediaExtension(Extension):
    def __init__(self, resolver: MediaResolver | None, labels: RegionLabels) -> None:
        super().__init__()
        self.processor: _MediaTreeprocessor | None = None
        self.resolver = resolver
        self.labels = labels

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API name
        self.processor = _MediaTreeprocessor(md, self.resolver, self.labels)
        md.treeprocessors.register(self.processor, "mooc_media", 5)


_TRACK = re.compile(r"<track [^>]*>")


def default_captions(fragment: str, language: str) -> str:
    """Rendered HTML whose players show the captions in `language` by default, where a track in
    that language exists (a page in English shows English captions of a Vietnamese lecture).
    Works on this module's own sanitized output, which writes each track tag the same way."""
    if "<track " not in fragment:
        return fragment
    wanted = f'srclang="{language}"'

    def players(match: re.Match[str]) -> str:
        part = match.group(0)
        tracks = _TRACK.findall(part)
        if not any(wanted in track for track in tracks):
            return part
        return _TRACK.sub(
            lambda t: (
                t.group(0).replace('default="" ', "").replace("<track ", '<track default="" ', 1)
                if wanted in t.group(0)
                else t.group(0).replace('default="" ', "")
            ),
            part,
        )

    return re.sub(r"<(video|audio)\b.*?</\1>", players, fragment, flags=re.DOTALL)


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
) -> tuple[markdown.Markdown, _MediaExtension]:
    media = _MediaExtension(resolver, labels)
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
    md, media_ext = _markdown(media, labels)
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
