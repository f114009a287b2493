"""Classroom benchmarks, one section each (more sections may be added to SECTIONS):

- `import`: a district's roster (default 50,000 pupils in 1,500 classes with their teachers, as
  one big school) written as OneRoster 1.2 CSV bulk files in a temporary folder, then imported
  with the same code as `flask roster import`, on SQLite and (when MOOC_TEST_DATABASE_URL or
  --pg URL is given) PostgreSQL; then imported again (a re-import changes nothing). Prints wall
  time and records/s. Goal: the district imports in under 2 minutes. `--passwords N` gives the
  first N pupils a password in users.csv, hashed with the production Argon2 parameters (the
  benchmark's app otherwise hashes with the tests' minimal ones): what hashing costs an import.

- `report`: the class report of a class of 45 pupils × 30 assigned items (bench/class_report.py),
  rendered through the test client: median and p95 ms and the SQL statements per render. Goal:
  under 150 ms.

    .venv/bin/python bench/classroom.py [--pupils 50000] [--classes 1500] [--passwords 0]
        [--sections import,report]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from _setup import build
from sqlalchemy import create_engine, text

from mooc.accounts.passwords import configure
from mooc.accounts.queries import get_institution
from mooc.db import utcnow
from mooc.demo.scale.names import FAMILY, GIVEN, MIDDLE
from mooc.extensions import db
from mooc.schools.services.rosters import files_at, import_roster, read_roster, school_year_for
from mooc.settings import STRONG_PASSWORD_HASHING


def _name(rng: random.Random) -> tuple[str, str, str]:
    return rng.choice(GIVEN), rng.choice(FAMILY), rng.choice(MIDDLE)


def write_district(
    folder: Path, pupils: int, classes: int, seed: int = 9, passwords: int = 0
) -> int:
    """OneRoster 1.2 bulk files for one school, the first `passwords` pupils with a password;
    returns the number of records written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)

    def write(name: str, header: list[str], rows: Iterator[list[str]] | list[list[str]]) -> int:
        count = 0
        with (folder / name).open("w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(header)
            for row in rows:
                out.writerow(row)
                count += 1
        return count

    files = ["academicSessions", "classes", "courses", "enrollments", "orgs", "roles", "users"]
    write(
        "manifest.csv",
        ["propertyName", "value"],
        [["manifest.version", "1.0"], ["oneroster.version", "1.2"]]
        + [[f"file.{f}", "bulk"] for f in files],
    )
    write(
        "orgs.csv",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "name",
            "type",
            "identifier",
            "parentSourcedId",
        ],
        [["district-school", "", "", "Trường Liên cấp Bench", "school", "bench", ""]],
    )
    write(
        "academicSessions.csv",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "type",
            "startDate",
            "endDate",
            "parentSourcedId",
            "schoolYear",
        ],
        [["y2026", "", "", "2026–2027", "schoolYear", "2026-09-05", "2027-05-31", "", "2027"]],
    )
    write(
        "courses.csv",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "schoolYearSourcedId",
            "title",
            "courseCode",
            "grades",
            "orgSourcedId",
            "subjects",
            "subjectCodes",
        ],
        [
            [f"k{g}", "", "", "y2026", f"Khối {g}", f"K{g}", f"{g:02d}", "district-school", "", ""]
            for g in range(1, 13)
        ],
    )
    class_rows = []
    for i in range(classes):
        grade = 1 + i % 12
        class_rows.append(
            [
                f"c{i}",
                "",
                "",
                f"{grade}A{i // 12 + 1}",
                f"{grade:02d}",
                f"k{grade}",
                "",
                "homeroom",
                "",
                "district-school",
                "y2026",
                "",
                "",
                "",
            ]
        )
    n = write(
        "classes.csv",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "grades",
            "courseSourcedId",
            "classCode",
            "classType",
            "location",
            "schoolSourcedId",
            "termSourcedIds",
            "subjects",
            "subjectCodes",
            "periods",
        ],
        class_rows,
    )
    users, roles, enrolments = [], [], []
    for p in range(pupils):
        given, family, middle = _name(rng)
        users.append(
            [
                f"p{p}",
                "",
                "",
                "true",
                "",
                "",
                given,
                family,
                middle,
                "",
                "",
                "",
                "",
                "",
                "",
                f"bench-password-{p:06d}" if p < passwords else "",
                "",
                "",
                "",
                "",
                "",
                "district-school",
                "",
            ]
        )
        roles.append(
            [f"rp{p}", "", "", f"p{p}", "primary", "student", "", "", "district-school", ""]
        )
        enrolments.append(
            [f"ep{p}", "", "", f"c{p % classes}", "district-school", f"p{p}", "student", "", "", ""]
        )
    for t in range(classes):
        given, family, middle = _name(rng)
        users.append(
            [
                f"t{t}",
                "",
                "",
                "true",
                "",
                "",
                given,
                family,
                middle,
                "",
                f"gv{t}@bench.test",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "district-school",
                "",
            ]
        )
        roles.append(
            [f"rt{t}", "", "", f"t{t}", "primary", "teacher", "", "", "district-school", ""]
        )
        enrolments.append(
            [f"et{t}", "", "", f"c{t}", "district-school", f"t{t}", "teacher", "true", "", ""]
        )
    n += write(
        "users.csv",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "enabledUser",
            "username",
            "userIds",
            "givenName",
            "familyName",
            "middleName",
            "identifier",
            "email",
            "sms",
            "phone",
            "agentSourcedIds",
            "grades",
            "password",
            "userMasterIdentifier",
            "resourceSourcedIds",
            "preferredGivenName",
            "preferredMiddleName",
            "preferredFamilyName",
            "primaryOrgSourcedId",
            "pronouns",
        ],
        users,
    )
    write(
        "roles.csv",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "userSourcedId",
            "roleType",
            "role",
            "beginDate",
            "endDate",
            "orgSourcedId",
            "userProfileSourcedId",
        ],
        roles,
    )
    n += write(
        "enrollments.csv",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "classSourcedId",
            "schoolSourcedId",
            "userSourcedId",
            "role",
            "primary",
            "beginDate",
            "endDate",
        ],
        enrolments,
    )
    return n


def bench_import(backend: str, url: str, folder: Path, passwords: int = 0) -> None:
    instance = Path(tempfile.mkdtemp(prefix="mooc-bench-classroom-"))
    app = build(instance, url, students=0)
    if passwords:
        configure(STRONG_PASSWORD_HASHING)  # what production pays for each password in the file
    with app.app_context():
        school = get_institution(db.session, "thcs-ba-dinh")
        for attempt in ("first import", "re-import"):
            started = time.perf_counter()
            name, files = files_at(folder)
            read = read_roster(name, files, school_year_for(db.session, school, utcnow().date()))
            parsed = time.perf_counter()
            plan, _entry = import_roster(db.session, school, read, by=None)
            db.session.commit()
            done = time.perf_counter()
            records = read.roster.size
            counts = plan.counts()
            print(
                f"{backend:10} {attempt:12} {records:7d} records in {done - started:6.1f} s "
                f"({records / (done - started):8,.0f} records/s; parse {parsed - started:.1f} s, "
                f"plan+write {done - parsed:.1f} s) — {counts['people_created']} accounts, "
                f"{counts['classes_created']} classes, {counts['memberships_created']} places created",
                flush=True,
            )


def section_import(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="mooc-bench-roster-"))
    started = time.perf_counter()
    records = write_district(folder, args.pupils, args.classes, passwords=args.passwords)
    print(
        f"district: {args.pupils} pupils ({args.passwords} with a password), {args.classes} "
        f"classes, {records} records written in {time.perf_counter() - started:.1f} s"
    )
    tmp = Path(tempfile.mkdtemp(prefix="mooc-bench-db-"))
    bench_import("sqlite", f"sqlite:///{tmp / 'bench.sqlite3'}", folder, args.passwords)
    if args.pg:
        name = f"mooc_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(f"{args.pg.rstrip('/')}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            bench_import("postgresql", f"{args.pg.rstrip('/')}/{name}", folder, args.passwords)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def section_report(args: argparse.Namespace) -> None:
    import class_report  # bench/ is on sys.path when this script runs

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        url = f"sqlite:///{root / 'bench.sqlite3'}"
        class_report.measure("sqlite", url, root / "sqlite", args.runs, 45, 30)
        if args.pg:
            with class_report.pg_database(args.pg) as pg_url:
                class_report.measure("postgresql", pg_url, root / "pg", args.runs, 45, 30)


SECTIONS: dict[str, Callable[[argparse.Namespace], None]] = {
    "import": section_import,
    "report": section_report,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=50_000)
    parser.add_argument("--classes", type=int, default=1_500)
    parser.add_argument(
        "--passwords", type=int, default=0, help="pupils with a password in users.csv"
    )
    parser.add_argument("--runs", type=int, default=50, help="class report renders to time")
    parser.add_argument("--pg", default=os.environ.get("MOOC_TEST_DATABASE_URL", ""))
    parser.add_argument(
        "--sections", default=",".join(SECTIONS), help="comma-separated: " + ", ".join(SECTIONS)
    )
    args = parser.parse_args()
    for section in args.sections.split(","):
        SECTIONS[section.strip()](args)


if __name__ == "__main__":
    main()
