"""Records right after completions: the learning feature knows nothing of credentials, so the
session itself tells which completions a request committed, and they are issued before the
response leaves (the learner sees it at once). When that fails, a job issues them (retried
with a back-off); a crash in between loses nothing either: the scheduled `issue_pending` job
(and `flask credentials issue-pending`) finds completions without a record.

This is the platform's one observer of domain events, and it should stay the only one: features
call each other's services downward, never through signals. Its rules: it only watches (records
ids on flush, keeps them on commit, drops them on rollback), acts after the request's own commit
in its own small transaction, and never fails the response. The other SQLAlchemy listeners are
not domain work: SQLite connection settings (`mooc.factory`), media bytes deleted once their
removal commits (`mooc.authoring.media`), and append-only guards on transfer decisions, rule
versions and audit rows (`mooc.transfer.models`).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, flash
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from mooc.credentials.jobs import ISSUE_RECORDS
from mooc.credentials.services.issuing import issue_completion_record
from mooc.extensions import db
from mooc.jobs import current_queue
from mooc.learning.models import Completion
from mooc.web import edge

log = logging.getLogger(__name__)
FLUSHED = "mooc_credentials_flushed_completions"
COMMITTED = "mooc_credentials_committed_completions"


def _after_flush(session: Session, _context: Any) -> None:
    new = [obj.id for obj in session.new if isinstance(obj, Completion)]
    if new:
        session.info.setdefault(FLUSHED, []).extend(new)


def _after_commit(session: Session) -> None:
    flushed = session.info.pop(FLUSHED, None)
    if flushed:
        session.info.setdefault(COMMITTED, []).extend(flushed)


def _after_rollback(session: Session) -> None:
    session.info.pop(FLUSHED, None)


def issue_committed_completions(response: Response) -> Response:
    """Issue the records of completions this request committed (never fails the response)."""
    session = db.session
    completion_ids = session.info.pop(COMMITTED, None)
    if not completion_ids:
        return response
    settings = edge.settings()
    if not settings.key_encryption_key:
        log.warning("no MOOC_KEY_ENCRYPTION_KEY: records wait for `credentials issue-pending`")
        return response
    try:
        context = edge.issuing_context()
        issued = 0
        for completion_id in completion_ids:
            completion = session.get(Completion, completion_id)
            if completion is not None:
                issue_completion_record(session, completion, context)
                issued += 1
        session.commit()
    except Exception:  # the record is issued later; the learner's page must not fail for it
        session.rollback()
        log.exception("issuing the records of completions %s failed", completion_ids)
        _issue_later(session, completion_ids)
        return response
    if issued:
        flash(_("Your signed record is ready: see My records."), "success")
    return response


def _issue_later(session: Session, completion_ids: list[int]) -> None:
    """Hand the completions to the issuing job (its own retries); never fails the response."""
    try:
        current_queue().enqueue(session, ISSUE_RECORDS, completion_ids=list(completion_ids))
    except Exception:  # the scheduled sweep still finds them
        session.rollback()
        log.exception("could not enqueue the records of completions %s", completion_ids)


def install(app: Flask) -> None:
    """Watch the app's sessions for committed completions and issue their records after the
    request."""
    with app.app_context():
        maker = db.sessionmaker
    event.listen(maker, "after_flush", _after_flush)
    event.listen(maker, "after_commit", _after_commit)
    event.listen(maker, "after_rollback", _after_rollback)
    app.after_request(issue_committed_completions)
