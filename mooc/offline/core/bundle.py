"""A course's offline bundle: the addresses a device stores to study it without a connection,
their bytes, and a revision that changes whenever any of them would. Pure: values in, values out.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# Media a page shows: `src`, `poster` and `href` pointing at the course's own files.
_MEDIA_REFERENCE = re.compile(r'(?:src|poster|href)="(/courses/[^/"]+/media/[^"]+)"')


@dataclass(frozen=True)
class Part:
    """One address of the bundle: a page (`page`), an offline quiz (`quiz`, also served for the
    quiz's online address `serves` when offline) or a media file (`media`)."""

    url: str
    kind: str
    size: int
    serves: str | None = None


@dataclass(frozen=True)
class MediaFile:
    """A stored file of the course, and its renditions by address (smallest first)."""

    url: str
    size: int
    video: bool = False
    renditions: tuple[tuple[str, int, bool], ...] = ()  # (url, size, is video)


@dataclass(frozen=True)
class Bundle:
    course_id: int
    revision: str
    parts: tuple[Part, ...] = field(default_factory=tuple)

    @property
    def total_bytes(self) -> int:
        return sum(part.size for part in self.parts)


def can_go_offline(*, time_limit_minutes: int | None, pool_size: int | None) -> bool:
    """A quiz can be taken offline only when the server needs no clock (no time limit: the
    device's time is never trusted) and no draw (a pool is drawn when the attempt starts)."""
    return not time_limit_minutes and pool_size is None


def media_references(fragment: str, course_slug: str) -> list[str]:
    """The course's media addresses a page fragment shows, in order, each once."""
    prefix = f"/courses/{course_slug}/media/"
    seen: dict[str, None] = {}
    for match in _MEDIA_REFERENCE.finditer(fragment):
        url = html.unescape(match.group(1))
        if url.startswith(prefix):
            seen.setdefault(url, None)
    return list(seen)


def choose_media(file: MediaFile) -> tuple[str, int]:
    """What a device downloads of a file: the smallest video rendition of a video that has one
    (the picture kept, the bytes cut), else the file itself."""
    videos = [(url, size) for url, size, is_video in file.renditions if is_video]
    if file.video and videos:
        return min(videos, key=lambda pair: pair[1])
    return file.url, file.size


def estimated_page_size(text_bytes: int) -> int:
    """A page's bytes on the device: its text and the page around it (header, menu, footer)."""
    return text_bytes + 6_000


def build_bundle(
    course_id: int,
    *,
    base_revision: str,
    pages: Sequence[tuple[str, int]],
    quizzes: Sequence[tuple[str, str, int]],
    media: Iterable[str],
    files: Mapping[str, MediaFile],
) -> Bundle:
    """The bundle of `pages` (address, bytes), `quizzes` (offline address, online address,
    bytes) and the `media` they show (known `files` only; unknown addresses are left out).

    The revision covers `base_revision` (the course's content revision and the assets' version)
    and every part, so a new rendition or a quiz made available offline changes it too."""
    parts = [Part(url, "page", size) for url, size in pages]
    parts += [Part(url, "quiz", size, serves=online) for url, online, size in quizzes]
    seen: set[str] = set()
    for url in media:
        found = files.get(url)
        if found is None:
            continue
        chosen, size = choose_media(found)
        if chosen not in seen:
            seen.add(chosen)
            parts.append(Part(chosen, "media", size))
    digest = hashlib.sha256(base_revision.encode())
    for part in parts:
        digest.update(f"|{part.kind}|{part.url}|{part.size}|{part.serves or ''}".encode())
    return Bundle(course_id, digest.hexdigest()[:16], tuple(parts))


def megabytes(size: int) -> float:
    """Bytes in MB as the course page shows them (at least 0.1 for a non-empty bundle)."""
    if size <= 0:
        return 0.0
    return max(round(size / (1024 * 1024), 1), 0.1)
