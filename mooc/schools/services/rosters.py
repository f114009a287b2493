"""Roster import: read a roster, plan it against the school, apply the plan in bulk.

One import is one transaction (the caller commits once): a file with errors changes nothing.
Reads and writes are batched — a few queries to load the school's snapshot, then multi-row INSERTs
and UPDATEs (on PostgreSQL, COPY for the rows nothing is read back from) — so a district's 50,000
pupils import in well under two minutes (bench/classroom.py). The rows an import creates carry its
time. People without a password in the file get an unusable one and must choose their own (login
cards give them a one-time password); a password from the file is hashed like any other (Argon2,
the production parameters: with thousands of passwords, hashing is most of an import's time) and
never logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from mooc.accounts.core.search_text import person_search_text
from mooc.accounts.models import Institution, Membership, Role, User
from mooc.accounts.passwords import hash_password
from mooc.bulk import copies, copy_rows, insert_rows
from mooc.db import utcnow
from mooc.schools.core.oneroster import looks_like_oneroster, parse_oneroster
from mooc.schools.core.planning import (
    ExistingClass,
    ExistingMember,
    ExistingPerson,
    ExistingYear,
    PersonChange,
    Plan,
    Snapshot,
    class_key,
    first_class_names,
    plan_import,
    year_key,
)
from mooc.schools.core.records import N_, Issue, PersonRole, Roster, RosterInvalid, YearRecord
from mooc.schools.core.sheet import parse_sheet
from mooc.schools.core.tables import files_from_zip
from mooc.schools.core.usernames import username_parts
from mooc.schools.models import (
    ClassMember,
    ClassRole,
    RosterImport,
    RosterPerson,
    SchoolClass,
    SchoolYear,
)

log = logging.getLogger("mooc.schools.audit")
BATCH = 1000
T = TypeVar("T")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ReadRoster:
    roster: Roster
    skipped: int
    file_name: str


def _chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def school_year_for(session: Session, school: Institution, today: dt.date) -> YearRecord:
    """The year a spreadsheet's classes belong to: the school's year that holds `today`, else
    the Vietnamese school year around it (5 September to 31 May)."""
    held = session.scalar(
        select(SchoolYear)
        .where(
            SchoolYear.institution_id == school.id,
            SchoolYear.starts_on <= today,
            SchoolYear.ends_on >= today,
        )
        .order_by(SchoolYear.starts_on.desc())
    )
    if held is not None:
        return YearRecord(held.source_id or "", held.name, held.starts_on, held.ends_on)
    first = today.year if today.month >= 6 else today.year - 1
    return YearRecord("", f"{first}–{first + 1}", dt.date(first, 9, 5), dt.date(first + 1, 5, 31))


def files_at(path: Path) -> tuple[str, dict[str, bytes]]:
    """The roster files at `path`: a folder of CSV files, a .zip, or one spreadsheet file."""
    if path.is_dir():
        return path.name, {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}
    return path.name, {path.name: path.read_bytes()}


def read_roster(file_name: str, files: Mapping[str, bytes], year: YearRecord) -> ReadRoster:
    """OneRoster files (a folder or .zip) or a spreadsheet (.csv, .xlsx) → a checked roster.
    Raises `RosterInvalid`."""
    if len(files) == 1 and file_name.lower().endswith(".zip"):
        files = files_from_zip(file_name, next(iter(files.values())))
    if looks_like_oneroster(files):
        parsed = parse_oneroster(files)
        return ReadRoster(parsed.roster, parsed.skipped_people, file_name)
    sheets = [n for n in files if n.lower().endswith((".csv", ".xlsx"))]
    if len(files) == 1 and sheets:
        return ReadRoster(parse_sheet(sheets[0], files[sheets[0]], year), 0, file_name)
    raise RosterInvalid(
        [
            Issue(
                file_name,
                None,
                None,
                N_(
                    "Neither OneRoster CSV files (users.csv, classes.csv…) "
                    "nor a spreadsheet (.csv or .xlsx) were found."
                ),
            )
        ]
    )


def _in(column: Any, values: Iterable[str]) -> Iterator[Any]:
    """`column IN (...)` conditions in batches (databases limit bound parameters)."""
    for chunk in _chunks(sorted(set(values))):
        yield column.in_(chunk)


def load_snapshot(session: Session, school: Institution, roster: Roster) -> Snapshot:
    years = tuple(
        ExistingYear(y.id, y.source_id, y.name, y.starts_on, y.ends_on)
        for y in session.scalars(select(SchoolYear).where(SchoolYear.institution_id == school.id))
    )
    classes = tuple(
        ExistingClass(
            c.id, c.source_id, c.name, c.grade, c.school_year_id, c.disabled_at is not None
        )
        for c in session.execute(
            select(
                SchoolClass.id,
                SchoolClass.source_id,
                SchoolClass.name,
                SchoolClass.grade,
                SchoolClass.school_year_id,
                SchoolClass.disabled_at,
            ).where(SchoolClass.institution_id == school.id)
        )
    )
    people = {
        row.source_id: ExistingPerson(
            row.id, row.source_id, row.name, row.username, row.email, row.is_active, row.birth_date
        )
        for row in session.execute(
            select(
                RosterPerson.source_id,
                User.id,
                User.name,
                User.username,
                User.email,
                User.is_active,
                User.birth_date,
            )
            .join(User, User.id == RosterPerson.user_id)
            .where(RosterPerson.institution_id == school.id)
        )
    }
    members = tuple(
        ExistingMember(m.id, m.class_id, m.user_id, m.role.value, m.ended_at is not None)
        for m in session.execute(
            select(
                ClassMember.id,
                ClassMember.class_id,
                ClassMember.user_id,
                ClassMember.role,
                ClassMember.ended_at,
            )
            .join(SchoolClass, SchoolClass.id == ClassMember.class_id)
            .where(SchoolClass.institution_id == school.id)
        )
    )
    emails = {p.email for p in roster.people if p.email}
    given = {p.username for p in roster.people if p.username}
    found_emails: dict[str, int] = {}
    for condition in _in(User.email, emails):
        found_emails.update(
            {e: i for i, e in session.execute(select(User.id, User.email).where(condition)) if e}
        )
    found_usernames: dict[str, int] = {}
    for condition in _in(User.username, given):
        found_usernames.update(
            {u: i for i, u in session.execute(select(User.id, User.username).where(condition)) if u}
        )
    return Snapshot(
        years=years,
        classes=classes,
        people=people,
        members=members,
        emails=found_emails,
        usernames=found_usernames,
        taken=frozenset(_taken_usernames(session, roster, people)),
    )


def _taken_usernames(
    session: Session, roster: Roster, known: Mapping[str, ExistingPerson]
) -> set[str]:
    """Usernames in the database a generated one could clash with: the plain candidates first,
    then, for the few that clash, every numbered variant (`an.nguyen2.6a1`…)."""
    first = first_class_names(roster)
    parts = {
        username_parts(
            p.given_name,
            p.family_name,
            first.get(p.source_id) if p.role == PersonRole.PUPIL else None,
        )
        for p in roster.people
        if p.source_id not in known and not p.username and not p.email
    }
    taken: set[str] = set()
    for condition in _in(User.username, (stem + tail for stem, tail in parts)):
        taken.update(session.scalars(select(User.username).where(condition)))
    clashing = [(stem, tail) for stem, tail in parts if stem + tail in taken]
    for chunk in _chunks(clashing, 200):
        patterns = [User.username.like(f"{stem}%{tail}") for stem, tail in chunk]
        taken.update(session.scalars(select(User.username).where(or_(*patterns))))
    return {name for name in taken if name}


def plan_roster(session: Session, school: Institution, read: ReadRoster) -> Plan:
    """What importing `read` into `school` would do. Raises `RosterInvalid`."""
    return plan_import(
        read.roster, load_snapshot(session, school, read.roster), skipped=read.skipped
    )


UNUSABLE_PREFIX = "!"  # not an Argon2 hash: no password verifies against it


def unusable_password() -> str:
    return UNUSABLE_PREFIX + secrets.token_hex(16)


def apply_plan(
    session: Session,
    school: Institution,
    plan: Plan,
    *,
    by: User | None,
    source_format: str,
    file_name: str,
    progress: Progress | None = None,
) -> RosterImport:
    """Write the plan (flushes, never commits) and log it as a `RosterImport`."""
    now = utcnow()
    tick = progress or (lambda n: None)
    year_ids = _write_years(session, school, plan)
    class_ids = _create_classes(session, school, plan, year_ids, tick)
    _update_classes(session, plan, now)
    person_ids = dict(plan.person_ids)
    _create_people(session, school, plan, person_ids, now, tick)
    _update_people(session, plan, tick)
    _grant_memberships(session, school, plan, person_ids, now)
    _write_members(session, plan, class_ids, person_ids, now, tick)
    return _log_import(
        session, school, plan, by=by, source_format=source_format, file_name=file_name
    )


def _write_years(session: Session, school: Institution, plan: Plan) -> dict[str, int]:
    """Adopt and create the plan's school years; returns every year's id by its plan key."""
    year_ids = dict(plan.year_ids)
    for year_id, record in plan.adopted_years:
        session.execute(
            update(SchoolYear).where(SchoolYear.id == year_id).values(source_id=record.source_id)
        )
    for record in plan.new_years:
        year = SchoolYear(
            institution_id=school.id,
            source_id=record.source_id or None,
            name=record.name,
            starts_on=record.starts_on,
            ends_on=record.ends_on,
        )
        session.add(year)
        session.flush()
        year_ids[year_key(record)] = year.id
    return year_ids


def _create_classes(
    session: Session,
    school: Institution,
    plan: Plan,
    year_ids: Mapping[str, int],
    tick: Progress,
) -> dict[str, int]:
    """Insert the plan's new classes in batches; returns every class's id by its plan key."""
    class_ids = dict(plan.class_ids)
    for chunk in _chunks(plan.new_classes):
        rows = [
            {
                "institution_id": school.id,
                "school_year_id": year_ids[c.year_source_id],
                "source_id": c.source_id or None,
                "name": c.name,
                "grade": c.grade,
            }
            for c in chunk
        ]
        ids = session.scalars(
            insert(SchoolClass).returning(SchoolClass.id, sort_by_parameter_order=True), rows
        ).all()
        class_ids.update({class_key(c): i for c, i in zip(chunk, ids, strict=True)})
        tick(len(chunk))
    return class_ids


def _update_classes(session: Session, plan: Plan, now: dt.datetime) -> None:
    """Rename, regrade, re-enable or disable existing classes, in one bulk update."""
    changes: list[dict[str, Any]] = []
    for change in plan.changed_classes:
        row: dict[str, Any] = {"id": change.existing.id, "name": change.record.name}
        if change.record.grade is not None:
            row["grade"] = change.record.grade
        if change.record.source_id:
            row["source_id"] = change.record.source_id
        if change.record.active:
            row["disabled_at"] = None
        elif not change.existing.disabled:
            row["disabled_at"] = now
        # else: still to be deleted and already disabled, so it stays disabled since that day
        changes.append(row)
    changes += [{"id": c.id, "disabled_at": now} for c in plan.disabled_classes]
    if changes:
        session.execute(update(SchoolClass), changes)


def _log_import(
    session: Session,
    school: Institution,
    plan: Plan,
    *,
    by: User | None,
    source_format: str,
    file_name: str,
) -> RosterImport:
    summary = plan.counts()
    entry = RosterImport(
        institution_id=school.id,
        imported_by_id=by.id if by else None,
        source_format=source_format,
        file_name=file_name[:255],
        summary=summary,
    )
    session.add(entry)
    session.flush()
    log.info(
        "roster import %s into %s by %s from %s: %s",
        entry.id,
        school.slug,
        by.id if by else "command line",
        file_name,
        summary,
    )
    return entry


def _create_people(
    session: Session,
    school: Institution,
    plan: Plan,
    person_ids: dict[str, int],
    now: dt.datetime,
    tick: Progress,
) -> None:
    new = [p for p in plan.new_people if p.adopt_user_id is None]
    # Each new account is told apart by its random session token. Copied rows are read back
    # above the highest id before the copy (ids only grow); inserted ones come back in any order
    # (ordering them costs PostgreSQL a sort per batch).
    by_token: dict[str, str] = {}
    copying = copies(session)
    floor = (session.scalar(select(func.max(User.id))) or 0) if copying else 0
    for chunk in _chunks(new):
        rows: list[dict[str, Any]] = [
            {
                "email": p.record.email,
                "username": p.username,
                "name": p.record.name,
                "search_text": person_search_text(p.record.name, p.username, p.record.email),
                "password_hash": hash_password(p.record.password)
                if p.record.password
                else unusable_password(),
                "must_change_password": True,
                "is_active": True,
                "birth_date": p.record.birth_date,
                "session_token": secrets.token_hex(16),
                "locale": "vi",
                "created_at": now,
            }
            for p in chunk
        ]
        tokens = {r["session_token"]: p.record.source_id for r, p in zip(rows, chunk, strict=True)}
        by_token.update(tokens)
        if copying:
            copy_rows(session, User, rows)
        else:
            for user_id, token in session.execute(
                insert(User).returning(User.id, User.session_token), rows
            ):
                person_ids[tokens[token]] = user_id
        tick(len(chunk))
    if copying and new:
        for user_id, token in session.execute(
            select(User.id, User.session_token).where(User.id > floor)
        ):
            if token in by_token:
                person_ids[by_token[token]] = user_id
    for p in plan.new_people:
        if p.adopt_user_id is not None:
            person_ids[p.record.source_id] = p.adopt_user_id
    links = [
        {
            "institution_id": school.id,
            "source_id": p.record.source_id,
            "user_id": person_ids[p.record.source_id],
            "created_at": now,
        }
        for p in plan.new_people
    ]
    insert_rows(session, RosterPerson, links)


def _update_people(session: Session, plan: Plan, tick: Progress) -> None:
    rows: list[dict[str, Any]] = []
    for change in plan.changed_people:
        row: dict[str, Any] = {"id": change.existing.user_id}
        record = change.record
        if "name" in change.fields:
            row["name"] = record.name
        if "email" in change.fields:
            row["email"] = record.email
        if "username" in change.fields:
            row["username"] = record.username
        if {"name", "email", "username"} & set(change.fields):
            row["search_text"] = _search_text_after(change)
        if "birth_date" in change.fields:
            row["birth_date"] = record.birth_date
        if "enabled" in change.fields:
            row["is_active"] = record.active
            if not record.active:
                row["session_token"] = secrets.token_hex(16)
        rows.append(row)
    rows += [
        {"id": p.user_id, "is_active": False, "session_token": secrets.token_hex(16)}
        for p in plan.disabled_people
    ]
    # Rows with the same keys go together: one executemany per shape.
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        shapes.setdefault(tuple(sorted(row)), []).append(row)
    for same in shapes.values():
        for chunk in _chunks(same):
            session.execute(update(User), list(chunk))
            tick(len(chunk))


def _search_text_after(change: PersonChange) -> str:
    """The person's search line once `change` is made (a bulk UPDATE bypasses the model)."""
    existing, record = change.existing, change.record
    return person_search_text(
        record.name if "name" in change.fields else existing.name,
        record.username if "username" in change.fields else existing.username,
        record.email if "email" in change.fields else existing.email,
    )


def _grant_memberships(
    session: Session, school: Institution, plan: Plan, person_ids: dict[str, int], now: dt.datetime
) -> None:
    """Pupils are students of the school, teachers its teachers (what school pages search)."""
    wanted = {
        (
            person_ids[p.record.source_id],
            Role.STUDENT if p.record.role == PersonRole.PUPIL else Role.TEACHER,
        )
        for p in plan.new_people
    }
    if not wanted:
        return
    have = {
        (user_id, role)
        for user_id, role in session.execute(
            select(Membership.user_id, Membership.role).where(
                Membership.institution_id == school.id
            )
        )
    }
    rows = [
        {"user_id": u, "institution_id": school.id, "role": r, "created_at": now}
        for u, r in sorted(wanted - have)
    ]
    insert_rows(session, Membership, rows)


def _write_members(
    session: Session,
    plan: Plan,
    class_ids: dict[str, int],
    person_ids: dict[str, int],
    now: dt.datetime,
    tick: Progress,
) -> None:
    rows = [
        {
            "class_id": class_ids[m.class_key],
            "user_id": person_ids[m.person_key],
            "role": ClassRole(m.role.value),
            "source_id": m.source_id,
            "created_at": now,
        }
        for m in plan.new_members
    ]
    for chunk in _chunks(rows):
        insert_rows(session, ClassMember, chunk)
        tick(len(chunk))
    updates: list[dict[str, Any]] = [{"id": m.id, "ended_at": None} for m in plan.reopened_members]
    updates += [{"id": m.id, "ended_at": now} for m in plan.ended_members]
    for update_chunk in _chunks(updates):
        session.execute(update(ClassMember), list(update_chunk))


def import_roster(
    session: Session,
    school: Institution,
    read: ReadRoster,
    *,
    by: User | None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> tuple[Plan, RosterImport | None]:
    """Plan, and unless `dry_run` apply, an import. Raises `RosterInvalid`."""
    plan = plan_roster(session, school, read)
    if dry_run:
        return plan, None
    entry = apply_plan(
        session,
        school,
        plan,
        by=by,
        source_format=read.roster.format.value,
        file_name=read.file_name,
        progress=progress,
    )
    return plan, entry


def describe(issue: Issue) -> str:
    """An issue in the reader's language: "users.csv:12 (username): …"."""
    message = _(issue.message, **issue.params) if issue.params else _(issue.message)
    return f"{issue.where()}: {message}"
