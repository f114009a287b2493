"""An import plan: what a roster creates, changes, disables and ends, against what exists.

Pure: the caller loads a `Snapshot` of the school (a few queries, no per-row ones), the planner
compares, and the caller applies the `Plan` in one transaction. Planning twice from the same file
and database gives the same plan; planning after applying it gives an empty one (idempotent).

Rules: people, classes and years are found by their roster id (OneRoster sourcedId, or the
spreadsheet's Mã định danh); a year or class made by hand is adopted by its name; an account that
already has the email a roster gives is adopted. Nothing is ever deleted: a person is disabled, a
class disabled, a membership ended. A password from the file is used only to create the account.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from mooc.schools.core.records import (
    N_,
    ClassRecord,
    Issue,
    PersonRecord,
    PersonRole,
    Roster,
    RosterInvalid,
    Source,
    YearRecord,
)
from mooc.schools.core.usernames import allocate

ROSTER_ROLES = frozenset(role.value for role in PersonRole)


@dataclass(frozen=True, slots=True)
class ExistingYear:
    id: int
    source_id: str | None
    name: str
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True, slots=True)
class ExistingClass:
    id: int
    source_id: str | None
    name: str
    grade: int | None
    year_id: int
    disabled: bool


@dataclass(frozen=True, slots=True)
class ExistingPerson:
    user_id: int
    source_id: str
    name: str
    username: str | None
    email: str | None
    is_active: bool
    birth_date: dt.date | None


@dataclass(frozen=True, slots=True)
class ExistingMember:
    id: int
    class_id: int
    user_id: int
    role: str
    ended: bool


@dataclass(frozen=True)
class Snapshot:
    """What the school has now, as far as the roster can touch it."""

    years: tuple[ExistingYear, ...] = ()
    classes: tuple[ExistingClass, ...] = ()
    people: dict[str, ExistingPerson] = field(default_factory=dict)  # by roster id
    members: tuple[ExistingMember, ...] = ()
    # Accounts holding an email or a username the roster names (email/username → user id).
    emails: dict[str, int] = field(default_factory=dict)
    usernames: dict[str, int] = field(default_factory=dict)
    # Generated usernames already taken (the candidates the planner may try).
    taken: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class NewPerson:
    record: PersonRecord
    username: str | None
    adopt_user_id: int | None = None  # an existing account with the roster's email


@dataclass(frozen=True, slots=True)
class PersonChange:
    existing: ExistingPerson
    record: PersonRecord
    fields: tuple[str, ...]  # "name", "email", "username", "birth_date", "enabled"


@dataclass(frozen=True, slots=True)
class ClassChange:
    existing: ExistingClass
    record: ClassRecord
    fields: tuple[str, ...]  # "name", "grade", "source_id", "enabled"


@dataclass(frozen=True, slots=True)
class NewMember:
    class_key: str
    person_key: str
    role: PersonRole
    source_id: str | None


@dataclass
class Plan:
    new_years: list[YearRecord] = field(default_factory=list)
    adopted_years: list[tuple[int, YearRecord]] = field(default_factory=list)
    year_ids: dict[str, int] = field(default_factory=dict)  # year key → id, existing ones
    new_classes: list[ClassRecord] = field(default_factory=list)
    changed_classes: list[ClassChange] = field(default_factory=list)
    disabled_classes: list[ExistingClass] = field(default_factory=list)
    class_ids: dict[str, int] = field(default_factory=dict)  # class key → id, existing ones
    new_people: list[NewPerson] = field(default_factory=list)
    changed_people: list[PersonChange] = field(default_factory=list)
    disabled_people: list[ExistingPerson] = field(default_factory=list)
    person_ids: dict[str, int] = field(default_factory=dict)  # roster id → user id, existing
    new_members: list[NewMember] = field(default_factory=list)
    reopened_members: list[ExistingMember] = field(default_factory=list)
    ended_members: list[ExistingMember] = field(default_factory=list)
    skipped: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "years_created": len(self.new_years),
            "classes_created": len(self.new_classes),
            "classes_changed": len(self.changed_classes),
            "classes_disabled": len(self.disabled_classes),
            "people_created": len(self.new_people),
            "people_changed": len(self.changed_people),
            "people_disabled": len(self.disabled_people),
            "memberships_created": len(self.new_members) + len(self.reopened_members),
            "memberships_ended": len(self.ended_members),
            "skipped": self.skipped,
        }

    @property
    def changes_nothing(self) -> bool:
        return not any(v for k, v in self.counts().items() if k != "skipped") and not (
            self.adopted_years
        )


def year_key(record: YearRecord) -> str:
    return record.source_id or record.name


def class_key(record: ClassRecord) -> str:
    return record.source_id or record.name


class _Problems:
    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, origin: Source | None, column: str, message: str, **params: object) -> None:
        file, line = (origin.file, origin.line) if origin else ("", None)
        self.issues.append(Issue(file, line, column, message, dict(params)))


def plan_import(roster: Roster, snapshot: Snapshot, *, skipped: int = 0) -> Plan:
    """Raises `RosterInvalid` when the roster contradicts the database (a username or email that
    belongs to another account, a class name taken by another class of the year)."""
    plan = Plan(skipped=skipped)
    problems = _Problems()
    _plan_years(roster, snapshot, plan)
    _plan_classes(roster, snapshot, plan, problems)
    _plan_people(roster, snapshot, plan, problems)
    if problems.issues:
        raise RosterInvalid(problems.issues)
    _plan_members(roster, snapshot, plan)
    return plan


def _plan_years(roster: Roster, snapshot: Snapshot, plan: Plan) -> None:
    by_source = {y.source_id: y for y in snapshot.years if y.source_id}
    by_name = {y.name: y for y in snapshot.years}
    for record in roster.years:
        found = by_source.get(record.source_id) if record.source_id else None
        if found is None:
            found = by_name.get(record.name)
            if found is not None and record.source_id and found.source_id is None:
                plan.adopted_years.append((found.id, record))
            elif found is not None and record.source_id and found.source_id != record.source_id:
                found = None  # same name, another roster's year: make ours under a new name
        if found is None:
            if record.active:
                plan.new_years.append(record)
        else:
            plan.year_ids[year_key(record)] = found.id


def _plan_classes(roster: Roster, snapshot: Snapshot, plan: Plan, problems: _Problems) -> None:
    by_source = {c.source_id: c for c in snapshot.classes if c.source_id}
    by_name = {(c.year_id, c.name): c for c in snapshot.classes}
    seen: set[int] = set()
    for record in roster.classes:
        year_id = plan.year_ids.get(record.year_source_id)
        found = by_source.get(record.source_id) if record.source_id else None
        if found is None and year_id is not None:
            named = by_name.get((year_id, record.name))
            if named is not None and (not record.source_id or named.source_id is None):
                found = named
            elif named is not None:
                problems.add(
                    record.origin,
                    "title",
                    N_("Another class of this school year is already named “%(name)s”."),
                    name=record.name,
                )
                continue
        if found is None:
            if record.active:
                plan.new_classes.append(record)
            continue
        seen.add(found.id)
        plan.class_ids[class_key(record)] = found.id
        fields = []
        if found.name != record.name:
            fields.append("name")
        if record.grade is not None and found.grade != record.grade:
            fields.append("grade")
        if record.source_id and found.source_id != record.source_id:
            fields.append("source_id")
        if found.disabled == record.active:
            fields.append("enabled")
        if fields:
            plan.changed_classes.append(ClassChange(found, record, tuple(fields)))
    if roster.complete_classes:
        plan.disabled_classes.extend(
            c for c in snapshot.classes if c.source_id and c.id not in seen and not c.disabled
        )


def first_class_names(roster: Roster) -> dict[str, str]:
    """Each person's first class name (what a generated username ends with)."""
    names = {class_key(c): c.name for c in roster.classes}
    first: dict[str, str] = {}
    for enrolment in roster.enrollments:
        if enrolment.role == PersonRole.PUPIL and enrolment.active:
            first.setdefault(enrolment.person_source_id, names.get(enrolment.class_source_id, ""))
    return first


def _plan_people(roster: Roster, snapshot: Snapshot, plan: Plan, problems: _Problems) -> None:
    taken = set(snapshot.taken) | set(snapshot.usernames)
    taken.update(p.username for p in roster.people if p.username)
    first_class = first_class_names(roster)
    adopted: set[int] = {p.user_id for p in snapshot.people.values()}
    listed: set[str] = set()
    for record in roster.people:
        listed.add(record.source_id)
        existing = snapshot.people.get(record.source_id)
        own_id = existing.user_id if existing else None
        if record.username and snapshot.usernames.get(record.username, own_id) != own_id:
            problems.add(
                record.origin,
                "username",
                N_("The username “%(value)s” belongs to another account."),
                value=record.username,
            )
            continue
        email_owner = snapshot.emails.get(record.email) if record.email else None
        if existing is None:
            if not record.active:
                continue
            if email_owner is not None and email_owner in adopted:
                problems.add(
                    record.origin,
                    "email",
                    N_("The email “%(value)s” belongs to another person of this school."),
                    value=record.email,
                )
                continue
            username = record.username
            if username is None and email_owner is None and record.email is None:
                username = allocate(
                    record.given_name,
                    record.family_name,
                    first_class.get(record.source_id) if record.role == PersonRole.PUPIL else None,
                    taken,
                )
                taken.add(username)
            if email_owner is not None:
                adopted.add(email_owner)
            plan.new_people.append(NewPerson(record, username, email_owner))
            continue
        plan.person_ids[record.source_id] = existing.user_id
        if email_owner is not None and email_owner != existing.user_id:
            problems.add(
                record.origin,
                "email",
                N_("The email “%(value)s” belongs to another account."),
                value=record.email,
            )
            continue
        fields = _person_changes(existing, record)
        if fields == ("enabled",) and not record.active:
            plan.disabled_people.append(existing)
        elif fields:
            plan.changed_people.append(PersonChange(existing, record, fields))
    if roster.complete_people:
        plan.disabled_people.extend(
            p for sid, p in snapshot.people.items() if sid not in listed and p.is_active
        )


def _person_changes(existing: ExistingPerson, record: PersonRecord) -> tuple[str, ...]:
    fields = []
    if existing.name != record.name:
        fields.append("name")
    if record.email and existing.email != record.email:
        fields.append("email")
    if record.username and existing.username != record.username:
        fields.append("username")
    if record.birth_date and existing.birth_date != record.birth_date:
        fields.append("birth_date")
    if existing.is_active != record.active:
        fields.append("enabled")
    return tuple(fields)


def _plan_members(roster: Roster, snapshot: Snapshot, plan: Plan) -> None:
    # Classes the roster does not name keep a key of their own (a pupil may move out of them).
    class_key_of = {c.id: f"#{c.id}" for c in snapshot.classes}
    class_key_of.update({v: k for k, v in plan.class_ids.items()})
    person_key_of = {p.user_id: sid for sid, p in snapshot.people.items()}
    existing = {
        (class_key_of[m.class_id], person_key_of[m.user_id], m.role): m
        for m in snapshot.members
        if m.class_id in class_key_of and m.user_id in person_key_of and m.role in ROSTER_ROLES
    }
    live_people = {p.source_id for p in roster.people} & (
        set(plan.person_ids) | {n.record.source_id for n in plan.new_people}
    )
    live_classes = set(plan.class_ids) | {class_key(c) for c in plan.new_classes}
    wanted: set[tuple[str, str, str]] = set()
    for enrolment in roster.enrollments:
        key = (enrolment.class_source_id, enrolment.person_source_id, enrolment.role.value)
        if not enrolment.active or key[0] not in live_classes or key[1] not in live_people:
            continue
        wanted.add(key)
        found = existing.get(key)
        if found is None:
            plan.new_members.append(
                NewMember(key[0], key[1], enrolment.role, enrolment.source_id or None)
            )
        elif found.ended:
            plan.reopened_members.append(found)
    full = (
        set(plan.class_ids)
        if roster.complete_enrollments
        else set(roster.complete_enrollments_of or ())
    )
    dropped = {
        (e.class_source_id, e.person_source_id, e.role.value)
        for e in roster.enrollments
        if not e.active
    }
    moved = {p.source_id for p in roster.people} if roster.people_list_all_classes else set()
    plan.ended_members.extend(
        m
        for key, m in existing.items()
        if not m.ended
        and key not in wanted
        and (key[0] in full or key in dropped or (key[1] in moved and key[2] == "pupil"))
    )
