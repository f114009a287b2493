"""What a roster says, as typed records, and the problems found reading it.

Messages are English templates marked with `N_` so the message catalogue holds them; the page and
the command translate them with their parameters (`%(heading)s`…) when they show them.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the gettext extraction keyword
    """Mark a message for translation without translating it here (the core knows no locale)."""
    return message


class RosterFormat(enum.StrEnum):
    ONEROSTER_11 = "oneroster-1.1"
    ONEROSTER_12 = "oneroster-1.2"
    SHEET = "sheet"  # the Vietnamese spreadsheet template (CSV or XLSX)


class PersonRole(enum.StrEnum):
    PUPIL = "pupil"
    TEACHER = "teacher"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in a roster: where (file, line, column) and what, as a message template."""

    file: str
    line: int | None
    column: str | None
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def where(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
        place = ":".join(parts)
        return f"{place} ({self.column})" if self.column else place

    def __str__(self) -> str:
        return f"{self.where()}: {self.message % self.params if self.params else self.message}"


class RosterInvalid(Exception):
    """The roster cannot be imported as it is; nothing was changed."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues[:20]))


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record was read, so later checks (planning) can name the line."""

    file: str
    line: int


@dataclass(frozen=True, slots=True)
class YearRecord:
    source_id: str
    name: str
    starts_on: dt.date
    ends_on: dt.date
    active: bool = True


@dataclass(frozen=True, slots=True)
class ClassRecord:
    source_id: str
    name: str
    grade: int | None
    year_source_id: str
    active: bool = True
    subject: str | None = None  # what the class is of ("Toán"), from its course when known
    origin: Source | None = None


@dataclass(frozen=True, slots=True)
class PersonRecord:
    source_id: str
    name: str  # full name as shown: "Nguyễn Văn An"
    given_name: str  # "An": the first part of a generated username
    family_name: str  # "Nguyễn"
    role: PersonRole
    username: str | None = None
    email: str | None = None
    password: str | None = field(default=None, repr=False)  # never printed, never logged
    birth_date: dt.date | None = None
    active: bool = True
    origin: Source | None = None


@dataclass(frozen=True, slots=True)
class EnrollmentRecord:
    source_id: str
    class_source_id: str
    person_source_id: str
    role: PersonRole
    active: bool = True
    origin: Source | None = None


@dataclass(frozen=True, slots=True)
class Roster:
    """Everything read from one roster, checked for internal consistency.

    `complete` names what the file lists in full (OneRoster bulk files; the classes of a
    spreadsheet): records of those kinds that the school has from earlier imports but this file
    no longer lists are ended (memberships), disabled (classes, and people of a full OneRoster
    users.csv) — never deleted."""

    format: RosterFormat
    years: tuple[YearRecord, ...]
    classes: tuple[ClassRecord, ...]
    people: tuple[PersonRecord, ...]
    enrollments: tuple[EnrollmentRecord, ...]
    complete_people: bool = False
    complete_classes: bool = False
    # Memberships of these classes (by source id) not in the file are ended; a OneRoster bulk
    # enrollments.csv covers every class, a spreadsheet only the classes it lists.
    complete_enrollments_of: frozenset[str] | None = None
    complete_enrollments: bool = False
    # Each listed person's classes are all listed (a spreadsheet: a pupil found in another
    # class has moved, and leaves the old one).
    people_list_all_classes: bool = False

    @property
    def size(self) -> int:
        return len(self.years) + len(self.classes) + len(self.people) + len(self.enrollments)
