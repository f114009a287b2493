"""Making one rendition of a video file with PyAV (FFmpeg's libraries, shipped in its wheel):
H.264 baseline with mono AAC in MP4 for the video rungs, mono AAC in .m4a for audio only.

Works on local files only (the job copies the source out of storage first); raises
`TranscodeError` with a message for the teacher when the source cannot be read or encoded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from mooc.catalog.core.renditions import RenditionSpec, Source, scaled

AUDIO_RATE = 24_000  # Hz: speech and school music stay clear at 24–48 kbit/s mono
MAX_FPS = 30


class TranscodeError(Exception):
    """The source could not be read, or the rendition not be written."""


@dataclass(frozen=True)
class Made:
    """A rendition written to disk."""

    size: int
    width: int | None
    height: int | None
    bitrate: int | None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def probe(path: Path) -> tuple[Source, float]:
    """What the source holds, and its duration in seconds; `TranscodeError` when it is no video
    FFmpeg can read."""
    try:
        with av.open(str(path)) as container:
            video = container.streams.video[0] if container.streams.video else None
            duration = (container.duration or 0) / 1_000_000
            size = os.path.getsize(path)
            bitrate = container.bit_rate or (int(size * 8 / duration) if duration > 0 else None)
            return Source(
                width=video.codec_context.width if video else None,
                height=video.codec_context.height if video else None,
                has_audio=bool(container.streams.audio),
                bitrate=bitrate,
            ), duration
    except (av.FFmpegError, OSError, ValueError, IndexError) as exc:
        raise TranscodeError(_describe(exc)) from exc


def _video_stream(output: Any, source_stream: Any, spec: RenditionSpec) -> Any:
    context = source_stream.codec_context
    width, height = scaled(context.width, context.height, spec)
    rate = source_stream.average_rate or Fraction(25)
    if rate > MAX_FPS:
        rate = Fraction(MAX_FPS)
    stream = output.add_stream(
        "libx264",
        rate=rate,
        options={
            "profile": "baseline",
            "preset": "veryfast",
            "maxrate": str(spec.video_bitrate * 3 // 2),
            "bufsize": str(spec.video_bitrate * 2),
        },
    )
    stream.width, stream.height = width, height
    stream.pix_fmt = "yuv420p"
    stream.bit_rate = spec.video_bitrate
    return stream


def _audio_stream(output: Any, spec: RenditionSpec) -> Any:
    stream = output.add_stream("aac", rate=AUDIO_RATE, layout="mono")
    stream.bit_rate = spec.audio_bitrate
    return stream


def transcode(source_path: Path, target_path: Path, spec: RenditionSpec) -> Made:
    """Write the rendition `spec` of the clip at `source_path` to `target_path`."""
    try:
        return _transcode(source_path, target_path, spec)
    except (av.FFmpegError, OSError, ValueError, IndexError) as exc:
        raise TranscodeError(_describe(exc)) from exc


def _transcode(source_path: Path, target_path: Path, spec: RenditionSpec) -> Made:
    with av.open(str(source_path)) as source:
        video_in = source.streams.video[0] if spec.video and source.streams.video else None
        audio_in = source.streams.audio[0] if source.streams.audio else None
        if video_in is None and audio_in is None:
            raise TranscodeError("the file has no stream to make this rendition from")
        wanted = [s for s in (video_in, audio_in) if s is not None]
        with av.open(
            str(target_path), "w", format="mp4", options={"movflags": "+faststart"}
        ) as output:
            video_out = _video_stream(output, video_in, spec) if video_in is not None else None
            audio_out = _audio_stream(output, spec) if audio_in is not None else None
            resampler = av.AudioResampler(format="fltp", layout="mono", rate=AUDIO_RATE)
            for packet in source.demux(wanted):
                for frame in packet.decode():
                    if isinstance(frame, av.VideoFrame) and video_out is not None:
                        picture = frame.reformat(
                            width=video_out.width, height=video_out.height, format="yuv420p"
                        )
                        picture.pts, picture.time_base = frame.pts, frame.time_base
                        output.mux(video_out.encode(picture))
                    elif isinstance(frame, av.AudioFrame) and audio_out is not None:
                        for sound in resampler.resample(frame):
                            output.mux(audio_out.encode(sound))
            if audio_out is not None:
                for sound in resampler.resample(None):
                    output.mux(audio_out.encode(sound))
                output.mux(audio_out.encode(None))
            if video_out is not None:
                output.mux(video_out.encode(None))
            width = video_out.width if video_out is not None else None
            height = video_out.height if video_out is not None else None
    size = target_path.stat().st_size
    with av.open(str(target_path)) as written:
        seconds = (written.duration or 0) / 1_000_000
    return Made(size, width, height, int(size * 8 / seconds) if seconds > 0 else None)
