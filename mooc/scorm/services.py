"""SCORM writes: storing a checked package for a lecture, and saving a learner's runtime
commits (idempotently), which mark the lecture done, count its score and state interactions.

Storing is all or nothing: a refused package stores nothing, a failure while storing removes
what was stored, and so does a rollback of the transaction that stored it. Services flush; the
caller commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import mimetypes
import re
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from mooc.accounts.models import User
from mooc.catalog.models import Lecture, ScormPackage
from mooc.db import utcnow
from mooc.errors import Conflict, Invalid, NotFound, PermissionDenied, TooLarge
from mooc.learning import services as learning
from mooc.learning import xapi
from mooc.learning.analytics import refresh_standing
from mooc.learning.models import ScormState
from mooc.learning.queries import enrolment
from mooc.scorm.core import navigation, runtime
from mooc.scorm.core.archive import (
    Limits,
    Package,
    PackageRefused,
    check_package,
    read_member,
    storage_key,
)
from mooc.scorm.core.reasons import Refused
from mooc.storage import Storage
from mooc.storage.base import Listed

log = logging.getLogger(__name__)
ZIP_CONTENT_TYPE = "application/zip"


# --- storing a package --------------------------------------------------------------------------

_UPLOADED = "mooc.scorm.uploaded"


def _forget_after_commit(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_UPLOADED, None)


def _remove_after_rollback(session: Session, previous: SessionTransaction) -> None:
    if previous.nested:
        return
    uploaded: dict[str, Storage] = session.info.pop(_UPLOADED, {})
    for key, storage in uploaded.items():
        try:
            storage.delete(key)
        except Exception:  # a leftover file is harmless; the rollback must go on
            log.warning("could not remove SCORM file %s after a rollback", key, exc_info=True)


def _remove_on_rollback(session: Session, storage: Storage, keys: Sequence[str]) -> None:
    """Files stored for this transaction go again if it rolls back: nothing half-imported."""
    for name, listener in (
        ("after_commit", _forget_after_commit),
        ("after_soft_rollback", _remove_after_rollback),
    ):
        if not event.contains(session, name, listener):
            event.listen(session, name, listener)
    pending = session.info.setdefault(_UPLOADED, {})
    for key in keys:
        pending[key] = storage


def refusal_message(refused: Refused) -> str:
    """Why the package was refused, in the reader's language: the core's code and parameters
    worded here (its English template is the message id)."""
    reason = _(refused.template, **refused.params)
    return str(_("The SCORM package was refused: %(reason)s", reason=reason))


def check_zip(data: bytes, limits: Limits) -> Package:
    """The checked package in `data`. Raises `Invalid` (or `TooLarge`) with the reason."""
    if len(data) > limits.max_bytes:
        raise TooLarge(
            _(
                "The SCORM package is larger than %(mb)d MB.",
                mb=limits.max_bytes // (1024 * 1024),
            )
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return check_package(archive, limits)
    except zipfile.BadZipFile:
        raise Invalid(_("This file is not a zip archive."), field="package") from None
    except PackageRefused as exc:
        raise Invalid(refusal_message(exc), field="package") from None


def _content_type(path: str) -> str:
    guessed, _encoding = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


def _upload(storage: Storage, data: bytes, package: Package, prefix: str, zip_key: str) -> None:
    """Every file of the package under `prefix`, then the zip itself; on failure, whatever was
    stored is removed again."""
    stored: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in package.files:
                key = storage_key(prefix, info.filename)
                body = _read_member(archive, info)
                storage.put(key, io.BytesIO(body), content_type=_content_type(info.filename))
                stored.append(key)
        storage.put(zip_key, io.BytesIO(data), content_type=ZIP_CONTENT_TYPE)
        stored.append(zip_key)
    except BaseException:
        for key in stored:
            try:
                storage.delete(key)
            except Exception:
                log.warning("could not remove SCORM file %s", key, exc_info=True)
        raise


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        return read_member(archive, info, info.file_size)
    except PackageRefused as exc:
        raise Invalid(refusal_message(exc), field="package") from None


def store_package(
    session: Session,
    storage: Storage,
    lecture: Lecture,
    data: bytes,
    *,
    slug: str,
    limits: Limits,
    counts_in_grade: bool | None = None,
    weight: int | None = None,
) -> ScormPackage:
    """Check the zip `data` and make it the package `lecture` plays (replacing any earlier one;
    learners' states are kept by SCO identifier). Identical bytes are stored once.

    Raises `Invalid` or `TooLarge` with the reason; then nothing is stored.
    """
    package = check_zip(data, limits)
    sha256 = hashlib.sha256(data).hexdigest()
    prefix = f"scorm/{sha256[:32]}"
    zip_key = f"scorm/{sha256[:32]}.zip"
    found = session.scalar(select(ScormPackage).where(ScormPackage.lecture_id == lecture.id))
    already = session.scalar(select(ScormPackage.id).where(ScormPackage.sha256 == sha256).limit(1))
    if already is None or not storage.exists(zip_key):
        _upload(storage, data, package, prefix, zip_key)
        _remove_on_rollback(
            session,
            storage,
            [*(storage_key(prefix, i.filename) for i in package.files), zip_key],
        )
    if found is None:
        found = ScormPackage(lecture_id=lecture.id, course_id=lecture.course_id)
        session.add(found)
    manifest = package.manifest
    found.slug = slug
    found.version = manifest.version
    found.edition = manifest.edition[:60]
    found.title = manifest.title[:200]
    found.scos = [sco.as_json() for sco in manifest.scos]
    found.storage_prefix = prefix
    found.zip_key = zip_key
    found.size = package.size
    found.zip_size = len(data)
    found.sha256 = sha256
    if counts_in_grade is not None:
        found.counts_in_grade = counts_in_grade
    if weight is not None:
        found.weight = weight
    session.flush()
    return found


# --- files no package refers to any more -------------------------------------------------------

SWEEP_GRACE = dt.timedelta(hours=1)  # longer than any upload between storing and committing
_PACKAGE_PREFIX = re.compile(r"^(scorm/[0-9a-f]{32})(?:\.zip$|/)")


@dataclass(frozen=True)
class Swept:
    packages: int  # content-addressed packages whose files went
    files: int  # objects deleted (their files and their zips)
    kept: int  # unreferenced packages left for now: written within the grace period


def remove_unreferenced_files(
    session: Session, storage: Storage, *, now: dt.datetime, grace: dt.timedelta = SWEEP_GRACE
) -> Swept:
    """Delete the stored files of packages no `scorm_package` row refers to any more (a replaced
    or deleted package's; several lectures may share one, by its content address).

    Never deletes a file still referenced: the references are read after the listing, and a
    package any of whose objects was written within `grace` is kept (an upload stores its files
    before its row commits; storing the same bytes again rewrites them). Idempotent: a run that
    stopped half-way leaves what the next one finds again. The files go before the zip.
    """
    found: dict[str, list[Listed]] = defaultdict(list)
    for listed in storage.listing("scorm/"):
        match = _PACKAGE_PREFIX.match(listed.key)
        if match:
            found[match.group(1)].append(listed)
    referenced = {
        prefix
        for pair in session.execute(select(ScormPackage.storage_prefix, ScormPackage.zip_key))
        for prefix in (pair[0], pair[1].removesuffix(".zip"))
    }
    packages = files = kept = 0
    for prefix, objects in sorted(found.items()):
        if prefix in referenced:
            continue
        if max(o.modified for o in objects) > now - grace:
            kept += 1
            continue
        zip_key = f"{prefix}.zip"
        for listed in sorted(objects, key=lambda o: o.key == zip_key):
            storage.delete(listed.key)
            files += 1
        packages += 1
    return Swept(packages, files, kept)


def lecture_source(package: ScormPackage) -> str:
    """The lecture text published beside the player: what the package holds, readable with no
    script at all."""
    lines = [f"{package.title}", ""]
    if len(package.scos) > 1:
        lines += [f"1. {sco['title'] or sco['identifier']}" for sco in package.scos]
    return "\n".join(lines).strip() + "\n"


def set_grading(package: ScormPackage, *, counts_in_grade: bool, weight: int) -> None:
    """Whether the package's score counts in the course's final grade, and how much."""
    if not 0 <= weight <= 100:
        raise Invalid(_("The weight is a whole number from 0 to 100."), field="weight")
    package.counts_in_grade = counts_in_grade
    package.weight = weight


# --- the runtime's commits -----------------------------------------------------------------------


@dataclass(frozen=True)
class Tracked:
    """What a commit did: saved (False for a replay), the state now, the lecture done."""

    saved: bool
    state: ScormState
    lecture_done: bool


def _state(session: Session, user_id: int, package_id: int, sco: str) -> ScormState:
    query = select(ScormState).where(
        ScormState.user_id == user_id, ScormState.package_id == package_id, ScormState.sco == sco
    )
    found = session.scalar(query.with_for_update())
    if found is not None:
        return found
    row = ScormState(user_id=user_id, package_id=package_id, sco=sco, cmi={})
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # a parallel commit of the same SCO made it first
        found = session.scalar(query.with_for_update())
        assert found is not None
        return found
    return row


def states(session: Session, user_id: int, package_id: int) -> dict[str, ScormState]:
    rows = session.scalars(
        select(ScormState).where(ScormState.user_id == user_id, ScormState.package_id == package_id)
    )
    return {row.sco: row for row in rows}


def _apply(state: ScormState, reading: runtime.Reading, cmi: dict[str, Any]) -> None:
    state.cmi = cmi
    state.completion_status = reading.completion[:20] or "unknown"
    state.success_status = reading.success[:20] or "unknown"
    if reading.score is not None:
        state.score = reading.score
    state.location = reading.location
    state.suspend_data = reading.suspend_data
    # The runtime sends the total with every commit (alwaysSendTotalTime): the launch's total
    # plus this session's time.
    state.total_seconds = reading.total_seconds


def _record_interactions(
    session: Session,
    user: User,
    package: ScormPackage,
    state: ScormState,
    reading: runtime.Reading,
    base_url: str,
) -> None:
    """One xAPI "answered" statement per interaction the runtime has not reported before."""
    for interaction in reading.interactions[state.interactions_recorded :]:
        statement = xapi.scorm_interaction_answered(
            user,
            package.lecture,
            state.sco,
            (
                interaction.identifier,
                interaction.kind,
                interaction.response,
                runtime.is_correct(interaction.result),
            ),
            base_url=base_url,
            when=utcnow(),
        )
        xapi.record(session, statement, user_id=user.id)
    state.interactions_recorded = max(state.interactions_recorded, len(reading.interactions))


def track(
    session: Session,
    user: User,
    package: ScormPackage,
    sco: str,
    sequence: int,
    data: Any,
    *,
    base_url: str,
    opens_launch: bool = False,
) -> Tracked:
    """Save one commit of the runtime for the learner's SCO `sco`: once per `sequence` (a replay
    or an older commit arriving late changes nothing); `opens_launch` marks the first commit of
    a launch, which counts an attempt after the first. A completed or passed package marks its
    lecture done through the same completion code as any lecture.

    Raises `PermissionDenied` (not enrolled), `NotFound` (no such SCO), `Invalid` (bad data).
    """
    if sco not in {s["identifier"] for s in package.scos}:
        raise NotFound(_("No such SCO in this package."))
    found = enrolment(session, user.id, package.course_id)
    if found is None or not found.active:
        raise PermissionDenied(_("Enrol in the course to record your progress."))
    try:
        reading = runtime.read(package.version, data)
    except runtime.RuntimeDataError as exc:
        raise Invalid(str(exc)) from None
    cmi = data.get("cmi", data) if isinstance(data, dict) else {}
    state = _state(session, user.id, package.id, sco)
    saved = sequence > state.sequence
    if saved:
        if opens_launch and state.sequence > 0:  # the first commit of a new launch
            state.attempt += 1
        state.sequence = sequence
        score = state.score
        _apply(state, reading, cmi)
        _record_interactions(session, user, package, state, reading, base_url)
        session.flush()
        if package.counts_in_grade and state.score != score:
            # The grade on the teacher's learners page is the learner's kept standing.
            course = package.lecture.course
            refresh_standing(session, course.id, course.pass_mark, [user.id], scores=False)
    done = _finish_if_done(session, user, package, base_url)
    return Tracked(saved, state, done)


_REFUSED_STATUS = {"no-next": Conflict, "no-previous": Conflict, "no-choice": Conflict}


def _navigation_message(refused: navigation.NavigationRefused) -> str:
    target = refused.params.get("target", "")
    messages: dict[str, str] = {
        "no-next": _("This is the last part of the lesson."),
        "no-previous": _("This is the first part of the lesson."),
        "no-choice": _("This lesson does not let you choose the part “%(part)s”.", part=target),
        "no-such-sco": _("This lesson has no part “%(part)s”.", part=target),
    }
    unknown = _(
        "The lesson asked for a move the player does not know: %(request)s.",
        request=refused.params.get("request", ""),
    )
    return messages.get(refused.code, str(unknown))


def navigate(package: ScormPackage, current: str | None, request: str) -> navigation.Decision:
    """Where the player goes when SCO `current` (None: no SCO yet) asks for `request`
    (an `adl.nav.request` value; the player's previous and next are "previous" and "continue",
    its table of contents "{target=ID}choice").

    Raises `NotFound` (no such SCO), `Conflict` (no way there), `Invalid` (unknown request).
    """
    steps = [navigation.Step.of(sco) for sco in package.scos]
    if current is not None and current not in {step.identifier for step in steps}:
        raise NotFound(_("No such SCO in this package."))
    try:
        return navigation.decide(steps, current, navigation.parse_request(request))
    except navigation.NavigationRefused as refused:
        if refused.code == "no-such-sco":
            raise NotFound(_navigation_message(refused)) from None
        error = _REFUSED_STATUS.get(refused.code, Invalid)
        raise error(_navigation_message(refused)) from None


def _finish_if_done(session: Session, user: User, package: ScormPackage, base_url: str) -> bool:
    """Every counted SCO completed or passed (`navigation.rolled_up`): the lecture is done
    (once), and the course's completion rule runs, as for "mark as done"."""
    mine = states(session, user.id, package.id)
    finished = navigation.rolled_up(
        [bool(s.get("counted", True)) for s in package.scos],
        [
            (state := mine.get(s["identifier"])) is not None
            and (state.completion_status == "completed" or state.success_status == "passed")
            for s in package.scos
        ],
    )
    if not finished:
        return False
    lecture = package.lecture
    version = lecture.published_version
    if version is None:
        return False
    learning.finish_lecture(session, user, lecture, version, base_url=base_url)
    return True
