"""OneRoster 1.1 and 1.2 CSV bulk files → a checked `Roster`.

Reads manifest.csv, academicSessions.csv, courses.csv, classes.csv, users.csv, enrollments.csv,
and where present orgs.csv (ignored beyond its shape), demographics.csv (birth dates) and 1.2's
roles.csv / userProfiles.csv. Column names follow the specification; extra columns are ignored.
Only pupils (role `student`) and teachers (`teacher`, `aide`) become people here; guardians,
administrators and other roles are skipped and counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from mooc.schools.core.records import (
    N_,
    ClassRecord,
    EnrollmentRecord,
    PersonRecord,
    PersonRole,
    Roster,
    RosterFormat,
    Source,
    YearRecord,
)
from mooc.schools.core.tables import IssueLog, Table, decode, parse_csv
from mooc.schools.core.usernames import is_valid_username

ROLES: dict[str, PersonRole] = {
    "student": PersonRole.PUPIL,
    "teacher": PersonRole.TEACHER,
    "aide": PersonRole.TEACHER,
}


def person_role(raw: str) -> PersonRole | None:
    """The role a OneRoster `role` cell names, read without case or surrounding spaces: some
    exports write `Student` or `TEACHER` where the specification says `student`."""
    return ROLES.get(raw.strip().lower())


REQUIRED = {
    "academicSessions.csv": ("sourcedId", "title", "type", "startDate", "endDate"),
    "classes.csv": ("sourcedId", "title", "termSourcedIds"),
    "users.csv": ("sourcedId", "givenName", "familyName"),
    "enrollments.csv": ("sourcedId", "classSourcedId", "userSourcedId", "role"),
    "courses.csv": ("sourcedId", "title"),
    "roles.csv": ("sourcedId", "userSourcedId", "roleType", "role"),
    "userProfiles.csv": ("sourcedId", "userSourcedId"),
    "demographics.csv": ("sourcedId",),
    "manifest.csv": ("propertyName", "value"),
    "orgs.csv": ("sourcedId", "name", "type"),
}
NEEDED = ("academicSessions.csv", "classes.csv", "users.csv", "enrollments.csv")


def looks_like_oneroster(names: Mapping[str, bytes]) -> bool:
    return "users.csv" in names or "manifest.csv" in names


@dataclass(frozen=True, slots=True)
class ParsedRoster:
    roster: Roster
    skipped_people: int


def _status_active(row: dict[str, str]) -> bool:
    return row.get("status", "").strip().lower() != "tobedeleted"


def _date(
    log: IssueLog, table: Table, line: int, row: dict[str, str], column: str
) -> dt.date | None:
    raw = row.get(column, "")
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        log.add(
            table.file,
            line,
            column,
            N_("“%(value)s” is not a date (YYYY-MM-DD)."),
            value=raw,
        )
        return None


def _unique(log: IssueLog, table: Table) -> dict[str, tuple[int, dict[str, str]]]:
    """Rows by sourcedId; an empty or repeated sourcedId is an error naming both lines."""
    found: dict[str, tuple[int, dict[str, str]]] = {}
    for line, row in table.rows:
        sid = row["sourcedId"]
        if not sid:
            log.add(table.file, line, "sourcedId", N_("The sourcedId is empty."))
        elif sid in found:
            log.add(
                table.file,
                line,
                "sourcedId",
                N_("The sourcedId “%(id)s” is already used on line %(other)d."),
                id=sid,
                other=found[sid][0],
            )
        else:
            found[sid] = (line, row)
    return found


def _grade(raw: str) -> int | None:
    """The first grade of a `grades` list ("06", "6,7", "KG") as 1–12, else None."""
    first = raw.split(",")[0].strip()
    return int(first) if first.isdigit() and 1 <= int(first) <= 12 else None


def parse_oneroster(files: Mapping[str, bytes]) -> ParsedRoster:
    """Raises `RosterInvalid` listing every problem found (file, line, column)."""
    log = IssueLog()
    tables: dict[str, Table] = {}
    for name, required in REQUIRED.items():
        if name in files:
            table = parse_csv(name, decode(name, files[name]), required, log)
            if table is not None:
                tables[name] = table
    for name in NEEDED:
        if name not in files:
            log.add(name, None, None, N_("The file %(name)s is missing."), name=name)
    log.raise_if_any()

    manifest = {
        row["propertyName"]: row["value"]
        for _, row in tables.get("manifest.csv", Table("", [])).rows
    }
    version = manifest.get("oneroster.version", "")
    if not version:
        version = "1.2" if "roles.csv" in tables or not tables["users.csv"].has("role") else "1.1"
    if version not in ("1.1", "1.2"):
        log.add(
            "manifest.csv",
            None,
            "oneroster.version",
            N_("OneRoster version “%(v)s” is not supported (1.1 and 1.2 are)."),
            v=version,
        )
        log.raise_if_any()

    def mode(file: str) -> str:
        return manifest.get(f"file.{file.removesuffix('.csv')}", "bulk").strip().lower()

    reader = _Reader(log, tables, version)
    years, year_of_term = reader.years()
    classes = reader.classes(year_of_term)
    people, skipped = reader.people()
    enrollments = reader.enrollments({c.source_id for c in classes}, people)
    log.raise_if_any()
    return ParsedRoster(
        Roster(
            format=RosterFormat.ONEROSTER_11 if version == "1.1" else RosterFormat.ONEROSTER_12,
            years=tuple(years),
            classes=tuple(classes),
            people=tuple(people.values()),
            enrollments=tuple(enrollments),
            complete_people=mode("users.csv") == "bulk",
            complete_classes=mode("classes.csv") == "bulk",
            complete_enrollments=mode("enrollments.csv") == "bulk",
        ),
        skipped,
    )


class _Reader:
    def __init__(self, log: IssueLog, tables: dict[str, Table], version: str) -> None:
        self.log = log
        self.tables = tables
        self.version = version

    def years(self) -> tuple[list[YearRecord], dict[str, str]]:
        """School years, and for every session id (year, term, semester) the year it lies in."""
        table = self.tables["academicSessions.csv"]
        rows = _unique(self.log, table)
        years: list[YearRecord] = []
        for sid, (line, row) in rows.items():
            if row["type"] != "schoolYear":
                continue
            starts, ends = (_date(self.log, table, line, row, c) for c in ("startDate", "endDate"))
            if starts and ends and starts >= ends:
                self.log.add(table.file, line, "endDate", N_("The year ends before it starts."))
            elif starts and ends:
                years.append(YearRecord(sid, row["title"][:40], starts, ends, _status_active(row)))
        year_ids = {y.source_id for y in years}
        year_of: dict[str, str] = {}
        for sid in rows:
            seen, current = set(), sid
            while current in rows and current not in year_ids and current not in seen:
                seen.add(current)
                current = rows[current][1].get("parentSourcedId", "")
            if current in year_ids:
                year_of[sid] = current
        return years, year_of

    def classes(self, year_of: dict[str, str]) -> list[ClassRecord]:
        table = self.tables["classes.csv"]
        courses = {
            row["sourcedId"]: row["title"]
            for _, row in self.tables.get("courses.csv", Table("", [])).rows
        }
        names: dict[tuple[str, str], int] = {}
        out: list[ClassRecord] = []
        for sid, (line, row) in _unique(self.log, table).items():
            terms = [t.strip() for t in row["termSourcedIds"].split(",") if t.strip()]
            year = next((year_of[t] for t in terms if t in year_of), None)
            if year is None:
                self.log.add(
                    table.file,
                    line,
                    "termSourcedIds",
                    N_("The class refers to no known school year or term (“%(value)s”)."),
                    value=row["termSourcedIds"],
                )
                continue
            name = (row.get("classCode") or row["title"]).strip()[:40]
            if not name:
                self.log.add(table.file, line, "title", N_("The class has no title."))
                continue
            if (year, name) in names:
                self.log.add(
                    table.file,
                    line,
                    "title",
                    N_(
                        "Another class of the same year, on line %(other)d, "
                        "is also named “%(name)s”."
                    ),
                    other=names[(year, name)],
                    name=name,
                )
                continue
            names[(year, name)] = line
            subject = courses.get(row.get("courseSourcedId", ""))
            out.append(
                ClassRecord(
                    sid,
                    name,
                    _grade(row.get("grades", "")),
                    year,
                    _status_active(row),
                    subject[:80] if subject else None,
                    Source(table.file, line),
                )
            )
        return out

    def _roles_12(self) -> dict[str, str]:
        """1.2: each user's primary role from roles.csv (the first listed when none is primary)."""
        roles: dict[str, str] = {}
        for _, row in self.tables.get("roles.csv", Table("", [])).rows:
            if not _status_active(row):
                continue
            user = row["userSourcedId"]
            if row["roleType"].strip().lower() == "primary" or user not in roles:
                roles[user] = row["role"]
        return roles

    def people(self) -> tuple[dict[str, PersonRecord], int]:
        """Pupils and teachers by source id, and how many people of other roles were skipped."""
        table = self.tables["users.csv"]
        if self.version == "1.1" and not table.has("role"):
            self.log.add(
                table.file,
                1,
                "role",
                N_("The required column “%(heading)s” is missing."),
                heading="role",
            )
            return {}, 0
        roles = self._roles_12() if self.version == "1.2" else {}
        passwords = self._profile_passwords()
        births = self._birth_dates()
        people: dict[str, PersonRecord] = {}
        usernames: dict[str, int] = {}
        skipped = 0
        for sid, (line, row) in _unique(self.log, table).items():
            raw_role = row.get("role", "") if self.version == "1.1" else roles.get(sid, "")
            role = person_role(raw_role)
            if role is None:
                if self.version == "1.2" and not raw_role:
                    self.log.add(
                        table.file, line, "sourcedId", N_("roles.csv gives this person no role.")
                    )
                skipped += 1
                continue
            given, family, middle = row["givenName"], row["familyName"], row.get("middleName", "")
            if not given and not family:
                self.log.add(table.file, line, "givenName", N_("The person has no name."))
                continue
            login = self._login(table, line, row, usernames)
            if login is None:
                continue
            username, email = login
            enabled = row.get("enabledUser", "true").strip().lower() != "false"
            people[sid] = PersonRecord(
                source_id=sid,
                name=" ".join(p for p in (family, middle, given) if p)[:120],
                given_name=given or family,
                family_name=family if given else "",
                role=role,
                username=username,
                email=email,
                password=row.get("password") or passwords.get(sid) or None,
                birth_date=births.get(sid),
                active=_status_active(row) and enabled,
                origin=Source(table.file, line),
            )
        return people, skipped

    def _profile_passwords(self) -> dict[str, str]:
        """1.2: the passwords userProfiles.csv gives, by user (users.csv's own one comes first)."""
        return {
            row["userSourcedId"]: row["password"]
            for _, row in self.tables.get("userProfiles.csv", Table("", [])).rows
            if row.get("password")
        }

    def _birth_dates(self) -> dict[str, dt.date]:
        """Birth dates from demographics.csv, when it has them; a bad date is logged."""
        births: dict[str, dt.date] = {}
        demographics = self.tables.get("demographics.csv")
        if demographics is not None and demographics.has("birthDate"):
            for line, row in demographics.rows:
                if row["birthDate"]:
                    born = _date(self.log, demographics, line, row, "birthDate")
                    if born:
                        births[row["sourcedId"]] = born
        return births

    def _login(
        self, table: Table, line: int, row: dict[str, str], usernames: dict[str, int]
    ) -> tuple[str | None, str | None] | None:
        """(username, email) of a user row, or None when the username is refused (logged).

        A username that is an address counts as the email when the row has none. `usernames`
        holds the line of every username taken so far, and gets this row's.
        """
        username = row.get("username", "").strip().lower() or None
        email = row.get("email", "").strip().lower() or None
        if username and "@" in username:
            email, username = email or username, None
        if username is None:
            return None, email
        if not is_valid_username(username):
            self.log.add(
                table.file,
                line,
                "username",
                N_(
                    "“%(value)s” is not a valid username: "
                    "use letters a–z, digits, “.”, “-” and “_”."
                ),
                value=username,
            )
            return None
        if username in usernames:
            self.log.add(
                table.file,
                line,
                "username",
                N_("The username “%(value)s” is already used on line %(other)d."),
                value=username,
                other=usernames[username],
            )
            return None
        usernames[username] = line
        return username, email

    def enrollments(
        self, class_ids: set[str], people: dict[str, PersonRecord]
    ) -> list[EnrollmentRecord]:
        table = self.tables["enrollments.csv"]
        known_users = {row["sourcedId"] for _, row in self.tables["users.csv"].rows}
        out: list[EnrollmentRecord] = []
        pairs: dict[tuple[str, str, PersonRole], int] = {}
        for sid, (line, row) in _unique(self.log, table).items():
            if row["classSourcedId"] not in class_ids:
                self.log.add(
                    table.file,
                    line,
                    "classSourcedId",
                    N_("Unknown class “%(value)s”."),
                    value=row["classSourcedId"],
                )
                continue
            if row["userSourcedId"] not in known_users:
                self.log.add(
                    table.file,
                    line,
                    "userSourcedId",
                    N_("Unknown person “%(value)s”."),
                    value=row["userSourcedId"],
                )
                continue
            role = person_role(row["role"])
            if role is None or row["userSourcedId"] not in people:
                continue  # a guardian or administrator: not a class member here
            key = (row["classSourcedId"], row["userSourcedId"], role)
            if key in pairs:
                self.log.add(
                    table.file,
                    line,
                    "userSourcedId",
                    N_("This person is already enrolled in this class on line %(other)d."),
                    other=pairs[key],
                )
                continue
            pairs[key] = line
            out.append(
                EnrollmentRecord(
                    sid,
                    row["classSourcedId"],
                    row["userSourcedId"],
                    role,
                    _status_active(row),
                    Source(table.file, line),
                )
            )
        return out


ParseFn = Callable[[Mapping[str, bytes]], ParsedRoster]
