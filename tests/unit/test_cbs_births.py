"""Live births from a CBS StatLine export of table 37230ned (issue 13): what the monitor reads back.

The sample file (tests/data/cbs-37230ned, made-up numbers) is counted by hand in tests/data/README.md.
A file with any problem is reported row by row, in words a monitor understands.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale

from balie.services.monitoring import cbs_births
from balie.services.monitoring.scope import MonitorScope
from balie.web.labels import births_file_problem

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "cbs-37230ned" / "37230ned_made_up_numbers.csv"
REGION = frozenset({"GM0503", "GM0518", "GM0603", "GM0629", "GM0637", "GM1783", "GM1842", "GM1916", "GM1926"})
KNOWN = REGION | {"GM0363"}
HEADER = '"ID";"RegioS";"Perioden";"LevendGeborenKinderen_2"\r\n'
MAX_BYTES = 2 * 1024 * 1024


def read(data: bytes, scope: frozenset[str] = REGION, this_year: int = 2025) -> cbs_births.BirthsFile:
    return cbs_births.read(data, KNOWN, MonitorScope(scope), this_year, MAX_BYTES)


def rows(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\r\n" for line in lines)).encode()


def said(app: Flask, found: cbs_births.BirthsFile, language: str = "en") -> list[str]:
    with app.app_context(), force_locale(language):
        return [births_file_problem(p.code, p.row, p.value) for p in found.problems]


def test_the_sample_export_gives_a_years_births_per_gemeente() -> None:
    found = read(SAMPLE.read_bytes())
    assert found.ok, found.problems
    # Delft: twelve months 85 + 78 + … + 83 = 1029; Den Haag: CBS's year total 6012, not its two months.
    assert found.births == {("GM0503", 2024): 1029, ("GM0518", 2024): 6012}
    assert found.incomplete == [("GM0603", 2025, 9)]  # nine months, no total: not stored
    assert found.outside_scope == ["GM0363"]  # Amsterdam is in the file, not in the region


def test_only_the_importers_own_gemeenten_are_taken() -> None:
    found = read(SAMPLE.read_bytes(), scope=frozenset({"GM0503"}))
    assert found.births == {("GM0503", 2024): 1029}
    assert found.outside_scope == ["GM0363", "GM0518", "GM0603"]


def test_statlines_own_csv_headers_and_plain_values_are_read_too() -> None:
    data = (
        "Regio's,Perioden,Levend geboren kinderen (aantal)\n"
        + "".join(f"GM0637,2023MM{month:02d},{100 + month}\n" for month in range(1, 13))
    ).encode("utf-8-sig")
    # 101 + 102 + … + 112 = 12 × 100 + 78 = 1278
    assert read(data).births == {("GM0637", 2023): 1278}


def test_an_unknown_gemeente_is_named_with_its_row(app: Flask) -> None:
    found = read(
        rows(*[f'"{n}";"GM0503    ";"2024MM0{n}";"80"' for n in range(1, 6)], '"6";"GM9999    ";"2024JJ00";"80"')
    )
    assert not found.ok
    assert said(app, found) == ["Row 7: unknown gemeente GM9999."]
    assert said(app, found, "nl") == ["Rij 7: onbekende gemeente GM9999."]


@pytest.mark.parametrize(
    "data, expected",
    [
        (
            b'"ID";"RegioS";"Perioden";"Bevolking_1"\r\n"0";"GM0503";"2024JJ00";"1"\r\n',
            [
                "Row 1: the column “Levend geboren kinderen” is missing. Export table 37230ned with its regions, "
                "periods and the topic Levend geboren kinderen."
            ],
        ),
        (rows('"0";"GM0503";"2024JJ00";"veel"'), ["Row 2: “veel” is not a number of live births."]),
        (rows('"0";"GM0503";"2024JJ00";"-5"'), ["Row 2: “-5” is not a number of live births."]),
        (
            rows('"0";"GM0503";"2024JJ00";"900"', '"1";"GM0503";"2024JJ00";"901"'),
            ["Row 3: the same gemeente and period as row 2. Keep one of them."],
        ),
        (
            rows('"0";"Delft";"2024JJ00";"900"'),
            ["Row 2: “Delft” is not a CBS region code like GM0518. Export the table with codes, not names."],
        ),
        (
            rows('"0";"GM0503";"2024 januari";"80"'),
            ["Row 2: “2024 januari” is not a CBS period like 2023MM01 or 2023JJ00."],
        ),
        (rows('"0";"GM0503";"1999JJ00";"900"'), ["Row 2: the year 1999 is before 2000 or has not begun yet."]),
        (rows('"0";"GM0503";"2026JJ00";"900"'), ["Row 2: the year 2026 is before 2000 or has not begun yet."]),
        (
            rows('"0";"GM0503";"2024JJ00";"25000"'),
            ["Row 2: the live births in a year (GM0503, 2024: 25000) cannot be right."],
        ),
        (b"", ["The file is empty: the first row must hold the column names."]),
        (
            b"PK\x03\x04\x00\x00binary",
            ["This file cannot be read as CSV. Download table 37230ned from CBS StatLine as CSV."],
        ),
        (b"x" * (MAX_BYTES + 1), ["The file is larger than 2 MB. Choose fewer gemeenten or periods in StatLine."]),
    ],
)
def test_a_wrong_file_says_what_is_wrong_and_gives_no_births(app: Flask, data: bytes, expected: list[str]) -> None:
    found = read(data)
    assert not found.ok
    assert said(app, found) == expected


def test_every_problem_in_a_file_is_listed_in_row_order(app: Flask) -> None:
    found = read(rows('"0";"GM0503";"2024JJ00";"abc"', '"1";"GM0518";"2024JJ00";"6000"', '"2";"GM9999";"2024JJ00";"5"'))
    assert [(p.row, p.code) for p in found.problems] == [(2, "not_a_number"), (4, "unknown_gemeente")]
    with_all = said(app, found, "nl")
    assert with_all == ["Rij 2: ‘abc’ is geen aantal levend geborenen.", "Rij 4: onbekende gemeente GM9999."]
