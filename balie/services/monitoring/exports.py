"""The monitor's published tables as files: CSV and XLSX, byte for byte the same for the same tables.

Pure Python (no Flask, no database). Input is only :mod:`balie.services.monitoring.tables`: every
number in it has been through small-cell suppression already, so an export can print nothing the
page does not print. Each cell is written as its published ``Cell.text`` ("23", "< 5", "x", "–").

CSV
---
UTF-8 with a byte order mark and ``;`` between fields, CRLF line ends. A Dutch Excel (and
LibreOffice with Dutch settings) uses the comma as decimal sign and therefore expects ``;`` as list
separator: a comma-separated file opens there as one column. Without the BOM Excel reads the file
as Windows-1252 and garbles "–", "€" and "ï". Python's ``csv`` module quotes a field that holds a
``;``, a quote or a line break, so a reader gets back exactly the texts that were written.

The file starts with a heading block (title, scope, period, the legend of "< 5", "x" and "–", and
the caveat that PHBs the JGZ registers outside the desk are not counted), then every table as a
block: its title, its header row (an empty first field above the row labels), its rows, its note,
and an empty line.

XLSX
----
A first sheet with the same heading block (the legend sheet), then one sheet per table, named after
the table's title (made valid for Excel: at most 31 characters, none of ``[]:*?/\\``, unique
regardless of case). A published cell whose text says its value the way babel writes Dutch numbers
("23", "12.345", "1.870,5", "42%" for a share of 0.42, "€ 16.720,00") is written as that number,
with a format that shows the same text in a Dutch spreadsheet, so it can be summed; every other
cell ("< 5", "x", "–", or a text that does not say its value) is written as text. The file holds
no formulas: every text cell is typed as a string, so "=..." stays text.

Formula injection
-----------------
Labels come from the desk (gemeente and organisation names), but a spreadsheet program runs a cell
that starts with ``=``, ``+``, ``-`` or ``@`` as a formula. In CSV such a text gets a leading
apostrophe (OWASP "CSV injection"); in XLSX it is a string cell, which no spreadsheet evaluates.

Deterministic output
--------------------
The workbook's created/modified properties and every zip entry's time are a fixed moment
(:data:`FIXED_TIMESTAMP`), so the same tables give the same bytes: tests compare them, and a file
made twice tells nobody when it was made.

ODS is not written: it needs a new dependency (odfpy or pyexcel-ods); LibreOffice opens the XLSX.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from balie.services.directory.spreadsheet_files import CSV_DELIMITER, FORMULA_STARTS
from balie.services.monitoring.tables import Cell, CellStatus, Table

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The zip format's first moment: no real time ends up in a file.
FIXED_TIMESTAMP = datetime(1980, 1, 1)
SHEET_NAME_MAX = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# A published number as the page writes it (babel, Dutch): "23", "12.345", "1.870,5", "42%", "16,5 %",
# "€ 16.720,00" (with a no-break space).
_PLAIN_NUMBER = re.compile(
    r"(?P<euro>€\s?)?"
    r"(?P<number>-?(?P<thousands>\d{1,3}(?:\.\d{3})+)?(?(thousands)|\d+)(?:,(?P<decimals>\d+))?)"
    r"(?P<percent>\s?%)?"
)


@dataclass(frozen=True)
class ExportHeading:
    """The translated texts above the tables: what, for whom, when, what the signs mean, what is missing."""

    title: str  # "Monitor prenataal huisbezoek"
    facts: tuple[tuple[str, str], ...]  # (("Gemeenten", "Delft"), ("Periode", "2025"))
    legend_title: str  # the legend sheet's name and the legend's heading: "Toelichting"
    legend: tuple[tuple[str, str], ...]  # (("< 5", "1 tot en met 4 ..."), ("x", "..."), ("–", "..."))
    caveat: str  # "PHB's die de JGZ buiten de balie om registreert, tellen niet mee."


def safe_text(text: str) -> str:
    """A text a spreadsheet program will not run as a formula (for CSV): "=1+1" -> "'=1+1"."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def filename(table_or_name: str, extension: str) -> str:
    """A file name from a table key or name: lower case letters, digits and hyphens only."""
    stem = re.sub(r"[^a-z0-9]+", "-", table_or_name.lower()).strip("-") or "monitor"
    return f"{stem}.{extension}"


# --- CSV ----------------------------------------------------------------------------------------


def _heading_lines(heading: ExportHeading) -> list[list[str]]:
    lines = [[heading.title]]
    lines += [[label, text] for label, text in heading.facts]
    lines.append([heading.legend_title])
    lines += [[sign, meaning] for sign, meaning in heading.legend]
    lines.append([heading.caveat])
    return [[safe_text(text) for text in line] for line in lines]


def _csv_cell(cell: Cell) -> str:
    """A published number as it is ("-3" is a number to a spreadsheet, not a formula); any other text made safe."""
    return cell.text if _number_and_format(cell) is not None else safe_text(cell.text)


def _table_lines(table: Table) -> list[list[str]]:
    lines = [[safe_text(table.title)], ["", *(safe_text(column) for column in table.columns)]]
    lines += [[safe_text(row.label), *(_csv_cell(cell) for cell in row.cells)] for row in table.rows]
    if table.note:
        lines.append([safe_text(table.note)])
    return lines


def to_csv(tables: Sequence[Table], heading: ExportHeading) -> bytes:
    """All tables in one CSV file under the heading block, each table followed by an empty line."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    blocks = [_heading_lines(heading), *(_table_lines(table) for table in tables)]
    for block in blocks:
        writer.writerows(block)
        writer.writerow([])
    return out.getvalue().encode("utf-8-sig")  # the BOM tells Excel it is UTF-8


# --- XLSX ---------------------------------------------------------------------------------------


def sheet_names(titles: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """Valid, unique Excel sheet names for these titles, in order (``taken`` are already in use)."""
    used = {name.casefold() for name in taken}
    names = []
    for title in titles:
        base = _SHEET_NAME_FORBIDDEN.sub(" ", title)
        base = re.sub(r"\s+", " ", base).strip(" '") or "Tabel"
        if base.casefold() == "history":  # reserved by Excel
            base = "History table"
        name, number = base[:SHEET_NAME_MAX].rstrip(" '"), 1
        while name.casefold() in used:
            number += 1
            suffix = f" ({number})"
            name = base[: SHEET_NAME_MAX - len(suffix)].rstrip(" '") + suffix
        used.add(name.casefold())
        names.append(name)
    return names


def _put_text(sheet: Worksheet, row: int, column: int, text: str, bold: bool = False) -> SheetCell:
    cell = sheet.cell(row=row, column=column)
    cell.value = text
    cell.data_type = "s"  # always text: "=..." must not become a formula
    if bold:
        cell.font = Font(bold=True)
    return cell


def _number_and_format(cell: Cell) -> tuple[int | float, str] | None:
    """The number and the Excel format showing exactly ``cell.text``, when it is a published plain number.

    The number is ``cell.value``, the published number; the text must say it, rounded as shown: "42%"
    says 0.4213 (a share) or 42, "1.870,5" says 1870.53, "€ 16.720,00" says 16720.
    """
    if cell.status is not CellStatus.PUBLISHED or cell.value is None or isinstance(cell.value, bool):
        return None
    match = _PLAIN_NUMBER.fullmatch(cell.text.strip())
    if match is None or (match["euro"] and match["percent"]):
        return None
    decimals = len(match["decimals"] or "")
    shown = float(match["number"].replace(".", "").replace(",", "."))
    places = "." + "0" * decimals if decimals else ""
    # Excel shows "," and "." of a format in the reader's locale: "#,##0" is "1.234" in Dutch.
    digits = ("#,##0" if match["thousands"] else "0") + places
    if match["euro"]:
        number_format = '"€ "' + digits
    elif match["percent"]:
        space = " " if match["percent"][0].isspace() else ""
        if _rounds_to(cell.value * 100, shown, decimals) and not _rounds_to(cell.value, shown, decimals):
            return cell.value, digits + space + "%"  # a share (0.42): Excel's own percent format
        number_format = digits + space + '"%"'  # a percentage (42): the sign as a literal
    else:
        number_format = digits
    if not _rounds_to(cell.value, shown, decimals):
        return None  # the text says something else than the value
    return cell.value, number_format


def _rounds_to(value: float, shown: float, decimals: int) -> bool:
    return abs(value - shown) <= 0.5 * 10**-decimals + 1e-9


def _put_cell(sheet: Worksheet, row: int, column: int, cell: Cell) -> None:
    published = _number_and_format(cell)
    if published is None:
        _put_text(sheet, row, column, cell.text)
        return
    target = sheet.cell(row=row, column=column)
    target.value, target.number_format = published


def _write_block(sheet: Worksheet, row: int, lines: Iterable[Sequence[str]], bold_first: bool) -> int:
    for values in lines:
        for column, text in enumerate(values, start=1):
            _put_text(sheet, row, column, text, bold=bold_first and column == 1)
        row += 1
    return row


def _legend_sheet(sheet: Worksheet, heading: ExportHeading) -> None:
    _put_text(sheet, 1, 1, heading.title, bold=True)
    row = _write_block(sheet, 2, heading.facts, bold_first=True)
    _put_text(sheet, row + 1, 1, heading.legend_title, bold=True)
    row = _write_block(sheet, row + 2, heading.legend, bold_first=False)
    _put_text(sheet, row + 1, 1, heading.caveat)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90


def _table_sheet(sheet: Worksheet, table: Table, caveat: str) -> None:
    _put_text(sheet, 1, 1, table.title, bold=True)
    for column, header in enumerate(table.columns, start=2):
        _put_text(sheet, 3, column, header, bold=True)
    for row_number, row in enumerate(table.rows, start=4):
        _put_text(sheet, row_number, 1, row.label)
        for column, cell in enumerate(row.cells, start=2):
            _put_cell(sheet, row_number, column, cell)
    below = 4 + len(table.rows) + 1
    if table.note:
        _put_text(sheet, below, 1, table.note)
        below += 1
    _put_text(sheet, below, 1, caveat)
    sheet.freeze_panes = "B4"
    sheet.column_dimensions["A"].width = max(12, min(50, max((len(row.label) for row in table.rows), default=0) + 2))
    for column, header in enumerate(table.columns, start=2):
        sheet.column_dimensions[sheet.cell(row=3, column=column).column_letter].width = max(
            10, min(30, len(header) + 2)
        )


def to_xlsx(tables: Sequence[Table], heading: ExportHeading) -> bytes:
    """A workbook: the legend sheet first, then one sheet per table, in the order given."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet a new workbook starts with
    legend = workbook.create_sheet(sheet_names([heading.legend_title])[0])
    _legend_sheet(legend, heading)
    for table, name in zip(tables, sheet_names((t.title for t in tables), taken=[legend.title]), strict=True):
        _table_sheet(workbook.create_sheet(name), table, heading.caveat)
    workbook.properties.creator = "Balie"
    workbook.properties.created = workbook.properties.modified = FIXED_TIMESTAMP
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()  # workbook.save() would stamp the time of saving
    return _with_fixed_times(raw.getvalue())


def _with_fixed_times(data: bytes) -> bytes:
    """The same zip with every entry dated :data:`FIXED_TIMESTAMP` (zip entries carry the time written)."""
    out = io.BytesIO()
    stamp = FIXED_TIMESTAMP.timetuple()[:6]
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()
