"""The values the renderer takes and gives: where a `media/<name>` reference points, the words it
adds in the text's language, and the rendered HTML with its outline and media names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


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


DEFAULT_LABELS = RegionLabels()  # English, for callers that show no translated words
