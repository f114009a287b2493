"""Reading a course package and rendering its texts ahead of the database writes, so a library
import can do this CPU-heavy part in other processes (`packages/library.py` runs the pool).

Pure: a folder and the words of each language in, frozen picklable values out. Media references
resolve against the package's own files; each rendering keeps the lookups it made, and the
importer uses it only when the stored media answer the same (`Prerendered.fits`), so an import
stores the same HTML whether or not its texts were rendered ahead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mooc.authoring.core.package_format import CoursePackage, PackageError, load_course
from mooc.catalog.core.captions import (
    MAX_TRANSCRIPT_BYTES,
    CaptionsError,
    decode,
    parse_webvtt,
)
from mooc.catalog.core.media import MediaTypeError, media_url, prepare
from mooc.markup import MediaRef, MediaResolver, RegionLabels, Rendered, render_markdown


@dataclass(frozen=True)
class Prerendered:
    """One text rendered ahead, with the media lookups the rendering made and their answers."""

    rendered: Rendered
    labels: RegionLabels
    lookups: tuple[tuple[str, MediaRef | None], ...] = ()

    def fits(self, resolver: MediaResolver, labels: RegionLabels) -> bool:
        """Whether rendering now, with `resolver` and `labels`, would give the same result."""
        return labels == self.labels and all(resolver(name) == ref for name, ref in self.lookups)


@dataclass(frozen=True)
class CourseRendering:
    """A course's description and lectures (by slug), rendered ahead."""

    description: Prerendered
    lectures: Mapping[str, Prerendered] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadCourse:
    """What a worker gives back for one course folder: the checked package and its rendering
    (none when the package is unchanged since the last import), or why it could not be read."""

    folder: Path
    package: CoursePackage | None = None
    rendering: CourseRendering | None = None
    error: str | None = None


class _RecordingResolver:
    """Answers `media/<name>` from the package's files the way stored media would (address,
    size, type, a caption file's cues) and remembers every question and answer."""

    def __init__(self, package: CoursePackage) -> None:
        self.package = package
        self.answers: dict[str, MediaRef | None] = {}
        self.asked: list[str] = []

    def __call__(self, name: str) -> MediaRef | None:
        if name not in self.answers:
            self.answers[name] = self._media_ref(name)
        self.asked.append(name)
        return self.answers[name]

    def _media_ref(self, name: str) -> MediaRef | None:
        media = self.package.media.get(name)
        if media is None:
            return None
        try:
            prepared = prepare(media.path.read_bytes())
        except (OSError, MediaTypeError):
            return None  # the import refuses the file itself; nothing is gained by guessing
        info = prepared.info
        transcript = None
        if info.content_type == "text/vtt" and len(prepared.data) <= MAX_TRANSCRIPT_BYTES:
            try:
                transcript = tuple((c.start, c.text) for c in parse_webvtt(decode(prepared.data)))
            except CaptionsError:
                transcript = None
        return MediaRef(
            media_url(self.package.slug, name),
            info.width,
            info.height,
            content_type=info.content_type,
            transcript=transcript,
        )

    def lookups_since(self, start: int) -> tuple[tuple[str, MediaRef | None], ...]:
        names = dict.fromkeys(self.asked[start:])
        return tuple((name, self.answers[name]) for name in names)


def prerender_course(package: CoursePackage, labels: RegionLabels) -> CourseRendering:
    """Render the course's description and every lecture with the course language's `labels`."""
    resolver = _RecordingResolver(package)

    def render(source: str) -> Prerendered:
        start = len(resolver.asked)
        rendered = render_markdown(source, media=resolver, labels=labels)
        return Prerendered(rendered, labels, resolver.lookups_since(start))

    return CourseRendering(
        description=render(package.description),
        lectures={slug: render(spec.source) for slug, spec in package.lectures.items()},
    )


def read_course(
    folder: Path, stored_hash: str | None, labels: Mapping[str, RegionLabels]
) -> ReadCourse:
    """Read and check the course in `folder` and render it, unless its files hash to
    `stored_hash` (the import would skip it). A worker process runs this; errors come back as
    text because a `PackageError` does not survive pickling."""
    try:
        package = load_course(folder)
    except (PackageError, OSError) as exc:  # OSError: a file that cannot be read at all
        return ReadCourse(folder, error=str(exc))
    if package.source_hash == stored_hash:
        return ReadCourse(folder, package)
    return ReadCourse(folder, package, prerender_course(package, labels[package.language]))
