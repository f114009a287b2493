"""The renditions of course videos: queued when a video is uploaded or imported, made by the
transcode job (`authoring/jobs.py`, in the worker; `flask media transcode` by hand), never while
a request waits.

The job claims one queued rendition at a time in a short transaction (PostgreSQL: `FOR UPDATE
SKIP LOCKED`, so processes running side by side take different rows; SQLite has one writer) and
leases it by setting `lease_until`; it transcodes with no transaction open and records the result
in a transaction of its own. A job that dies mid-way leaves the lease to run out, and the
rendition is made again, up to `MAX_ATTEMPTS` times; an unreadable source fails at once, with
the reason kept for the teacher.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mooc.authoring.transcoding import Made, TranscodeError, probe, transcode
from mooc.catalog.core.renditions import MAX_ATTEMPTS, needed, planned, spec_for
from mooc.catalog.models import MediaAsset, MediaRendition, RenditionStatus
from mooc.db import utcnow
from mooc.storage import Storage

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=30)  # longer than a long lecture's rendition takes on one core


def rendition_key(asset: MediaAsset, label: str) -> str:
    """Beside the original, in a folder of their own (no uploaded name can clash with one)."""
    stem = asset.name.rpartition(".")[0] or asset.name
    extension = spec_for(label).extension
    return f"courses/{asset.course_id}/renditions/{asset.sha256[:20]}-{stem}-{label}.{extension}"


def queue_renditions(session: Session, asset: MediaAsset) -> list[str]:
    """Queue the renditions a video asset's current bytes need (nothing for other media).

    Renditions of bytes the asset no longer has are removed; returns their storage keys, which
    the caller deletes once the change is committed.
    """
    obsolete: list[str] = []
    rows = session.scalars(select(MediaRendition).where(MediaRendition.asset_id == asset.id)).all()
    kept = set()
    for row in rows:
        if row.source_sha256 == asset.sha256:
            kept.add(row.label)
            continue
        if row.storage_key:
            obsolete.append(row.storage_key)
        session.delete(row)
    session.flush()
    if not asset.content_type.startswith("video/"):
        return obsolete
    for label in planned(asset.width, asset.height):
        if label not in kept:
            session.add(
                MediaRendition(
                    asset_id=asset.id,
                    label=label,
                    status=RenditionStatus.PENDING,
                    source_sha256=asset.sha256,
                    content_type=spec_for(label).content_type,
                )
            )
    session.flush()
    return obsolete


def rendition_keys(session: Session, asset: MediaAsset) -> list[str]:
    """The stored renditions of an asset (to delete with it)."""
    keys = session.scalars(
        select(MediaRendition.storage_key).where(
            MediaRendition.asset_id == asset.id, MediaRendition.storage_key.is_not(None)
        )
    ).all()
    return [key for key in keys if key]


@dataclass(frozen=True)
class _Claimed:
    """What the job needs, read before the claim commits (nothing lazy while transcoding)."""

    id: int
    label: str
    source_key: str
    source_sha256: str
    target_key: str


@dataclass
class TranscodeReport:
    made: int = 0
    failed: int = 0
    not_needed: int = 0
    retrying: int = 0


def claim_next(session: Session, now: dt.datetime) -> _Claimed | None:
    """Lease the oldest queued rendition no other job holds (the caller commits); one killed
    `MAX_ATTEMPTS` times is failed instead, and the next one is looked at."""
    while True:
        row = session.scalars(
            select(MediaRendition)
            .where(
                MediaRendition.status == RenditionStatus.PENDING,
                or_(MediaRendition.lease_until.is_(None), MediaRendition.lease_until <= now),
            )
            .order_by(MediaRendition.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        if row.attempts >= MAX_ATTEMPTS:
            row.status = RenditionStatus.FAILED
            row.lease_until = None
            row.error = f"Stopped before finishing {row.attempts} times; given up."
            session.flush()
            continue
        row.attempts += 1
        row.lease_until = now + LEASE
        asset = row.asset
        session.flush()
        return _Claimed(
            row.id, row.label, asset.storage_key, row.source_sha256, rendition_key(asset, row.label)
        )


def _current(session: Session, claimed: _Claimed) -> MediaRendition | None:
    """The claimed row, unless it went (asset deleted) or belongs to replaced bytes meanwhile."""
    row = session.get(MediaRendition, claimed.id)
    if row is None or row.source_sha256 != claimed.source_sha256:
        return None
    return row


def _make(storage: Storage, claimed: _Claimed, folder: Path) -> Made | None:
    """Transcode in `folder` and store the rendition; None when the source does not need it
    (too small, silent, or already that light). Raises `TranscodeError`."""
    source_path = folder / "source"
    with storage.open(claimed.source_key) as handle, source_path.open("wb") as copy:
        shutil.copyfileobj(handle, copy)
    spec = spec_for(claimed.label)
    source, _seconds = probe(source_path)
    if spec not in needed(source):
        return None
    target = folder / f"rendition.{spec.extension}"
    made = transcode(source_path, target, spec)
    with target.open("rb") as data:
        storage.put(
            claimed.target_key,
            data,
            content_type=spec.content_type,
            download_name=claimed.target_key.rsplit("/", 1)[-1].split("-", 1)[1],
        )
    return made


def transcode_one(session: Session, storage: Storage, claimed: _Claimed) -> str:
    """Make a claimed rendition and record the outcome (committed): "made", "failed",
    "not_needed" (the source turned out too small or silent) or "retrying"."""
    try:
        with tempfile.TemporaryDirectory(prefix="mooc-rendition-") as folder:
            made = _make(storage, claimed, Path(folder))
    except TranscodeError as exc:
        row = _current(session, claimed)
        if row is not None:
            row.status, row.error, row.lease_until = RenditionStatus.FAILED, str(exc)[:500], None
        session.commit()
        log.warning("rendition %s failed: %s", claimed.id, exc)
        return "failed"
    except Exception as exc:  # storage or disk trouble: the lease runs out, then another try
        session.rollback()
        log.exception("rendition %s could not be made", claimed.id)
        row = _current(session, claimed)
        if row is not None:
            row.error = f"{type(exc).__name__}: {exc}"[:500]
        session.commit()
        return "retrying"
    row = _current(session, claimed)
    if row is None or made is None:
        if row is not None:
            session.delete(row)
        elif made is not None:  # made for bytes replaced meanwhile
            storage.delete(claimed.target_key)
        session.commit()
        return "not_needed"
    row.status = RenditionStatus.READY
    row.storage_key = claimed.target_key
    row.size, row.width, row.height, row.bitrate = made.size, made.width, made.height, made.bitrate
    row.lease_until, row.error = None, None
    session.commit()
    return "made"


def run_transcodes(
    session: Session, storage: Storage, *, now: dt.datetime | None = None, limit: int | None = None
) -> TranscodeReport:
    """Make queued renditions until none is left (or `limit` were tried); commits its own
    short transactions."""
    report = TranscodeReport()
    tried = 0
    while limit is None or tried < limit:
        claimed = claim_next(session, now or utcnow())
        session.commit()
        if claimed is None:
            break
        tried += 1
        outcome = transcode_one(session, storage, claimed)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report
