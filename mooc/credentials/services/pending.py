"""The durable job that issues the records of completions still without one (`issue_pending`),
signing on every CPU core: the parent reads, assigns random status indexes and writes; worker
processes canonicalize and sign. Safe to interrupt at any moment: a record is written only
whole, the caller commits after each small batch, and one record per completion is a unique
constraint, so a re-run issues exactly what is missing.
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from mooc.accounts.models import Institution
from mooc.accounts.queries import student_numbers
from mooc.catalog.models import Course
from mooc.credentials.core.records import IssuerProfile
from mooc.credentials.core.status_list import StatusListEntry
from mooc.credentials.core.timestamps import format_timestamp
from mooc.credentials.issuers import issuer_profile
from mooc.credentials.models import IssuedCredential
from mooc.credentials.services.issuing import (
    IssuingContext,
    completion_builder,
    completion_holding,
    issue_completion_record,
    new_slot,
    signer_for,
    store,
    unsigned_row,
)
from mooc.credentials.services.keys import SigningKey
from mooc.credentials.services.signing import SignTask, init_worker, sign_task, sign_with
from mooc.credentials.services.status_lists import (
    IndexPool,
    current_list,
    list_url,
    new_list,
    used_indexes,
)
from mooc.db import utcnow
from mooc.learning.models import Completion, Enrolment


def pending_completion_ids(session: Session) -> list[int]:
    """Completions that have no record yet, oldest first."""
    return list(
        session.scalars(
            select(Completion.id)
            .outerjoin(IssuedCredential, IssuedCredential.completion_id == Completion.id)
            .where(IssuedCredential.id.is_(None))
            .order_by(Completion.id)
        )
    )


@dataclass
class _Issuer:
    """One institution during a batch: its key, profile and free indexes, as plain values so
    commits between batches do not reload them."""

    institution_id: int
    slug: str
    profile: IssuerProfile
    signer: SigningKey
    status_list_id: int
    status_list_url: str
    indexes: IndexPool


@dataclass(frozen=True)
class BatchResult:
    """What one committed batch did: records issued, completions that already had one."""

    issued: int
    skipped: int


@dataclass
class _Chunk:
    rows: dict[int, IssuedCredential] = field(default_factory=dict)
    tasks: list[SignTask] = field(default_factory=list)


class _Batch:
    """A batch issuing run: the parent reads, assigns indexes and writes; signing is mapped."""

    def __init__(self, session: Session, context: IssuingContext) -> None:
        self.session = session
        self.context = context
        self.issuers: dict[int, _Issuer] = {}
        self.created = utcnow().replace(microsecond=0)

    def issuer(self, institution: Institution) -> _Issuer:
        known = self.issuers.get(institution.id)
        if known is not None and not known.indexes.is_full:
            return known
        signer = known.signer if known else signer_for(self.session, self.context, institution)
        if known is None:
            status_list = current_list(self.session, self.context.base_url, institution, signer)
            taken = used_indexes(self.session, status_list.id)
        else:  # the list is half full: go on with a new one
            status_list = new_list(self.session, self.context.base_url, institution, signer)
            taken = set()
        state = _Issuer(
            institution_id=institution.id,
            slug=institution.slug,
            profile=issuer_profile(self.context.base_url, institution),
            signer=signer,
            status_list_id=status_list.id,
            status_list_url=list_url(self.context.base_url, institution.slug, status_list.number),
            indexes=IndexPool(status_list.length, taken),
        )
        self.issuers[institution.id] = state
        return state

    def prepare_issuers(self, institution_ids: Sequence[int]) -> dict[str, bytes]:
        """Keys of every issuer of the run, for the workers (generated first when missing)."""
        for institution in self.session.scalars(
            select(Institution).where(Institution.id.in_(institution_ids))
        ):
            self.issuer(institution)
        return {
            state.signer.verification_method: state.signer.seed for state in self.issuers.values()
        }

    def prepare(self, completion_ids: Sequence[int]) -> _Chunk:
        completions = self.session.scalars(
            select(Completion)
            .where(Completion.id.in_(completion_ids))
            .options(
                joinedload(Completion.user),
                joinedload(Completion.course).joinedload(Course.institution),
            )
        ).all()
        starts = self._starts(completions)
        numbers = student_numbers(
            self.session,
            {c.user_id for c in completions},
            {c.course.institution_id for c in completions},
        )
        chunk = _Chunk()
        for completion in completions:
            state = self.issuer(completion.course.institution)
            slot = new_slot(
                StatusListEntry(state.status_list_url, state.indexes.take()), self.created
            )
            build = completion_builder(
                self.context,
                completion,
                state.profile,
                starts.get((completion.user_id, completion.course_id)),
                numbers.get((completion.user_id, completion.course.institution_id)),
            )
            unsigned = build(slot)
            chunk.rows[completion.id] = unsigned_row(
                completion_holding(completion), state.signer, state.status_list_id, slot, unsigned
            )
            chunk.tasks.append(
                SignTask(
                    completion.id,
                    unsigned,
                    state.signer.verification_method,
                    format_timestamp(self.created),
                )
            )
        return chunk

    def _starts(self, completions: Sequence[Completion]) -> dict[tuple[int, int], dt.datetime]:
        if not completions:
            return {}
        rows = self.session.execute(
            select(Enrolment.user_id, Enrolment.course_id, Enrolment.enrolled_at).where(
                Enrolment.user_id.in_({c.user_id for c in completions}),
                Enrolment.course_id.in_({c.course_id for c in completions}),
            )
        )
        return {(user_id, course_id): at for user_id, course_id, at in rows}

    def write(
        self, chunk: _Chunk, signed: Iterator[tuple[int, str]], batch_size: int
    ) -> Iterator[BatchResult]:
        issued = skipped = 0
        for ref, text in signed:
            row = chunk.rows[ref]
            row.document = text
            saved = store(self.session, row)
            if saved is None:  # its index was taken by a web request meanwhile: issue afresh
                completion = self.session.get(Completion, ref)
                assert completion is not None
                saved = issue_completion_record(self.session, completion, self.context)
                self.issuers[saved.institution_id].indexes.taken.add(saved.status_index)
                issued += 1
            elif saved is row:
                issued += 1
            else:  # a web request issued it meanwhile
                skipped += 1
            if issued + skipped >= batch_size:
                yield BatchResult(issued, skipped)
                issued = skipped = 0
        if issued + skipped:
            yield BatchResult(issued, skipped)


def _issuer_ids(session: Session, completion_ids: Sequence[int]) -> list[int]:
    found: set[int] = set()
    for start in range(0, len(completion_ids), 1000):
        found.update(
            session.scalars(
                select(Course.institution_id)
                .join(Completion, Completion.course_id == Course.id)
                .where(Completion.id.in_(completion_ids[start : start + 1000]))
                .distinct()
            )
        )
    return sorted(found)


def issue_pending(
    session: Session,
    context: IssuingContext,
    completion_ids: Sequence[int] | None = None,
    *,
    workers: int = 1,
    chunk_size: int = 200,
    batch_size: int = 25,
) -> Iterator[BatchResult]:
    """Issue the records of completions that have none, yielding after each batch so the caller
    commits it: an interrupted run loses at most one uncommitted batch, which the next run
    issues (never twice: one record per completion is a unique constraint).

    `workers` > 1 signs in that many processes; the parent assigns random status indexes and
    writes. Raises `KeyUnavailable` when issuer keys cannot be opened.
    """
    ids = list(completion_ids) if completion_ids is not None else pending_completion_ids(session)
    if not ids:
        return
    run = _Batch(session, context)
    keys = run.prepare_issuers(_issuer_ids(session, ids))
    pool = None
    if workers > 1 and len(ids) > chunk_size // 4:
        spawn = multiprocessing.get_context("spawn")  # workers share no DB connection or lock
        pool = spawn.Pool(workers, initializer=init_worker, initargs=(keys,))
    sign = functools.partial(sign_with, keys)
    try:
        waiting: tuple[_Chunk, Iterator[tuple[int, str]]] | None = None
        for start in range(0, len(ids), chunk_size):
            chunk = run.prepare(ids[start : start + chunk_size])
            results: Iterator[tuple[int, str]] = (
                pool.imap_unordered(sign_task, chunk.tasks, chunksize=4)
                if pool is not None
                else map(sign, chunk.tasks)
            )
            if waiting is not None:  # the workers sign this chunk while the last one is written
                yield from run.write(*waiting, batch_size)
            waiting = (chunk, results)
        if waiting is not None:
            yield from run.write(*waiting, batch_size)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
