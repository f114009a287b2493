"""Courses, their sections and lectures, and the immutable published versions of lectures."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mooc.accounts.models import Institution, User
from mooc.db import Base, JSONType, created_at, enum_column, intpk, updated_at


class Level(enum.StrEnum):
    K12 = "k12"
    UNIVERSITY = "university"


class CourseStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Course(Base):
    __tablename__ = "course"
    __table_args__ = (
        CheckConstraint("grade IS NULL OR (grade BETWEEN 1 AND 12)", name="grade_range"),
        CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark_range"),
        CheckConstraint(
            "(level = 'k12' AND grade IS NOT NULL) OR (level = 'university' AND grade IS NULL)",
            name="level_fields",
        ),
        # The catalogue's stamp (catalog.queries.catalogue_stamp): its last change, read at once.
        Index("ix_course_updated_at", "updated_at"),
    )

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown source
    description_html: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8))
    level: Mapped[Level] = mapped_column(enum_column(Level, "course_level"), index=True)
    grade: Mapped[int | None] = mapped_column(Integer, index=True)
    subject: Mapped[str] = mapped_column(String(40), index=True)
    code: Mapped[str | None] = mapped_column(String(40))
    credits: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    workload_hours: Mapped[int | None] = mapped_column(Integer)
    outcomes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    pass_mark: Mapped[int] = mapped_column(Integer, default=50)
    status: Mapped[CourseStatus] = mapped_column(
        enum_column(CourseStatus, "course_status"), default=CourseStatus.DRAFT, index=True
    )
    # Folded title, code, subject and description: what diacritic-insensitive search matches.
    search_text: Mapped[str] = mapped_column(Text, default="")
    source_hash: Mapped[str | None] = mapped_column(String(64))  # of the imported package
    cover_media: Mapped[str | None] = mapped_column(String(160))  # a MediaAsset name
    # Bumped (catalog.services.bump_content_revision) whenever the outline (sections, lectures,
    # quizzes, their order and titles) or a published lecture changes: the key of the cached
    # outline and part of the lecture page's validator.
    content_revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    published_at: Mapped[dt.datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    institution: Mapped[Institution] = relationship()
    sections: Mapped[list[Section]] = relationship(
        back_populates="course", order_by="Section.position", cascade="all, delete-orphan"
    )
    teachers: Mapped[list[CourseTeacher]] = relationship(cascade="all, delete-orphan")

    @property
    def is_published(self) -> bool:
        return self.status == CourseStatus.PUBLISHED


class Section(Base):
    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("course_id", "position"),)

    id: Mapped[intpk]
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))

    course: Mapped[Course] = relationship(back_populates="sections")
    lectures: Mapped[list[Lecture]] = relationship(
        back_populates="section", order_by="Lecture.position"
    )


class Lecture(Base):
    """A lecture of a course. Retired (`retired_at` set, out of every section) when it left the
    course while learners had records on it: hidden from the syllabus and the completion rule."""

    __tablename__ = "lecture"
    __table_args__ = (
        UniqueConstraint("course_id", "slug"),
        CheckConstraint("(retired_at IS NULL) = (section_id IS NOT NULL)", name="retired_outside"),
    )

    id: Mapped[intpk]
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    # None once retired: the lecture left the syllabus but keeps its versions and learners' records.
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)  # shared with quizzes within a section
    title: Mapped[str] = mapped_column(String(200))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    minutes: Mapped[int | None] = mapped_column(Integer)
    draft_source: Mapped[str] = mapped_column(Text, default="")
    # Bumped on each saved draft: optimistic locking for concurrent editors.
    draft_revision: Mapped[int] = mapped_column(Integer, default=1)
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("lecture_version.id", use_alter=True, ondelete="SET NULL")
    )
    retired_at: Mapped[dt.datetime | None]
    updated_at: Mapped[updated_at]

    section: Mapped[Section | None] = relationship(back_populates="lectures")
    course: Mapped[Course] = relationship()
    published_version: Mapped[LectureVersion | None] = relationship(
        foreign_keys=[published_version_id], post_update=True
    )

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class LectureVersion(Base):
    """A published lecture, frozen: progress and completions point here."""

    __tablename__ = "lecture_version"
    __table_args__ = (UniqueConstraint("lecture_id", "number"),)

    id: Mapped[intpk]
    lecture_id: Mapped[int] = mapped_column(
        ForeignKey("lecture.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    outline: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[created_at]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class MediaAsset(Base):
    """A file of a course (image, PDF, audio, video) kept in object storage under `storage_key`."""

    __tablename__ = "media_asset"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[intpk]
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(160))
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[created_at]


class RenditionStatus(enum.StrEnum):
    PENDING = "pending"  # queued, or claimed by a job whose lease has not run out yet
    READY = "ready"
    FAILED = "failed"


class MediaRendition(Base):
    """A smaller copy of a video asset (144p, 360p, audio only) made by the transcode job and
    stored beside it; the player offers the ready ones. `lease_until` is a job's claim on it."""

    __tablename__ = "media_rendition"
    __table_args__ = (UniqueConstraint("asset_id", "label"),)

    id: Mapped[intpk]
    asset_id: Mapped[int] = mapped_column(ForeignKey("media_asset.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(20))
    status: Mapped[RenditionStatus] = mapped_column(
        enum_column(RenditionStatus, "rendition_status"), default=RenditionStatus.PENDING
    )
    # The source bytes it is made from: a replaced file queues its renditions anew.
    source_sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    bitrate: Mapped[int | None] = mapped_column(Integer)  # bit/s over the whole file
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lease_until: Mapped[dt.datetime | None] = mapped_column(index=True)
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    asset: Mapped[MediaAsset] = relationship()


class CourseTeacher(Base):
    """A teacher assigned to a course: they (and admins) may edit it and follow its learners."""

    __tablename__ = "course_teacher"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[intpk]
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[created_at]

    user: Mapped[User] = relationship()


class ScormPackage(Base):
    """The SCORM package a lecture plays: its zip (kept byte for byte, `zip_key`), its files
    unpacked under `storage_prefix`, and the SCOs its manifest lists (identifier, title, href).
    The lecture's published version stays the text shown beside the player."""

    __tablename__ = "scorm_package"
    __table_args__ = (
        UniqueConstraint("lecture_id"),
        CheckConstraint("version IN ('1.2', '2004')", name="version_known"),
        CheckConstraint("weight BETWEEN 0 AND 100", name="weight_range"),
    )

    id: Mapped[intpk]
    lecture_id: Mapped[int] = mapped_column(ForeignKey("lecture.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))  # scorm/<slug>.zip in a course package
    version: Mapped[str] = mapped_column(String(8))  # "1.2" | "2004"
    edition: Mapped[str] = mapped_column(String(60), default="")  # the manifest's schemaversion
    title: Mapped[str] = mapped_column(String(200))
    # identifier, title, href, and the sequencing read (flow, choice, forward_only, counted)
    scos: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    storage_prefix: Mapped[str] = mapped_column(String(120))
    zip_key: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)  # unpacked bytes
    zip_size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # of the zip
    counts_in_grade: Mapped[bool] = mapped_column(Boolean, default=False)
    weight: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    lecture: Mapped[Lecture] = relationship()
