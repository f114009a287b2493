"""A course's media library: upload (type by content, size limits per kind), replace, delete.

Bytes go to object storage under content-addressed keys; rows record type, size, hash and image
dimensions. Media a published lecture version shows is never replaced or deleted underneath it.
Services flush; the caller commits. Bytes a change makes obsolete are removed only after commit.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import tempfile
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, cast

import filetype
from flask_babel import gettext as _
from PIL import Image
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from mooc.assessment.models import Question, Quiz
from mooc.authoring import audit
from mooc.authoring.queries import MediaUse, media_in_use
from mooc.authoring.services.renditions import queue_renditions, rendition_keys
from mooc.catalog.core.captions import looks_like_webvtt
from mooc.catalog.core.media import (
    ALLOWED_TYPES,
    MediaInfo,
    MediaTypeError,
    Prepared,
    prepare,
    reference_pattern,
    shown_through,
    sniff,
    with_video_size,
)
from mooc.catalog.models import Course, Lecture, MediaAsset, Section
from mooc.catalog.services import media_resolver, region_labels
from mooc.errors import Conflict, Invalid, NotFound, TooLarge
from mooc.folding import strip_diacritics
from mooc.labels import label
from mooc.markup import render_markdown
from mooc.settings import DEFAULT_MEDIA_LIMITS_MB, Settings
from mooc.storage import Storage

log = logging.getLogger(__name__)

MB = 1024 * 1024
MAX_NAME_LENGTH = 100  # well inside MediaAsset.name and the package format's media names
_HEAD = 64 * 1024  # enough for every magic number and the header of PNG, GIF and WebP images
_CHUNK = 1024 * 1024
_SPOOL_IN_MEMORY = 8 * MB  # larger uploads wait on disk, not in memory, until stored

# The extensions a sniffed type may keep (the first is used when the name has another one).
EXTENSIONS: Mapping[str, tuple[str, ...]] = {
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "image/svg+xml": ("svg",),
    "application/pdf": ("pdf",),
    "audio/mpeg": ("mp3",),
    "audio/ogg": ("ogg", "oga", "opus"),
    "audio/x-wav": ("wav",),
    "audio/mp4": ("m4a", "mp4"),
    "video/mp4": ("mp4", "m4v"),
    "video/webm": ("webm",),
    "text/vtt": ("vtt",),
}


@dataclass(frozen=True)
class MediaLimits:
    """The largest file accepted per category, in bytes."""

    image: int = DEFAULT_MEDIA_LIMITS_MB["image"] * MB
    pdf: int = DEFAULT_MEDIA_LIMITS_MB["pdf"] * MB
    audio: int = DEFAULT_MEDIA_LIMITS_MB["audio"] * MB
    video: int = DEFAULT_MEDIA_LIMITS_MB["video"] * MB
    captions: int = DEFAULT_MEDIA_LIMITS_MB["captions"] * MB

    @classmethod
    def from_megabytes(cls, limits_mb: Mapping[str, int]) -> MediaLimits:
        return cls(**{category: megabytes * MB for category, megabytes in limits_mb.items()})

    @classmethod
    def from_settings(cls, settings: Settings) -> MediaLimits:
        return cls.from_megabytes(settings.media_limits_mb)

    def bytes_for(self, category: str) -> int:
        limit: int = getattr(self, category)
        return limit


# --- names -------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^a-z0-9._-]+")


def sanitize_name(filename: str, content_type: str | None = None) -> str:
    """A safe ASCII media name from what the browser sent.

    Drops any folder part, folds Vietnamese diacritics ("Sơ đồ" → "so-do"), keeps only
    ``[a-z0-9._-]``, never starts with a dot, caps the length, and — given the sniffed
    `content_type` — ends with an extension of that type whatever the name claimed.
    """
    base = re.split(r"[/\\]", filename)[-1]
    folded = strip_diacritics(unicodedata.normalize("NFC", base)).lower()
    stem, dot, extension = folded.rpartition(".")
    if not dot:
        stem, extension = folded, ""
    extension = re.sub(r"[^a-z0-9]", "", extension)[:10]
    stem = _UNSAFE.sub("-", stem)
    stem = re.sub(r"\.{2,}", ".", re.sub(r"-{2,}", "-", stem)).strip("._-")
    if content_type is not None:
        allowed = EXTENSIONS.get(content_type, ())
        if allowed and extension not in allowed:
            extension = allowed[0]
    room = MAX_NAME_LENGTH - (len(extension) + 1 if extension else 0)
    stem = stem[:room].rstrip("._-") or "file"
    return f"{stem}.{extension}" if extension else stem


# --- reading an upload -------------------------------------------------------------------------


def _read_up_to(stream: BinaryIO, size: int) -> bytes:
    """Up to `size` bytes; streams (sockets, pipes) may return less per read than asked."""
    parts: list[bytes] = []
    left = size
    while left > 0:
        chunk = stream.read(left)
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _describe(size: int) -> str:
    if size % MB == 0:
        return f"{size // MB} MB"
    if size >= MB:
        return f"{size / MB:.1f} MB"
    return f"{max(1, size // 1024)} KB"


def _refuse_type(filename: str, reason: str) -> Invalid:
    return Invalid(
        _(
            "%(name)s cannot be uploaded (%(reason)s). Accepted files: images (PNG, JPEG, GIF, "
            "WebP, SVG without scripts), PDF, audio (MP3, OGG, WAV, M4A), video (MP4, WebM) and "
            "WebVTT captions.",
            name=filename,
            reason=reason,
        ),
        field="file",
    )


def _limit_category(filename: str, head: bytes) -> str:
    """Which size limit applies, judged from the first bytes; refuses what can never pass.

    Only images may need more than the head to be recognised (an SVG is text; a JPEG's size may
    follow a long EXIF block), so anything else is decided here, before reading further.
    """
    kind = filetype.guess(head)
    if kind is None:
        # SVG and WebVTT are the accepted types without a magic number; they are text.
        if head[:512].lstrip().lower().startswith((b"<?xml", b"<svg")):
            return "image"
        if looks_like_webvtt(head):
            return "captions"
        raise _refuse_type(filename, "unrecognised file type")
    try:
        return sniff(head).category
    except MediaTypeError as exc:
        if ALLOWED_TYPES.get(kind.mime) == "image":
            return "image"
        raise _refuse_type(filename, str(exc)) from None


def _prepare(filename: str, data: bytes) -> Prepared:
    # Pillow warns, then refuses, on images with absurd pixel counts (decompression bombs).
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return prepare(data)
        except MediaTypeError as exc:
            raise _refuse_type(filename, str(exc)) from None
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise _refuse_type(filename, "the image has too many pixels") from None


def _too_large(filename: str, category: str, limit: int) -> TooLarge:
    return TooLarge(
        _(
            "%(kind)s may be at most %(limit)s; %(name)s is larger.",
            kind=label("media_kind", category),
            limit=_describe(limit),
            name=filename,
        ),
        field="file",
    )


def check_media_size(filename: str, head: bytes, size: int, limits: MediaLimits) -> None:
    """Refuse a file of `size` bytes starting with `head` (e.g. inside a package) that is of a
    type never accepted (`Invalid`) or larger than its category's limit (`TooLarge`)."""
    category = _limit_category(filename, head)
    if size > limits.bytes_for(category):
        raise _too_large(filename, category, limits.bytes_for(category))


# --- deleting bytes only once the change is committed -----------------------------------------

_PENDING = "mooc.media.delete_after_commit"


def _purge_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the real commit comes later
    pending: dict[str, Storage] = session.info.pop(_PENDING, {})
    for key, storage in pending.items():
        try:
            storage.delete(key)
        except Exception:  # leftover bytes are harmless; a failed delete must not fail the commit
            log.warning("could not delete media bytes %s after commit", key, exc_info=True)


def _forget_after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    session.info.pop(_PENDING, None)


def _forget_after_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # ended without committing (closed), or already purged
        session.info.pop(_PENDING, None)


_LISTENERS: tuple[tuple[str, Any], ...] = (
    ("after_commit", _purge_after_commit),
    ("after_soft_rollback", _forget_after_rollback),
    ("after_transaction_end", _forget_after_end),
)


def _delete_after_commit(session: Session, storage: Storage, key: str) -> None:
    """Delete `key` from storage when the session commits; forget it on any rollback."""
    for name, listener in _LISTENERS:
        if not event.contains(session, name, listener):
            event.listen(session, name, listener)
    session.info.setdefault(_PENDING, {})[key] = storage


def queue_video_renditions(session: Session, storage: Storage, asset: MediaAsset) -> None:
    """Queue the low-bandwidth renditions of a video's current bytes for the transcode job;
    those of the bytes it replaced go once the change is committed."""
    for key in queue_renditions(session, asset):
        _delete_after_commit(session, storage, key)


def _keep(session: Session, key: str) -> None:
    """`key` is in use again (the same bytes uploaded anew): do not delete it at commit."""
    session.info.get(_PENDING, {}).pop(key, None)


# --- the services ------------------------------------------------------------------------------


def _asset(session: Session, course: Course, name: str) -> MediaAsset | None:
    return session.scalar(
        select(MediaAsset).where(MediaAsset.course_id == course.id, MediaAsset.name == name)
    )


def _uses_label(uses: Sequence[MediaUse]) -> str:
    return ", ".join(
        _("%(title)s (version %(number)s)", title=use.lecture_title, number=use.version)
        for use in uses
    )


def _refresh_description(session: Session, course: Course) -> None:
    """The course description may show library images; render it with the library as it is."""
    course.description_html = render_markdown(
        course.description,
        media=media_resolver(session, course),
        labels=region_labels(course.language),
    ).html


def _state(asset: MediaAsset) -> dict[str, Any]:
    return {
        "name": asset.name,
        "content_type": asset.content_type,
        "size": asset.size,
        "sha256": asset.sha256,
    }


@dataclass
class _Spooled:
    """An upload read into a temporary file, with what was learnt on the way."""

    file: Any
    size: int = 0
    digest: Any = field(default_factory=hashlib.sha256)

    def write(self, chunk: bytes) -> None:
        self.file.write(chunk)
        self.digest.update(chunk)
        self.size += len(chunk)


@dataclass(frozen=True)
class _Checked:
    """An upload whose type and size passed: what to store under which name."""

    name: str
    info: MediaInfo
    size: int
    sha256: str
    cleaned: bytes | None  # an SVG stored without what is not allowlisted; None: as uploaded


def upload_media(
    session: Session,
    storage: Storage,
    course: Course,
    filename: str,
    stream: BinaryIO,
    *,
    limits: MediaLimits,
    actor_id: int | None,
) -> MediaAsset:
    """Add a file to the course's library, or replace the file of the same name.

    The type is judged by content, never by name, and the name gets the matching extension.
    Reads at most the category's limit plus one byte. An SVG is stored cleaned by allowlist
    (scripts, event handlers, HTML and outside links removed). Raises `TooLarge` over the limit,
    `Invalid` for types that are not accepted (HTML, programs, malformed SVG …), and
    `Conflict` when replacing a file that a published lecture version shows.
    """
    head = _read_up_to(stream, _HEAD)
    if not head:
        raise Invalid(_("The file is empty."), field="file")
    category = _limit_category(filename, head)
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool_file:
        spool = _Spooled(spool_file)
        _spool_within(spool, head, stream, filename, category, limits.bytes_for(category))
        checked = _check_spooled(spool, head, filename, category, limits)
        asset = _asset(session, course, checked.name)
        if asset is not None and asset.sha256 == checked.sha256:
            return asset  # the same bytes under the same name: nothing changes
        if asset is not None:
            _refuse_replacing_shown(session, course, checked.name)
        key = f"courses/{course.id}/{checked.sha256[:20]}-{checked.name}"
        spool_file.seek(0)
        source = (
            cast(BinaryIO, spool_file) if checked.cleaned is None else io.BytesIO(checked.cleaned)
        )
        storage.put(key, source, content_type=checked.info.content_type, download_name=checked.name)
    _keep(session, key)
    return _record_upload(session, storage, course, asset, key, checked, actor_id)


def _spool_within(
    spool: _Spooled, head: bytes, stream: BinaryIO, filename: str, category: str, limit: int
) -> None:
    """Read the upload into `spool`, at most `limit` plus one byte; raises `TooLarge` over it."""
    spool.write(head)
    while spool.size <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - spool.size))
        if not chunk:
            break
        spool.write(chunk)
    if spool.size > limit:
        raise _too_large(filename, category, limit)


def _check_spooled(
    spool: _Spooled, head: bytes, filename: str, category: str, limits: MediaLimits
) -> _Checked:
    """The upload's type (by content), its limit and the name it is stored under."""
    cleaned: bytes | None = None
    if category in {"image", "captions"}:  # dimensions, SVG cleaning, cues: the whole file
        spool.file.seek(0)
        whole = spool.file.read()
        prepared = _prepare(filename, whole)
        info = prepared.info
        if prepared.data != whole:  # an SVG lost what is not allowlisted: store the rest
            cleaned = prepared.data
    else:
        info = _prepare(filename, head).info
        if info.category == "video":  # the shape the player reserves, from the headers
            info = with_video_size(info, cast(BinaryIO, spool.file))
    if spool.size > limits.bytes_for(info.category):
        raise _too_large(filename, info.category, limits.bytes_for(info.category))
    return _Checked(
        name=sanitize_name(filename, info.content_type),
        info=info,
        size=spool.size if cleaned is None else len(cleaned),
        sha256=(spool.digest if cleaned is None else hashlib.sha256(cleaned)).hexdigest(),
        cleaned=cleaned,
    )


def _refuse_replacing_shown(session: Session, course: Course, name: str) -> None:
    """Raise `Conflict` when a published lecture version shows media/`name`."""
    uses = media_in_use(session, course, name)
    if uses:
        raise Conflict(
            _(
                "media/%(name)s is shown by published lectures: %(uses)s. Upload the "
                "new file under another name and change the lectures to use it.",
                name=name,
                uses=_uses_label(uses),
            ),
            field="file",
        )


def _record_upload(
    session: Session,
    storage: Storage,
    course: Course,
    asset: MediaAsset | None,
    key: str,
    checked: _Checked,
    actor_id: int | None,
) -> MediaAsset:
    """Point the library row at the stored bytes (the old ones go at commit), and audit it."""
    before = _state(asset) if asset is not None else None
    if asset is None:
        asset = MediaAsset(course_id=course.id, name=checked.name)
        session.add(asset)
    elif asset.storage_key != key:
        _delete_after_commit(session, storage, asset.storage_key)
    asset.storage_key = key
    asset.content_type = checked.info.content_type
    asset.size = checked.size
    asset.sha256 = checked.sha256
    asset.width, asset.height = checked.info.width, checked.info.height
    session.flush()
    queue_video_renditions(session, storage, asset)
    _refresh_description(session, course)
    audit.record(
        session,
        actor_id=actor_id,
        action="upload" if before is None else "replace",
        object_type="media",
        object_id=asset.id,
        course_id=course.id,
        summary=f"{'uploaded' if before is None else 'replaced'} media/{checked.name}",
        before=before,
        after=_state(asset),
    )
    session.flush()
    return asset


def delete_media(
    session: Session, storage: Storage, course: Course, name: str, actor_id: int | None
) -> None:
    """Remove a file from the library; its bytes go once the change is committed.

    Raises `NotFound` for an unknown name and `Conflict` (naming what uses it) while a published
    lecture version, a lecture draft, a quiz question, the course description or the cover
    refers to it.
    """
    asset = _asset(session, course, name)
    if asset is None:
        raise NotFound(_("There is no media file named %(name)s.", name=name))
    pattern = reference_pattern(name)
    players = [reference_pattern(shown) for shown in shown_through(name)]  # poster, captions
    published = media_in_use(session, course, name)
    users = [_uses_label(published)] if published else []
    users += [
        _("%(title)s (draft)", title=title)
        for title, source in session.execute(
            select(Lecture.title, Lecture.draft_source)
            .join(Section, Section.id == Lecture.section_id)
            .where(Lecture.course_id == course.id)
            .order_by(Section.position, Lecture.position)
        )
        if any(player.search(source) for player in players)
    ]
    quizzes: dict[str, None] = {}  # ordered, without repeats
    for title, prompt, explanation, data in session.execute(
        select(Quiz.title, Question.prompt, Question.explanation, Question.data)
        .join(Question, Question.quiz_id == Quiz.id)
        .where(Quiz.course_id == course.id)
        .order_by(Quiz.id, Question.position)
    ):
        text = "\n".join((prompt, explanation, json.dumps(data, ensure_ascii=False)))
        if pattern.search(text):
            quizzes[_("the quiz %(title)s", title=title)] = None
    users += quizzes
    if pattern.search(course.description):
        users.append(_("the course description"))
    if course.cover_media == name:
        users.append(_("the course cover"))
    if users:
        raise Conflict(
            _(
                "media/%(name)s is still used by: %(users)s. Remove it from there first.",
                name=name,
                users=", ".join(users),
            )
        )
    before = _state(asset)
    renditions = rendition_keys(session, asset)
    session.delete(asset)
    session.flush()
    for key in (asset.storage_key, *renditions):
        _delete_after_commit(session, storage, key)
    audit.record(
        session,
        actor_id=actor_id,
        action="delete",
        object_type="media",
        object_id=asset.id,
        course_id=course.id,
        summary=f"deleted media/{name}",
        before=before,
    )
    session.flush()
