"""Audio and video in lectures: `![Title](media/clip.mp4)` becomes a player (no autoplay, nothing
loaded before play) with its poster, WebVTT caption tracks, a download link for browsers without a
player, and the captions' text as a transcript; images get their stored URL and dimensions."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from mooc.markup.values import MediaRef, MediaResolver, RegionLabels

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


class MediaExtension(Extension):
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
