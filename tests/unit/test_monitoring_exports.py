"""The monitor's CSV and XLSX exports, read back as a gemeente's spreadsheet program would read them.

Hand-made published tables (the shape of balie.services.monitoring.tables): what the page shows is
what the file holds, a hidden figure stays "< 5" or "x" text, labels cannot run as formulas, and the
same tables give the same bytes.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from balie.services.monitoring.exports import (
    FIXED_TIMESTAMP,
    ExportHeading,
    filename,
    safe_text,
    sheet_names,
    to_csv,
    to_xlsx,
)
from balie.services.monitoring.tables import Cell, CellStatus, Row, Table

SMALL = Cell("< 5", None, CellStatus.SMALL)
SECRET = Cell("x", None, CellStatus.COMPLEMENTARY)
MISSING = Cell("–", None, CellStatus.NOT_AVAILABLE)

ROUTES = Table(
    key="funnel-routes",
    title="Aanmeldingen per route",
    columns=("2025-Q1", "2025-Q2", "Aandeel 2025"),
    rows=(
        Row("self", "Zelf aangemeld", (Cell("23", 23), Cell("17", 17), Cell("52,4 %", 52.4, unit="percent"))),
        Row("code", "Met een adviescode", (SMALL, Cell("9", 9), SECRET)),
        Row("midwife", '=HYPERLINK("http://x.invalid")', (Cell("6", 6), SECRET, Cell("15,5 %", 15.5, unit="percent"))),
        Row("gp", "-huisarts", (Cell("0", 0), SMALL, SMALL)),
        Row("total", "Totaal", (Cell("1234", 1234), Cell("41", 41), Cell("100 %", 100, unit="percent"))),
    ),
    note="Alleen aanmeldingen via de balie.",
)
REACH = Table(
    key="reach",
    title="Bereik: gezinnen met een huisbezoek tegen de verwachte doelgroep",  # longer than 31 characters
    columns=("GM0503", "GM0518"),
    rows=(
        Row("families", "Gezinnen met een huisbezoek", (Cell("88", 88), SMALL)),
        Row("expected", "Verwachte doelgroep", (Cell("171", 171), MISSING)),
        Row("amount", "Bedrag", (Cell("€\u00a016.720,00", 16720, unit="euro"), SECRET)),
        Row("share", "Aandeel", (Cell("51%", 0.5123, unit="percent"), SECRET)),
        Row("odd", "Tekst en getal verschillen", (Cell("51 %", 0.6, unit="percent"), SECRET)),
    ),
)
HEADING = ExportHeading(
    title="Prenataal huisbezoek: cijfers uit de balie",
    facts=(("Gemeenten", "Delft; Rijswijk"), ("Periode", "2025")),
    legend_title="Toelichting",
    legend=(("< 5", "1 tot en met 4"), ("x", "niet getoond"), ("–", "geen cijfer")),
    caveat="PHB's die de JGZ buiten de balie om registreert, tellen niet mee.",
)


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads UTF-8"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline=""), delimiter=";"))


def test_the_csv_holds_the_heading_and_every_table_as_the_page_shows_it() -> None:
    lines = read_csv(to_csv([ROUTES, REACH], HEADING))

    assert lines[:9] == [
        ["Prenataal huisbezoek: cijfers uit de balie"],
        ["Gemeenten", "Delft; Rijswijk"],  # a ';' in a text is quoted, not a column break
        ["Periode", "2025"],
        ["Toelichting"],
        ["< 5", "1 tot en met 4"],
        ["x", "niet getoond"],
        ["–", "geen cijfer"],
        ["PHB's die de JGZ buiten de balie om registreert, tellen niet mee."],
        [],
    ]
    assert lines[9:19] == [
        ["Aanmeldingen per route"],
        ["", "2025-Q1", "2025-Q2", "Aandeel 2025"],
        ["Zelf aangemeld", "23", "17", "52,4 %"],
        ["Met een adviescode", "< 5", "9", "x"],
        ['\'=HYPERLINK("http://x.invalid")', "6", "x", "15,5 %"],
        ["'-huisarts", "0", "< 5", "< 5"],
        ["Totaal", "1234", "41", "100 %"],
        ["Alleen aanmeldingen via de balie."],
        [],
        ["Bereik: gezinnen met een huisbezoek tegen de verwachte doelgroep"],
    ]
    assert lines[20:26] == [
        ["Gezinnen met een huisbezoek", "88", "< 5"],
        ["Verwachte doelgroep", "171", "–"],
        ["Bedrag", "€\u00a016.720,00", "x"],
        ["Aandeel", "51%", "x"],
        ["Tekst en getal verschillen", "51 %", "x"],
        [],
    ]


def test_the_csv_is_semicolon_separated_with_crlf_lines() -> None:
    data = to_csv([ROUTES], HEADING)
    assert b"Zelf aangemeld;23;17;52,4 %\r\n" in data


def test_in_csv_a_published_negative_number_stays_a_number_and_any_other_text_is_made_safe() -> None:
    table = Table(
        "change",
        "-Verschil",
        ("+jaar",),
        (Row("a", "Delft", (Cell("-3", -3),)), Row("b", "@Rijswijk", (Cell("-x", None, CellStatus.COMPLEMENTARY),))),
        note="=noot",
    )
    heading = ExportHeading("=titel", (("+", "-"),), "@legenda", (("=", "+"),), "-let op")
    lines = read_csv(to_csv([table], heading))
    assert lines == [
        ["'=titel"],
        ["'+", "'-"],
        ["'@legenda"],
        ["'=", "'+"],
        ["'-let op"],
        [],
        ["'-Verschil"],
        ["", "'+jaar"],
        ["Delft", "-3"],
        ["'@Rijswijk", "'-x"],
        ["'=noot"],
        [],
    ]


@pytest.mark.parametrize("text", ["=1+1", "+31 6", "-2", "@SUM(A1)", "\tx", "\r=1"])
def test_a_text_a_spreadsheet_would_run_gets_an_apostrophe(text: str) -> None:
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Delft", "< 5", "x", "–", "'s-Gravenhage", "2025-Q1"])
def test_ordinary_texts_are_left_alone(text: str) -> None:
    assert safe_text(text) == text


def table_sheet_values(data: bytes, index: int) -> list[tuple[object, ...]]:
    workbook = load_workbook(io.BytesIO(data))
    return [tuple(row) for row in workbook.worksheets[index].iter_rows(values_only=True)]


def test_the_workbook_has_a_legend_sheet_then_one_sheet_per_table_with_valid_names() -> None:
    workbook = load_workbook(io.BytesIO(to_xlsx([ROUTES, REACH, ROUTES], HEADING)))

    assert workbook.sheetnames == [
        "Toelichting",
        "Aanmeldingen per route",
        "Bereik gezinnen met een huisbez",  # ':' removed, cut to 31 characters
        "Aanmeldingen per route (2)",
    ]
    assert all(len(name) <= 31 for name in workbook.sheetnames)
    legend = [tuple(row) for row in workbook["Toelichting"].iter_rows(values_only=True)]
    assert ("Gemeenten", "Delft; Rijswijk") in legend
    assert ("< 5", "1 tot en met 4") in legend
    assert ("x", "niet getoond") in legend
    assert ("PHB's die de JGZ buiten de balie om registreert, tellen niet mee.", None) in legend


def test_published_plain_numbers_are_numbers_and_everything_hidden_is_text() -> None:
    rows = table_sheet_values(to_xlsx([ROUTES], HEADING), 1)

    assert rows[0][0] == "Aanmeldingen per route"
    assert rows[2] == (None, "2025-Q1", "2025-Q2", "Aandeel 2025")
    assert rows[3] == ("Zelf aangemeld", 23, 17, 52.4)
    assert rows[4] == ("Met een adviescode", "< 5", 9, "x")
    assert rows[5] == ('=HYPERLINK("http://x.invalid")', 6, "x", 15.5)
    assert rows[6] == ("-huisarts", 0, "< 5", "< 5")
    assert rows[7] == ("Totaal", 1234, 41, 100)
    assert rows[9][0] == "Alleen aanmeldingen via de balie."
    assert rows[10][0] == "PHB's die de JGZ buiten de balie om registreert, tellen niet mee."


def test_a_number_is_formatted_to_show_the_page_text() -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx([ROUTES], HEADING))).worksheets[1]
    assert sheet["B4"].number_format == "0"  # 23
    assert sheet["D4"].number_format == '0.0 "%"'  # 52,4 %
    assert sheet["D8"].number_format == '0 "%"'  # 100 %


@pytest.mark.parametrize(
    ("text", "value", "number_format"),
    [
        ("7", 7, "0"),
        ("1234", 1234, "0"),
        ("12.345", 12345, "#,##0"),
        ("1.234,5", 1234.5, "#,##0.0"),
        ("16,50", 16.5, "0.00"),
        ("16,5%", 16.5, '0.0"%"'),
        ("42%", 0.4213, "0%"),  # babel's format_percent of a share: Excel's own percent format
        ("4,2 %", 0.042, "0.0 %"),
        ("1.870,5", 1870.53, "#,##0.0"),  # the published value, shown rounded as on the page
        ("€\u00a016.720,00", 16720, '"€ "#,##0.00'),
        ("€ -3,50", -3.5, '"€ "0.00'),
    ],
)
def test_a_published_dutch_number_is_a_number_that_shows_the_same_text(
    text: str, value: float, number_format: str
) -> None:
    table = Table("t", "T", ("2025",), (Row("a", "A", (Cell(text, value),)),))
    cell = load_workbook(io.BytesIO(to_xlsx([table], HEADING))).worksheets[1]["B4"]
    assert (cell.value, cell.number_format) == (value, number_format)


@pytest.mark.parametrize(
    ("text", "value"),
    [("12.34", 1234), ("1.2345", 12345), ("12,3", 12.4), ("1.234", 1.234), ("42%", 0.5), ("€ 3%", 3), ("3 dagen", 3)],
)
def test_a_text_that_does_not_say_its_value_stays_text(text: str, value: float) -> None:
    table = Table("t", "T", ("2025",), (Row("a", "A", (Cell(text, value),)),))
    cell = load_workbook(io.BytesIO(to_xlsx([table], HEADING))).worksheets[1]["B4"]
    assert (cell.value, cell.data_type) == (text, "s")


def test_amounts_and_shares_are_numbers_and_a_text_that_is_not_its_value_stays_the_page_text() -> None:
    rows = table_sheet_values(to_xlsx([REACH], HEADING), 1)
    assert rows[3:8] == [
        ("Gezinnen met een huisbezoek", 88, "< 5"),
        ("Verwachte doelgroep", 171, "–"),
        ("Bedrag", 16720, "x"),
        ("Aandeel", 0.5123, "x"),
        ("Tekst en getal verschillen", "51 %", "x"),
    ]


def test_no_hidden_cell_holds_a_number_anywhere_in_the_workbook_file() -> None:
    """Not only the value read back: the sheet XML holds no number where "< 5" or "x" is shown."""
    data = to_xlsx([ROUTES, REACH], HEADING)
    for index in (1, 2):
        sheet = load_workbook(io.BytesIO(data)).worksheets[index]
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value in ("< 5", "x", "–"):
                    assert cell.data_type == "s"


def test_the_workbook_holds_no_formula_even_for_a_label_that_looks_like_one() -> None:
    data = to_xlsx([ROUTES], HEADING)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")]
    assert sheets and not any(re.search(r"<f[ >]", xml) for xml in sheets)
    sheet = load_workbook(io.BytesIO(data)).worksheets[1]
    assert sheet["A6"].value == '=HYPERLINK("http://x.invalid")'
    assert sheet["A6"].data_type == "s"


def test_the_same_tables_give_the_same_bytes_without_a_time_of_making() -> None:
    first, second = to_xlsx([ROUTES, REACH], HEADING), to_xlsx([ROUTES, REACH], HEADING)
    assert first == second
    assert to_csv([ROUTES, REACH], HEADING) == to_csv([ROUTES, REACH], HEADING)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    properties = load_workbook(io.BytesIO(first)).properties
    assert properties.created == properties.modified == FIXED_TIMESTAMP
    assert to_xlsx([ROUTES], HEADING) != first  # and it does depend on the tables


def test_sheet_names_are_valid_and_unique_regardless_of_case() -> None:
    names = sheet_names(["A/B", "a b", "[x]:*?", "'quoted'", "History", "", "y" * 40, "Y" * 40], taken=["Toelichting"])
    assert names == ["A B", "a b (2)", "x", "quoted", "History table", "Tabel", "y" * 31, "Y" * 27 + " (2)"]


def test_a_file_name_is_made_of_the_table_key() -> None:
    assert filename("funnel-routes", "csv") == "funnel-routes.csv"
    assert filename("Bereik: 2025/Q1", "xlsx") == "bereik-2025-q1.xlsx"
