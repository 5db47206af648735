"""Spreadsheet files (XLSX and CSV) as plain tables of text: written for download, read on upload.

Reading refuses what it cannot trust instead of guessing: a file that is not what its name says,
a sheet too long, and formula cells (the desk never evaluates a formula: what the editor sees in
her spreadsheet program may not be what the file holds). Problems are codes with the cell they
concern; the web layer words them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

XLSX = "xlsx"
CSV = "csv"
FORMATS = (XLSX, CSV)
ZIP_MAGIC = b"PK\x03\x04"
CSV_DELIMITER = ";"  # what a Dutch spreadsheet program writes and expects
# A text starting with one of these is a formula to a spreadsheet program: a CSV cell gets a
# leading apostrophe on download (OWASP "CSV injection"), which reading takes off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_COLUMNS = 60


@dataclass(frozen=True)
class Problem:
    """What is wrong, where: row and column 0 mean the whole file or the whole row."""

    code: str
    row: int = 0
    column: int = 0
    value: str = ""

    @property
    def cell(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}" if self.row and self.column else ""

    @property
    def column_letter(self) -> str:
        return get_column_letter(self.column) if self.column else ""


@dataclass
class Table:
    """The header row and the data rows (with their row number in the sheet) as text."""

    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class FileRefused(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.code)


def write(file_format: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    return _write_xlsx(header, rows) if file_format == XLSX else _write_csv(header, rows)


def _write_xlsx(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.create_sheet("Sociale kaart", 0)
    workbook.remove(workbook.worksheets[1])  # the empty sheet a new workbook starts with
    for row_number, values in enumerate([header, *rows], start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column)
            cell.value = value
            cell.data_type = "s"  # always text: a value starting with "=" must not become a formula
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    for column, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(12, min(50, len(name) + 4))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv_safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _write_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_csv_safe(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM tells spreadsheet programs it is UTF-8


def read(file_format: str, data: bytes, max_rows: int) -> Table:
    """The file as a table of text; raises FileRefused when it cannot be read at all."""
    table = _read_xlsx(data, max_rows) if file_format == XLSX else _read_csv(data, max_rows)
    if not table.header:
        raise FileRefused(Problem("empty"))
    return table


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes, max_rows: int) -> Table:
    if not data.startswith(ZIP_MAGIC):
        raise FileRefused(Problem("not_xlsx"))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise FileRefused(Problem("not_xlsx")) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileRefused(Problem("empty"))
        return _table(sheet.iter_rows(max_col=MAX_COLUMNS), max_rows)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):  # a broken sheet inside a valid zip
        raise FileRefused(Problem("not_xlsx")) from None
    finally:
        workbook.close()


def _table(cells: Iterable[Sequence[Any]], max_rows: int) -> Table:
    table = Table()
    for row_number, row in enumerate(cells, start=1):
        values = []
        for column, cell in enumerate(row, start=1):
            if getattr(cell, "data_type", "") == "f":
                table.problems.append(Problem("formula", row_number, column))
                values.append("")
            else:
                values.append(_text(getattr(cell, "value", cell)))
        if row_number == 1:
            table.header = [v.casefold() for v in values]
            while table.header and not table.header[-1]:
                table.header.pop()
            continue
        if not any(values):
            continue
        if len(table.rows) >= max_rows:
            raise FileRefused(Problem("too_many_rows", value=str(max_rows)))
        table.rows.append((row_number, values))
    return table


def _read_csv(data: bytes, max_rows: int) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # what older spreadsheet programs write
    if "\x00" in text:
        raise FileRefused(Problem("not_csv"))
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        rows = [[_csv_value(v) for v in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error:
        raise FileRefused(Problem("not_csv")) from None
    return _table(rows, max_rows)


def _csv_value(value: str) -> str:
    value = value.strip()
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value
