"""Spreadsheets in tests: read the file an editor downloads and change it as she would, with openpyxl."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook


def sheet_rows(data: bytes) -> list[list[str]]:
    """Every row of the first sheet, as text ('' for an empty cell)."""
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def edited(data: bytes, changes: dict[tuple[str, str], Any], rows: list[list[Any]] | None = None) -> bytes:
    """The workbook with cells changed, by (offer id, column name); ``rows`` are added at the end.

    A value starting with "=" becomes a formula, as when she types one."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    by_id = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    for (service_id, column), value in changes.items():
        by_id[service_id][header.index(column)].value = value
    for row in rows or []:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def cell_of(data: bytes, service_id: str, column: str) -> str:
    rows = sheet_rows(data)
    row_number = next(i for i, row in enumerate(rows, start=1) if row[0] == service_id)
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rows[0].index(column)]
    return f"{letter}{row_number}"
