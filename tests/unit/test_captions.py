"""WebVTT caption files: what a teacher's file must look like, and its cues as plain text; the
shape of a video from its container's headers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from mooc.catalog.core.captions import (
    CaptionsError,
    Cue,
    decode,
    looks_like_webvtt,
    parse_webvtt,
)
from mooc.catalog.core.media import MediaTypeError, prepare, shown_through, sniff
from mooc.catalog.core.video import video_size

VTT = """WEBVTT - bài giảng

NOTE made by hand
for the test

STYLE
::cue { color: yellow }

1
00:00.000 --> 00:02.500 line:90%
Vật xuất phát ở vạch 0.

intro-2
00:02.500 --> 01:00:05.250
<v Cô Lan>Mỗi giây</v> vật dời <i>1 m</i> &amp; <c.loud>đều</c>
<00:03.000>tiếp tục.
"""


def test_cues_are_read_in_order_with_markup_removed() -> None:
    assert parse_webvtt(VTT) == (
        Cue(0.0, 2.5, "Vật xuất phát ở vạch 0."),
        Cue(2.5, 3605.25, "Cô Lan: Mỗi giây vật dời 1 m & đều\ntiếp tục."),
    )


def test_windows_line_ends_and_a_byte_order_mark_are_fine() -> None:
    data = ("\ufeff" + VTT.replace("\n", "\r\n")).encode("utf-8")
    assert looks_like_webvtt(data)
    assert len(parse_webvtt(decode(data))) == 2


def test_markup_in_a_cue_never_survives_as_markup() -> None:
    cues = parse_webvtt("WEBVTT\n\n00:01.000 --> 00:02.000\n<script>alert(1)</script>&lt;b&gt;\n")
    assert cues[0].text == "alert(1)<b>"  # plain text: the page escapes it


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: a WebVTT file starts with the line WEBVTT"),
        ("1\n00:01.000 --> 00:02.000\nHi\n", "line 1: a WebVTT file starts"),
        ("WEBVTTX\n\n00:01.000 --> 00:02.000\nHi\n", "line 1: a WebVTT file starts"),
        ("WEBVTT\n00:01.000 --> 00:02.000\nHi\n", "line 2: a blank line must follow"),
        ("WEBVTT\n\n00:01,000 --> 00:02,000\nHi\n", "line 3: the timing line is not like"),
        ("WEBVTT\n\n00:61.000 --> 01:02.000\nHi\n", "line 3: the timing line is not like"),
        ("WEBVTT\n\n1\n2\n00:01.000 --> 00:02.000\nHi\n", "line 4: expected a timing line"),
        ("WEBVTT\n\nHello there\n", "line 4: expected a timing line"),
        ("WEBVTT\n\n00:05.000 --> 00:02.000\nHi\n", "line 3: the cue ends before it starts"),
        (
            "WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n00:03.000 --> 00:04.000\nThere\n",
            "line 5: a blank line must separate cues",
        ),
        ("WEBVTT\n\nNOTE nothing else\n", "the file has no cues"),
    ],
)
def test_malformed_files_are_refused_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(CaptionsError, match=message):
        parse_webvtt(text)


def test_a_file_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(CaptionsError, match="not UTF-8"):
        decode(b"WEBVTT\n\n00:01.000 --> 00:02.000\nVi\xe1t\n")


def test_media_checks_recognise_captions_by_their_first_line_and_parse_them_whole() -> None:
    data = VTT.encode()
    assert sniff(data[:20]).content_type == "text/vtt"
    prepared = prepare(data)
    assert (prepared.info.content_type, prepared.info.category) == ("text/vtt", "captions")
    assert prepared.data == data
    with pytest.raises(MediaTypeError, match="malformed WebVTT captions, line 3"):
        prepare(b"WEBVTT\n\n00:01 --> 00:02\nHi\n")


def test_posters_and_captions_are_shown_through_their_clips() -> None:
    assert shown_through("clip.vi.vtt") == (
        "clip.vi.vtt",
        *("clip.mp4", "clip.m4v", "clip.webm", "clip.mp3", "clip.m4a", "clip.ogg"),
        *("clip.oga", "clip.opus"),
    )
    assert shown_through("clip.jpg")[1] == "clip.mp4"
    assert shown_through("clip.fr.vtt") == ("clip.fr.vtt",)
    assert shown_through("clip.svg") == ("clip.svg",)
    assert shown_through("clip.mp4") == ("clip.mp4",)


# --- the shape of a video -----------------------------------------------------------------

MEDIA = Path(__file__).resolve().parents[1] / "data" / "media"


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("clip.mp4", (160, 90)),  # its index (moov) after the frames
        ("clip.webm", (160, 90)),
        ("tone.m4a", None),  # sound only
        ("tone.ogg", None),
    ],
)
def test_a_videos_size_comes_from_its_container_headers(
    name: str, size: tuple[int, int] | None
) -> None:
    with (MEDIA / name).open("rb") as stream:
        assert video_size(stream) == size
        assert stream.tell() == 0
    assert prepare((MEDIA / name).read_bytes()).info.width == (size[0] if size else None)


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x00\x00\x18ftypisom" + b"\xff" * 100,  # a box larger than the file
        b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x04moov",  # a box smaller than its header
        b"\x1a\x45\xdf\xa3" + b"\x00" * 100,  # an EBML number without a length marker
        b"\x1a\x45\xdf\xa3\x80" + b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff",
    ],
)
def test_damaged_headers_give_no_size_rather_than_an_error(data: bytes) -> None:
    assert video_size(io.BytesIO(data)) is None
