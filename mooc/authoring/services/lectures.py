"""Writing lectures: drafts with optimistic locking, preview, publishing versions, history.

Two teachers editing the same lecture: each save names the draft revision it started from; a
save based on an older revision is refused (`Conflict`) and nothing is overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.authoring import audit
from mooc.authoring.permissions import require_editor
from mooc.authoring.queries import version
from mooc.authoring.services.retiring import recount_learners
from mooc.catalog.models import Lecture, LectureVersion
from mooc.catalog.services import (
    bump_content_revision,
    media_resolver,
    publish_lecture,
    region_labels,
    source_sha256,
)
from mooc.errors import Conflict, Invalid
from mooc.markup import Rendered, render_markdown
from mooc.storage import Storage

MAX_SOURCE = 500_000  # characters: far above any lecture, far below what hurts the server


@dataclass(frozen=True)
class Draft:
    title: str
    source: str
    required: bool
    minutes: int | None


def preview(
    session: Session, lecture: Lecture, source: str, storage: Storage | None = None
) -> Rendered:
    """Exactly what students will see: the same renderer and sanitizer as publishing (given
    `storage`, players show their captions' transcripts)."""
    course = lecture.course
    return render_markdown(
        source[:MAX_SOURCE],
        media=media_resolver(session, course, storage),
        labels=region_labels(course.language),
    )


def save_draft(
    session: Session, user: User, lecture: Lecture, draft: Draft, *, base_revision: int
) -> int:
    """Save the draft if nobody saved since `base_revision`; returns the new revision.

    Raises `Conflict` when another save came first (the caller shows both versions), `Invalid`
    for an empty title or an oversized text.
    """
    require_editor(user, lecture.course)
    if not draft.title.strip():
        raise Invalid(_("A lecture needs a title."), field="title")
    if len(draft.source) > MAX_SOURCE:
        raise Invalid(_("The lecture text is too long."), field="source")
    if draft.minutes is not None and not 1 <= draft.minutes <= 600:
        raise Invalid(_("Reading time is 1–600 minutes."), field="minutes")
    session.refresh(lecture, with_for_update=True)
    if lecture.draft_revision != base_revision:
        raise Conflict(
            _(
                "Someone else saved this lecture while you were editing. Your text was not "
                "saved: copy it, reload the page and merge your changes."
            )
        )
    unchanged = (
        lecture.title == draft.title.strip()
        and lecture.draft_source == draft.source
        and lecture.required == draft.required
        and lecture.minutes == draft.minutes
    )
    if unchanged:
        return lecture.draft_revision
    before = {"title": lecture.title, "sha256": source_sha256(lecture.draft_source)}
    if (lecture.title, lecture.required, lecture.minutes) != (
        draft.title.strip(),
        draft.required,
        draft.minutes,
    ):
        bump_content_revision(session, lecture.course_id)  # what the syllabus shows changed
    lecture.title = draft.title.strip()
    lecture.draft_source = draft.source
    recount = lecture.required != draft.required and lecture.published_version_id is not None
    lecture.required = draft.required
    lecture.minutes = draft.minutes
    lecture.draft_revision += 1
    session.flush()
    if recount:
        recount_learners(session, lecture.course_id)  # a lecture counts, or no longer
    audit.record(
        session,
        actor_id=user.id,
        action="edit",
        object_type="lecture",
        object_id=lecture.id,
        course_id=lecture.course_id,
        summary=f"saved draft of {lecture.slug} (revision {lecture.draft_revision})",
        before=before,
        after={"title": lecture.title, "sha256": source_sha256(lecture.draft_source)},
    )
    return lecture.draft_revision


def publish(
    session: Session, user: User, lecture: Lecture, storage: Storage | None = None
) -> LectureVersion | None:
    """Freeze the draft as a new version (None when it equals the published one); given
    `storage`, its players carry their captions' transcripts."""
    require_editor(user, lecture.course)
    if not lecture.draft_source.strip():
        raise Invalid(_("Write the lecture before publishing it."), field="source")
    previous = lecture.published_version
    version = publish_lecture(
        session,
        lecture,
        resolver=media_resolver(session, lecture.course, storage),
        actor_id=user.id,
    )
    if previous is None and version is not None and lecture.required:
        session.flush()
        recount_learners(session, lecture.course_id)  # one more lecture counts
    if version is not None:
        audit.record(
            session,
            actor_id=user.id,
            action="publish",
            object_type="lecture",
            object_id=lecture.id,
            course_id=lecture.course_id,
            summary=f"published {lecture.slug} version {version.number}",
            before={"sha256": previous.sha256} if previous else None,
            after={"sha256": version.sha256},
        )
    return version


def restore_as_draft(session: Session, user: User, lecture: Lecture, number: int) -> int:
    """Copy an old version into the draft (published text is untouched until published)."""
    require_editor(user, lecture.course)
    old = version(session, lecture, number)
    return save_draft(
        session,
        user,
        lecture,
        Draft(old.title, old.source, lecture.required, lecture.minutes),
        base_revision=lecture.draft_revision,
    )
