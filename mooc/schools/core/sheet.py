"""The Vietnamese spreadsheet template for schools without a school information system.

One sheet (CSV or XLSX), a header row, one pupil per row:
Họ và tên | Ngày sinh | Lớp | Mã định danh | Email/Tên đăng nhập.
Headings are matched without case or diacritics. The spreadsheet lists each class it names in
full: a pupil imported earlier into one of those classes but missing now has left the class.
Everyone in it is a pupil; teachers are added on the class page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import openpyxl

from mooc.folding import fold
from mooc.schools.core.records import (
    N_,
    ClassRecord,
    EnrollmentRecord,
    Issue,
    PersonRecord,
    PersonRole,
    Roster,
    RosterFormat,
    RosterInvalid,
    Source,
    YearRecord,
)
from mooc.schools.core.tables import IssueLog, decode, parse_csv
from mooc.schools.core.usernames import is_valid_username

NAME, BIRTH, CLASS, ID, LOGIN = (
    "Họ và tên",
    "Ngày sinh",
    "Lớp",
    "Mã định danh",
    "Email/Tên đăng nhập",
)
COLUMNS = (NAME, BIRTH, CLASS, ID, LOGIN)
REQUIRED = (NAME, CLASS, ID)
_HEADINGS = {
    fold(NAME): NAME,
    "ho ten": NAME,
    fold(BIRTH): BIRTH,
    fold(CLASS): CLASS,
    fold(ID): ID,
    fold(LOGIN): LOGIN,
    "email": LOGIN,
    "ten dang nhap": LOGIN,
}
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_GRADE = re.compile(r"^(\d{1,2})")
MAX_ROWS = 100_000


def class_grade(name: str) -> int | None:
    """ "6A1" → 6, "12C" → 12; None when the name does not start with a grade 1–12."""
    match = _GRADE.match(name)
    return int(match.group(1)) if match and 1 <= int(match.group(1)) <= 12 else None


def parse_birth_date(raw: str) -> dt.date:
    """dd/mm/yyyy as Vietnamese sheets write it (also with "-" or "."), or ISO yyyy-mm-dd."""
    match = _DATE.match(raw)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    return dt.date.fromisoformat(raw)


def xlsx_to_csv(file: str, data: bytes) -> str:
    """The first sheet of a workbook as CSV text (dates as dd/mm/yyyy)."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise RosterInvalid(
            [Issue(file, None, None, N_("This is not a readable Excel (.xlsx) workbook."))]
        ) from None
    out = io.StringIO()
    writer = csv.writer(out)
    sheet = book.worksheets[0]
    for count, row in enumerate(sheet.iter_rows(values_only=True)):
        if count > MAX_ROWS:
            break
        writer.writerow(
            [
                cell.strftime("%d/%m/%Y")
                if isinstance(cell, dt.date | dt.datetime)
                else ("" if cell is None else str(cell).strip())
                for cell in row
            ]
        )
    book.close()
    return out.getvalue()


def parse_sheet(file: str, data: bytes, year: YearRecord) -> Roster:
    """Rows of the template → a roster of pupils in `year`. Raises `RosterInvalid`."""
    text = xlsx_to_csv(file, data) if file.lower().endswith(".xlsx") else decode(file, data)
    log = IssueLog()
    table = parse_csv(file, text, REQUIRED, log, header_map=_header_map(text))
    log.raise_if_any()
    assert table is not None
    pupils = _Pupils(file, year, log)
    for line, row in table.rows:
        pupils.read(line, row)
    if not table.rows:
        log.add(file, 2, None, N_("The spreadsheet lists nobody."))
    log.raise_if_any()
    return Roster(
        format=RosterFormat.SHEET,
        years=(year,),
        classes=tuple(pupils.classes.values()),
        people=tuple(pupils.people.values()),
        enrollments=tuple(pupils.enrollments),
        complete_enrollments_of=frozenset(pupils.classes),
        people_list_all_classes=True,
    )


def _header_map(text: str) -> dict[str, str]:
    """The sheet's own headings → the template's, matched without case or diacritics."""
    first_line = text.split("\n", 1)[0][:10_000] if text else ""
    try:
        headings = next(csv.reader([first_line]), [])
    except csv.Error:
        headings = []  # parse_csv reports the broken header line
    return {cell.strip(): _HEADINGS.get(fold(cell), cell.strip()) for cell in headings}


class _Pupils:
    """The pupils, classes and class lists read from the sheet's rows, one row at a time.

    Every problem of a row is logged (not only the first); a row with any problem is left out.
    """

    def __init__(self, file: str, year: YearRecord, log: IssueLog) -> None:
        self.file, self.year, self.log = file, year, log
        self.people: dict[str, PersonRecord] = {}
        self.classes: dict[str, ClassRecord] = {}
        self.enrollments: list[EnrollmentRecord] = []
        self._id_lines: dict[str, int] = {}  # pupil id → the line that listed the pupil
        self._username_lines: dict[str, int] = {}

    def read(self, line: int, row: dict[str, str]) -> None:
        name, class_name, sid = row[NAME], row[CLASS].upper()[:40], row[ID]
        # Each check runs (and logs its problem) even when an earlier one failed.
        filled = self._filled(line, {NAME: name, CLASS: class_name, ID: sid})
        birth, birth_ok = self._birth_date(line, row.get(BIRTH, ""))
        new_id = self._new_id(line, sid)
        email, username, login_ok = self._login(line, row.get(LOGIN, "").lower())
        if not (filled and birth_ok and new_id and login_ok):
            return
        words = name.split()
        self.people[sid] = PersonRecord(
            source_id=sid,
            name=" ".join(words)[:120],
            given_name=words[-1],
            family_name=words[0] if len(words) > 1 else "",
            role=PersonRole.PUPIL,
            username=username,
            email=email,
            birth_date=birth,
            origin=Source(self.file, line),
        )
        self.classes.setdefault(
            class_name,
            ClassRecord(
                "", class_name, class_grade(class_name), self.year.source_id or self.year.name
            ),
        )
        self.enrollments.append(
            EnrollmentRecord("", class_name, sid, PersonRole.PUPIL, origin=Source(self.file, line))
        )

    def _filled(self, line: int, values: dict[str, str]) -> bool:
        empty = [column for column, value in values.items() if not value]
        for column in empty:
            self.log.add(self.file, line, column, N_("“%(heading)s” is empty."), heading=column)
        return not empty

    def _birth_date(self, line: int, raw: str) -> tuple[dt.date | None, bool]:
        """The birth date (None when the cell is empty), and whether the cell was readable."""
        if not raw:
            return None, True
        try:
            return parse_birth_date(raw), True
        except ValueError:
            self.log.add(
                self.file, line, BIRTH, N_("“%(value)s” is not a date (dd/mm/yyyy)."), value=raw
            )
            return None, False

    def _new_id(self, line: int, sid: str) -> bool:
        """Whether no earlier row listed this id. A row's id and username are taken even when the
        row has other problems, so that every repeat in the file is reported at once."""
        if sid not in self._id_lines:
            if sid:
                self._id_lines[sid] = line
            return True
        self.log.add(
            self.file,
            line,
            ID,
            N_("The id “%(id)s” is already used on line %(other)d."),
            id=sid,
            other=self._id_lines[sid],
        )
        return False

    def _login(self, line: int, login: str) -> tuple[str | None, str | None, bool]:
        """(email, username, whether the cell is usable): an address or a username, or empty."""
        if "@" in login:
            return login, None, True
        if not login:
            return None, None, True
        if not is_valid_username(login):
            self.log.add(
                self.file,
                line,
                LOGIN,
                N_(
                    "“%(value)s” is not a valid username: "
                    "use letters a–z, digits, “.”, “-” and “_”."
                ),
                value=login,
            )
            return None, login, False
        if login in self._username_lines:
            self.log.add(
                self.file,
                line,
                LOGIN,
                N_("The username “%(value)s” is already used on line %(other)d."),
                value=login,
                other=self._username_lines[login],
            )
            return None, login, False
        self._username_lines[login] = line
        return None, login, True


EXAMPLE_ROWS = (
    ("Nguyễn Văn An", "05/09/2014", "6A1", "001214000001", ""),
    ("Trần Thị Bình", "17/02/2014", "6A1", "001214000002", "binh.tran@example.com"),
)


def template_csv() -> bytes:
    """The template as CSV (UTF-8 with a byte-order mark, which Excel needs to show Vietnamese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(EXAMPLE_ROWS)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """The template as an Excel workbook: one sheet, the header row, two example rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Danh sách học sinh"
    sheet.append(list(COLUMNS))
    for row in EXAMPLE_ROWS:
        sheet.append(list(row))
    for column, width in zip("ABCDE", (28, 14, 8, 18, 28), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
