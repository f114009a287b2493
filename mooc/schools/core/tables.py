"""Roster files as tables: a folder or a .zip into named files, bytes into text (UTF-8, with or
without a byte-order mark), CSV text into rows that remember their line numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from mooc.schools.core.records import N_, Issue, RosterInvalid

# A roster is text: a district's (50,000 pupils) is ~15 MB of CSV. Limits stop a zip bomb.
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_ISSUES = 200


class IssueLog:
    """Collects problems so one run reports many of them, not only the first."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(
        self, file: str, line: int | None, column: str | None, message: str, **params: object
    ) -> None:
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(Issue(file, line, column, message, dict(params)))

    def raise_if_any(self) -> None:
        if self.issues:
            raise RosterInvalid(self.issues)


def files_from_zip(name: str, data: bytes) -> dict[str, bytes]:
    """The CSV files of a .zip, by base name (a single top folder inside the zip is fine)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise RosterInvalid(
            [Issue(name, None, None, N_("This is not a readable .zip file."))]
        ) from None
    files: dict[str, bytes] = {}
    total = 0
    with archive:
        for info in archive.infolist():
            path = PurePosixPath(info.filename)
            if info.is_dir() or path.name.startswith(".") or "__MACOSX" in path.parts:
                continue
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise RosterInvalid([Issue(name, None, None, N_("The .zip file is too large."))])
            files[path.name] = archive.read(info)
    return files


def decode(file: str, data: bytes) -> str:
    """UTF-8 text, with or without a byte-order mark; anything else is refused with a hint."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RosterInvalid(
            [
                Issue(
                    file,
                    line,
                    None,
                    N_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."),
                )
            ]
        ) from None


@dataclass
class Table:
    """A CSV file's header and rows; each row keeps its line number for messages."""

    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    def has(self, column: str) -> bool:
        return column in self.header


def parse_csv(
    file: str,
    text: str,
    required: Iterable[str],
    log: IssueLog,
    *,
    header_map: dict[str, str] | None = None,
) -> Table | None:
    """Rows of a CSV file with a header line. `header_map` renames header cells (used to match
    the spreadsheet's Vietnamese headings leniently). Missing required columns, a row with the
    wrong number of cells or broken quoting are logged; the table is None if unusable."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        raw_header = next(reader)
    except StopIteration:
        log.add(file, 1, None, N_("The file is empty: it needs a header line."))
        return None
    except csv.Error as exc:
        log.add(file, 1, None, N_("Malformed CSV: %(reason)s"), reason=str(exc))
        return None
    header = [cell.strip() for cell in raw_header]
    if header_map is not None:
        header = [header_map.get(cell, cell) for cell in header]
    missing = [column for column in required if column not in header]
    if missing:
        for column in missing:
            log.add(
                file, 1, column, N_("The required column “%(heading)s” is missing."), heading=column
            )
        return None
    table = Table(file, header)
    line = 1
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                log.add(
                    file,
                    line,
                    None,
                    N_("This line has %(found)d cells; the header has %(expected)d."),
                    found=len(cells),
                    expected=len(header),
                )
                continue
            table.rows.append((line, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
    except csv.Error as exc:
        log.add(file, line + 1, None, N_("Malformed CSV: %(reason)s"), reason=str(exc))
        return None
    return table
