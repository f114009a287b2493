"""What a media file really is: type by content sniffing (not by name) and image dimensions."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import filetype
from defusedxml import ElementTree as SafeET
from PIL import Image, UnidentifiedImageError

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
}


def reference_pattern(name: str) -> re.Pattern[str]:
    """`media/<name>` as Markdown refers to it: not part of a longer path or name."""
    return re.compile(r"(?<![\w/.-])media/" + re.escape(name) + r"(?![\w-]|\.\w)")


class MediaTypeError(ValueError):
    """The bytes are not a kind of media the platform accepts."""


@dataclass(frozen=True)
class MediaInfo:
    content_type: str
    category: str  # image | pdf | audio | video
    width: int | None = None
    height: int | None = None


def _svg_size(data: bytes) -> tuple[int | None, int | None]:
    try:
        root = SafeET.fromstring(data)
    except Exception as exc:  # defusedxml raises several kinds; all mean "not a safe SVG"
        raise MediaTypeError(f"not a well-formed SVG: {exc}") from None
    if not root.tag.endswith("svg"):
        raise MediaTypeError("XML file is not an SVG image")
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in {"script", "foreignobject"} or any(
            a.lower().startswith("on") for a in element.attrib
        ):
            raise MediaTypeError("SVG images may not contain scripts or event handlers")

    def px(value: str | None) -> int | None:
        if not value:
            return None
        number = value.strip().removesuffix("px")
        try:
            return round(float(number))
        except ValueError:
            return None

    width, height = px(root.get("width")), px(root.get("height"))
    if (width is None or height is None) and root.get("viewBox"):
        parts = root.get("viewBox", "").replace(",", " ").split()
        if len(parts) == 4:
            width, height = round(float(parts[2])), round(float(parts[3]))
    return width, height


def sniff(data: bytes) -> MediaInfo:
    """Identify `data`; raises `MediaTypeError` for anything not in `ALLOWED_TYPES`."""
    kind = filetype.guess(data)
    if kind is None:
        head = data[:512].lstrip().lower()
        if head.startswith(b"<?xml") or head.startswith(b"<svg"):
            width, height = _svg_size(data)
            return MediaInfo("image/svg+xml", "image", width, height)
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
