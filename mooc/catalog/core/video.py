"""The size a video is shown at, read from its container's headers without decoding a frame.

MP4 keeps it in each track's header box (`moov/trak/tkhd`, 16.16 fixed point), WebM in the
`Video` element of a track entry (`DisplayWidth`/`DisplayHeight`, else `PixelWidth`/
`PixelHeight`). A lecture's player gets these as `width`/`height`, so the page reserves the
clip's shape before anything of it loads. Untrusted bytes: every walk is bounded, and anything
unexpected gives None (the player then keeps a 16:9 box). Pure: no Flask, no storage.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

_MAX_BOXES = 10_000
_MAX_SIDE = 16_384


def _plausible(width: int, height: int) -> tuple[int, int] | None:
    if 0 < width <= _MAX_SIDE and 0 < height <= _MAX_SIDE:
        return width, height
    return None


def _mp4_boxes(
    stream: BinaryIO, start: int, end: int | None, budget: list[int]
) -> tuple[int, int] | None:
    position = start
    while end is None or position + 8 <= end:
        budget[0] -= 1
        if budget[0] < 0:
            return None
        stream.seek(position)
        header = stream.read(8)
        if len(header) < 8:
            return None
        size, kind = struct.unpack(">I4s", header)
        header_length = 8
        if size == 1:  # a 64-bit size follows
            large = stream.read(8)
            if len(large) < 8:
                return None
            (size,) = struct.unpack(">Q", large)
            header_length = 16
        elif size == 0:  # the box runs to the end of its parent (or of the file)
            size = 1 << 62 if end is None else end - position
        if size < header_length or (end is not None and position + size > end):
            return None
        if kind in (b"moov", b"trak"):
            found = _mp4_boxes(stream, position + header_length, position + size, budget)
            if found is not None:
                return found
        elif kind == b"tkhd":
            body = stream.read(min(size - header_length, 96))
            offset = 88 if body[:1] == b"\x01" else 76  # after version 1's 64-bit times
            if len(body) >= offset + 8:
                width, height = struct.unpack(">II", body[offset : offset + 8])
                found = _plausible(width >> 16, height >> 16)  # an audio track has 0 × 0
                if found is not None:
                    return found
        position += size
    return None


def _vint(data: bytes, at: int) -> tuple[int, int, bool]:
    """An EBML variable-length integer at `at`: (value without its length marker, length,
    whether every value bit is set: an element of unknown size)."""
    first = data[at]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or at + length > len(data):
        raise ValueError("bad EBML number")
    value = first & (0xFF >> length)
    for byte in data[at + 1 : at + length]:
        value = value << 8 | byte
    return value, length, value == (1 << (7 * length)) - 1


def _element_id(data: bytes, at: int) -> tuple[int, int]:
    _value, length, _unknown = _vint(data, at)
    return int.from_bytes(data[at : at + length], "big"), length


_SEGMENT, _TRACKS, _TRACK_ENTRY, _VIDEO, _CLUSTER = 0x18538067, 0x1654AE6B, 0xAE, 0xE0, 0x1F43B675
_CONTAINERS = {_SEGMENT, _TRACKS, _TRACK_ENTRY, _VIDEO}
_SIZES = {0xB0: "pixel_width", 0xBA: "pixel_height", 0x54B0: "width", 0x54BA: "height"}


def _webm_size(data: bytes) -> tuple[int, int] | None:
    found: dict[str, int] = {}
    at, elements = 0, 0
    while at < len(data) and elements < _MAX_BOXES:
        elements += 1
        element, id_length = _element_id(data, at)
        size, size_length, unknown = _vint(data, at + id_length)
        body = at + id_length + size_length
        if element == _CLUSTER:
            break  # the frames begin: the tracks came before them
        if element in _CONTAINERS:
            if element == _VIDEO and found:
                break  # the first video track decides
            at = body  # step inside
            continue
        if unknown:
            return None
        if element in _SIZES and size <= 8:
            found[_SIZES[element]] = int.from_bytes(data[body : body + size], "big")
        at = body + size
    width = found.get("width") or found.get("pixel_width") or 0
    height = found.get("height") or found.get("pixel_height") or 0
    return _plausible(width, height)


def video_size(stream: BinaryIO) -> tuple[int, int] | None:
    """(width, height) of an MP4 or WebM video in the seekable `stream`, or None."""
    stream.seek(0)
    head = stream.read(64 * 1024)
    try:
        if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: WebM (Matroska)
            return _webm_size(head)
        if head[4:8] == b"ftyp":
            return _mp4_boxes(stream, 0, None, [_MAX_BOXES])
    except (ValueError, IndexError, struct.error):
        return None
    finally:
        stream.seek(0)
    return None
