"""WebVTT captions: a strict reader for what teachers upload, and the cue text as a transcript.

A caption file is untrusted text. `parse_webvtt` checks the parts the platform relies on (the
`WEBVTT` signature, every cue's timing line, times that run forwards) and reports the first
problem with its line number; it returns each cue's text with the cue markup (`<v Speaker>`,
`<i>`, `<c.class>`, inner timestamps) removed and character references decoded, so callers get
plain text to escape, never markup to trust. Pure: no Flask, no storage.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIME}[ \t]+-->[ \t]+{_TIME}(?:[ \t]+.*)?$")
_SIGNATURE = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>")
_TAG = re.compile(r"</?[^>]*>")
MAX_CUES = 20_000
MAX_TRANSCRIPT_BYTES = 2 * 1024 * 1024  # a larger caption file shows no transcript


class CaptionsError(ValueError):
    """The text is not WebVTT the platform can show; the message says where and why."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float
    text: str  # plain text (markup removed); may hold several lines


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _plain(payload: str) -> str:
    """Cue text without its markup: a voice span keeps its speaker as "Name: "."""
    text = _VOICE.sub(lambda m: f"{m.group(1).strip()}: " if m.group(1).strip() else "", payload)
    return html.unescape(_TAG.sub("", text)).strip()


def looks_like_webvtt(data: bytes) -> bool:
    """Whether `data` starts as a WebVTT file does (optional BOM, then ``WEBVTT``)."""
    head = data[:16].removeprefix(b"\xef\xbb\xbf")
    return head.startswith(b"WEBVTT") and head[6:7] in (b"", b" ", b"\t", b"\n", b"\r")


def decode(data: bytes) -> str:
    """The text of a caption file: UTF-8 (a BOM allowed), or `CaptionsError`."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaptionsError(f"not UTF-8 text (byte {exc.start + 1})") from None


def parse_webvtt(text: str) -> tuple[Cue, ...]:
    """The cues of a WebVTT file, in order, or `CaptionsError` naming the line of a problem.

    NOTE, STYLE and REGION blocks are skipped; a cue may have an identifier line before its
    timing line. A cue whose end is not after its start is refused, as is a file without cues.
    """
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not _SIGNATURE.match(lines[0]):
        raise CaptionsError("a WebVTT file starts with the line WEBVTT", 1)
    at = 1
    while at < len(lines) and lines[at].strip():  # the header, up to the first blank line
        if "-->" in lines[at]:
            raise CaptionsError("a blank line must follow the WEBVTT header", at + 1)
        at += 1
    cues: list[Cue] = []
    while at < len(lines):
        if not lines[at].strip():
            at += 1
            continue
        block_start = at
        block: list[str] = []
        while at < len(lines) and lines[at].strip():
            block.append(lines[at])
            at += 1
        first = block[0]
        if first.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in first:
            continue
        timing_at = 0 if "-->" in first else 1
        if timing_at >= len(block) or "-->" not in block[timing_at]:
            raise CaptionsError(
                "expected a timing line like 00:01.000 --> 00:04.000", block_start + 1 + timing_at
            )
        line_number = block_start + 1 + timing_at
        match = _TIMING.match(block[timing_at].strip())
        if match is None:
            raise CaptionsError(
                "the timing line is not like 00:01.000 --> 00:04.000 (minutes and seconds "
                "below 60, three digits of milliseconds)",
                line_number,
            )
        start = _seconds(*match.group(1, 2, 3, 4))
        end = _seconds(*match.group(5, 6, 7, 8))
        if end <= start:
            raise CaptionsError("the cue ends before it starts", line_number)
        for offset, payload in enumerate(block[timing_at + 1 :], 1):
            if "-->" in payload:
                raise CaptionsError("a blank line must separate cues", line_number + offset)
        cues.append(Cue(start, end, _plain("\n".join(block[timing_at + 1 :]))))
        if len(cues) > MAX_CUES:
            raise CaptionsError(f"more than {MAX_CUES} cues", line_number)
    if not cues:
        raise CaptionsError("the file has no cues")
    return tuple(cues)
