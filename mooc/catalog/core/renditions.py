"""Low-bandwidth renditions of a course video: which ones a source needs, and at what shape.

A rendition is made only when it is smaller than what it replaces: never above the source's own
height (no upscaling), never at a bit rate the source does not exceed. Pure: no Flask, no storage,
no codec library.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024
MAX_ATTEMPTS = 3  # a job killed this many times on one rendition gives it up as failed


@dataclass(frozen=True)
class RenditionSpec:
    """One rung of the ladder: a video of `height` lines (the shorter side) or audio only."""

    label: str
    video: bool
    height: int  # 0 for audio only
    video_bitrate: int  # bit/s; 0 for audio only
    audio_bitrate: int  # bit/s, mono
    extension: str
    content_type: str

    @property
    def bitrate(self) -> int:
        return self.video_bitrate + self.audio_bitrate


# ≈100 kbit/s and ≈400 kbit/s H.264 baseline with mono AAC; ≈32 kbit/s mono AAC in .m4a.
LADDER: tuple[RenditionSpec, ...] = (
    RenditionSpec("144p", True, 144, 76_000, 24_000, "mp4", "video/mp4"),
    RenditionSpec("360p", True, 360, 352_000, 48_000, "mp4", "video/mp4"),
    RenditionSpec("audio", False, 0, 0, 32_000, "m4a", "audio/mp4"),
)
LABELS = tuple(spec.label for spec in LADDER)
_BY_LABEL = {spec.label: spec for spec in LADDER}

# A rendition must save at least this share of the source's bit rate to be worth its storage.
_WORTH = 0.8


def spec_for(label: str) -> RenditionSpec:
    """The rung called `label`; raises KeyError for another label."""
    return _BY_LABEL[label]


@dataclass(frozen=True)
class Source:
    """What is known of a source video: its picture (when it has one), sound, and bit rate."""

    width: int | None
    height: int | None
    has_audio: bool = True
    bitrate: int | None = None  # bit/s over the whole file, when known


def needed(source: Source) -> tuple[RenditionSpec, ...]:
    """The renditions worth making of `source`, smallest first.

    A video rung needs a picture at least as tall as the rung (its shorter side: portrait clips
    count their width) and a source bit rate clearly above the rung's, when that rate is known.
    Audio only needs sound, and a source that is not already that small.
    """
    wanted: list[RenditionSpec] = []
    shorter = min(source.width or 0, source.height or 0)
    for spec in LADDER:
        if source.bitrate is not None and spec.bitrate > source.bitrate * _WORTH:
            continue
        if spec.video and (not shorter or spec.height > shorter):
            continue
        if not spec.video and not source.has_audio:
            continue
        wanted.append(spec)
    return tuple(wanted)


def planned(width: int | None, height: int | None) -> tuple[str, ...]:
    """The labels to queue at upload, from the size in the container's headers only (sound and
    bit rate are learnt when the job opens the file). Unknown size: every rung, decided later."""
    if not width or not height:
        return LABELS
    return tuple(spec.label for spec in needed(Source(width, height)))


def scaled(width: int, height: int, spec: RenditionSpec) -> tuple[int, int]:
    """The rendition's frame: the shorter side at the rung's height, the shape kept, both sides
    even (what H.264's 4:2:0 chroma needs)."""

    def even(value: float) -> int:
        return max(2, round(value / 2) * 2)

    if width >= height:
        return even(width * spec.height / height), even(spec.height)
    return even(spec.height), even(height * spec.height / width)


def megabytes(size: int) -> float:
    """A size in megabytes the way the player's choice shows it: one decimal, at least 0.1."""
    return max(round(size / MB, 1), 0.1)
