"""Which low-bandwidth renditions a course video needs, and their frame sizes."""

from __future__ import annotations

import pytest

from mooc.catalog.core.renditions import (
    LABELS,
    Source,
    megabytes,
    needed,
    planned,
    scaled,
    spec_for,
)


def labels(source: Source) -> list[str]:
    return [spec.label for spec in needed(source)]


def test_a_720p_source_with_sound_gets_every_rendition_smallest_first() -> None:
    assert labels(Source(1280, 720, has_audio=True, bitrate=2_000_000)) == ["144p", "360p", "audio"]


def test_a_240p_source_gets_no_360p_because_nothing_is_upscaled() -> None:
    assert labels(Source(426, 240)) == ["144p", "audio"]


def test_a_source_below_144p_gets_audio_only_and_a_silent_one_nothing() -> None:
    assert labels(Source(160, 90)) == ["audio"]
    assert labels(Source(160, 90, has_audio=False)) == []


def test_a_portrait_clip_counts_its_shorter_side() -> None:
    assert labels(Source(360, 640, has_audio=False)) == ["144p", "360p"]
    assert scaled(360, 640, spec_for("144p")) == (144, 256)


def test_a_source_already_as_light_as_a_rung_does_not_get_it() -> None:
    # 300 kbit/s: a 400 kbit/s 360p would be larger; 144p (100) and audio (32) still save
    assert labels(Source(640, 360, bitrate=300_000)) == ["144p", "audio"]
    assert labels(Source(640, 360, bitrate=110_000)) == ["audio"]


def test_frames_keep_the_shape_with_even_sides() -> None:
    assert scaled(1920, 1080, spec_for("144p")) == (256, 144)
    assert scaled(1920, 1080, spec_for("360p")) == (640, 360)
    assert scaled(320, 240, spec_for("144p")) == (192, 144)
    assert scaled(1000, 999, spec_for("144p")) == (144, 144)


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [(None, None, LABELS), (320, 180, ("144p", "audio")), (160, 90, ("audio",))],
)
def test_the_queue_at_upload_follows_the_header_size(
    width: int | None, height: int | None, expected: tuple[str, ...]
) -> None:
    assert planned(width, height) == expected


def test_the_ladder_is_low_bandwidth() -> None:
    assert spec_for("144p").bitrate == 100_000
    assert spec_for("360p").bitrate == 400_000
    assert spec_for("audio").bitrate == 32_000


def test_sizes_are_shown_in_megabytes_with_one_decimal() -> None:
    assert megabytes(1_572_864) == 1.5
    assert megabytes(1_000) == 0.1
