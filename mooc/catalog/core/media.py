"""What a media file really is: type by content sniffing (not by name) and image dimensions,
and the bytes to store (SVG images cleaned by allowlist, everything else as it came)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from typing import BinaryIO

import filetype
from PIL import Image, UnidentifiedImageError

from mooc.catalog.core.captions import CaptionsError, decode, looks_like_webvtt, parse_webvtt
from mooc.catalog.core.svg import SvgError, clean_svg
from mooc.catalog.core.video import video_size
from mooc.markup import players_of

ALLOWED_TYPES = {
    "image/png": "image",
    "image/jpeg": "image",
    "image/gif": "image",
    "image/webp": "image",
    "image/svg+xml": "image",
    "application/pdf": "pdf",
    "audio/mpeg": "audio",
    "audio/ogg": "audio",
    "audio/x-wav": "audio",
    "audio/mp4": "audio",
    "video/mp4": "video",
    "video/webm": "video",
    "text/vtt": "captions",
}


def media_url(course_slug: str, name: str) -> str:
    """The stable address of a course's media file (the app serves or redirects it)."""
    return f"/courses/{course_slug}/media/{name}"


def reference_pattern(name: str) -> re.Pattern[str]:
    """`media/<name>` as Markdown refers to it: not part of a longer path or name."""
    return re.compile(r"(?<![\w/.-])media/" + re.escape(name) + r"(?![\w-]|\.\w)")


def shown_through(name: str) -> tuple[str, ...]:
    """The media names whose reference shows `name`: itself, and for a poster frame or a
    caption file (`clip.jpg`, `clip.vi.vtt`) the clips whose player uses it (`clip.mp4` …)."""
    return (name, *players_of(name))


class MediaTypeError(ValueError):
    """The bytes are not a kind of media the platform accepts."""


@dataclass(frozen=True)
class MediaInfo:
    content_type: str
    category: str  # image | pdf | audio | video | captions
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Prepared:
    """A media file as it is to be stored: what it is, and its (cleaned) bytes."""

    info: MediaInfo
    data: bytes


def prepare(data: bytes) -> Prepared:
    """Identify `data` and clean it for storage: an SVG keeps only allowlisted content (see
    `mooc.catalog.core.svg`); a WebVTT caption file must parse (see
    `mooc.catalog.core.captions`); other types are stored as they are. Raises `MediaTypeError`."""
    if looks_like_webvtt(data):
        try:
            parse_webvtt(decode(data))
        except CaptionsError as exc:
            raise MediaTypeError(f"malformed WebVTT captions, {exc}") from None
        return Prepared(MediaInfo("text/vtt", "captions"), data)
    if _looks_like_svg(data) and filetype.guess(data) is None:
        try:
            svg = clean_svg(data)
        except SvgError as exc:
            raise MediaTypeError(str(exc)) from None
        return Prepared(MediaInfo("image/svg+xml", "image", svg.width, svg.height), svg.data)
    info = sniff(data)
    if info.category == "video":
        info = with_video_size(info, io.BytesIO(data))
    return Prepared(info, data)


def with_video_size(info: MediaInfo, stream: BinaryIO) -> MediaInfo:
    """`info` with the width and height the video's container states, when it states them."""
    size = video_size(stream)
    return info if size is None else replace(info, width=size[0], height=size[1])


def _looks_like_svg(data: bytes) -> bool:
    return data[:512].lstrip().lower().startswith((b"<?xml", b"<svg"))


def sniff(data: bytes) -> MediaInfo:
    """Identify `data`; raises `MediaTypeError` for anything not in `ALLOWED_TYPES`.

    An SVG is cleaned to learn its size; store the bytes `prepare` gives, not `data`. WebVTT
    is recognised by its first line only: `prepare` reads the whole file.
    """
    if looks_like_webvtt(data):
        return MediaInfo("text/vtt", "captions")
    kind = filetype.guess(data)
    if kind is None:
        if _looks_like_svg(data):
            return prepare(data).info
        raise MediaTypeError("unrecognised file type")
    mime = "audio/x-wav" if kind.mime in {"audio/wav", "audio/x-wav"} else kind.mime
    if mime not in ALLOWED_TYPES:
        raise MediaTypeError(f"files of type {mime} are not accepted")
    category = ALLOWED_TYPES[mime]
    if category == "image":
        try:
            with Image.open(io.BytesIO(data)) as image:
                return MediaInfo(mime, category, image.width, image.height)
        except (UnidentifiedImageError, OSError) as exc:
            raise MediaTypeError(f"damaged image: {exc}") from None
    return MediaInfo(mime, category)
