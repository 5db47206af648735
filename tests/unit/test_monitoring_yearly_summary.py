"""The yearly summary picks published cells (never counts), shows "< 5" and "x" where they are hidden,
and prints on one page with the caveat and the legend, in Dutch."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask
from flask_babel import force_locale

from balie.services.monitoring.export_heading import export_heading
from balie.services.monitoring.exports import to_csv
from balie.services.monitoring.tables import Cell, CellStatus, Row, Table
from balie.services.monitoring.yearly_summary import CellAddress, MissingCell, figures_from, pick, yearly_summary

SMALL = Cell("< 5", None, CellStatus.SMALL)
SECRET = Cell("x", None, CellStatus.COMPLEMENTARY)

# Published tables as a page of one gemeente for 2025 might hold them (hand-made).
FUNNEL = Table(
    key="funnel",
    title="Van aanmelding tot vervolg",
    columns=("2025-H1", "2025-H2", "2025"),
    rows=(
        Row("registrations", "Aanmeldingen", (Cell("40", 40), Cell("31", 31), Cell("71", 71))),
        Row("families-with-visit", "Gezinnen met een huisbezoek", (Cell("30", 30), Cell("22", 22), Cell("52", 52))),
        Row("follow-up", "Vervolg geregeld", (SMALL, Cell("6", 6), Cell("9", 9))),
        Row("no-follow-up", "Geen vervolg nodig", (Cell("27", 27), SECRET, SMALL)),
    ),
)
VISITS = Table(
    key="visits",
    title="Gezinnen met een huisbezoek, naar aantal bezoeken",
    columns=("Aantal", "Aandeel"),
    rows=(
        Row("1", "1 bezoek", (Cell("40", 40), Cell("77%", 0.77, unit="percent"))),
        Row("2", "2 bezoeken", (SECRET, SECRET)),
        Row("3", "3 bezoeken", (SMALL, SMALL)),
        Row("4_or_more", "4 of meer", (Cell("0", 0), Cell("0%", 0.0, unit="percent"))),
    ),
)
REACH = Table(
    key="reach",
    title="Bereik",
    columns=("2024", "2025"),
    rows=(
        Row("expected", "Verwachte doelgroep", (Cell("160", 160), Cell("171", 171))),
        Row("share", "Bereik", (Cell("29,0 %", 29.0, unit="percent"), Cell("30,4 %", 30.4, unit="percent"))),
    ),
)
TABLES = (FUNNEL, VISITS, REACH)
ADDRESSES = {
    "registrations": CellAddress("funnel", "registrations", 2),
    "families_with_visit": CellAddress("funnel", "families-with-visit", 2),
    "families_one_visit": CellAddress("visits", "1"),
    "families_two_visits": CellAddress("visits", "2"),
    "families_three_visits": CellAddress("visits", "3"),
    "families_four_or_more_visits": CellAddress("visits", "4_or_more"),
    "expected_target_group": CellAddress("reach", "expected", 1),
    "reach_share": CellAddress("reach", "share", 1),
    "follow_up_arranged": CellAddress("funnel", "follow-up", 2),
    "no_follow_up_needed": CellAddress("funnel", "no-follow-up", 2),
}


def test_pick_finds_the_published_cell_and_names_a_wrong_address() -> None:
    assert pick(TABLES, CellAddress("reach", "share", 1)).text == "30,4 %"
    with pytest.raises(MissingCell, match="reach/share/2"):
        pick(TABLES, CellAddress("reach", "share", 2))
    with pytest.raises(MissingCell, match="no address for families_two_visits"):
        figures_from(TABLES, {k: v for k, v in ADDRESSES.items() if k != "families_two_visits"})


def summary_rows(app: Flask) -> list[tuple[str, str, str]]:
    with app.test_request_context(), force_locale("nl"):
        tables = yearly_summary(figures_from(TABLES, ADDRESSES), "2025")
    return [(table.title, row.label, row.cells[0].text) for table in tables for row in table.rows]


def test_the_summary_shows_the_years_published_figures_and_hidden_ones_as_hidden(app: Flask) -> None:
    assert summary_rows(app) == [
        ("Aanmeldingen en huisbezoeken", "Aanmeldingen ontvangen", "71"),
        ("Aanmeldingen en huisbezoeken", "Gehouden PHB's: gezinnen met minstens één huisbezoek", "52"),
        ("Aanmeldingen en huisbezoeken", "waarvan met 1 huisbezoek", "40"),
        ("Aanmeldingen en huisbezoeken", "waarvan met 2 huisbezoeken", "x"),
        ("Aanmeldingen en huisbezoeken", "waarvan met 3 huisbezoeken", "< 5"),
        ("Aanmeldingen en huisbezoeken", "waarvan met 4 of meer huisbezoeken", "0"),
        ("Bereik", "Gezinnen met minstens één huisbezoek", "52"),
        ("Bereik", "Verwachte doelgroep (levend geborenen × financieringsnorm)", "171"),
        ("Bereik", "Bereikte gezinnen, als deel van de verwachte doelgroep", "30,4 %"),
        ("Vervolg", "Vervolg geregeld", "9"),
        ("Vervolg", "Geen vervolg nodig", "< 5"),
    ]


def test_a_hidden_figure_stays_without_a_number_in_the_summary(app: Flask) -> None:
    with app.test_request_context(), force_locale("nl"):
        tables = yearly_summary(figures_from(TABLES, ADDRESSES), "2025")
    hidden = [cell for table in tables for row in table.rows for cell in row.cells if cell.text in ("< 5", "x")]
    assert len(hidden) == 3 and all(cell.value is None for cell in hidden)


def test_the_heading_names_scope_period_legend_and_caveat_in_dutch(app: Flask) -> None:
    with app.test_request_context(), force_locale("nl"):
        heading = export_heading("Delft", "2025")
    assert heading.title == "Prenataal huisbezoek: cijfers uit de balie"
    assert heading.facts == (("Gemeenten", "Delft"), ("Periode", "2025"))
    assert [sign for sign, _meaning in heading.legend] == ["< 5", "x", "–"]
    assert heading.legend[0][1].startswith("1 tot en met 4")
    assert heading.caveat == "PHB's die de JGZ buiten de balie om registreert, tellen niet mee."


def test_the_summary_exports_as_csv_with_the_same_texts(app: Flask) -> None:
    with app.test_request_context(), force_locale("nl"):
        tables = yearly_summary(figures_from(TABLES, ADDRESSES), "2025")
        data = to_csv(tables, export_heading("Delft", "2025"))
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert ["Aanmeldingen ontvangen", "71"] in lines
    assert ["Geen vervolg nodig", "< 5"] in lines
    assert ["PHB's die de JGZ buiten de balie om registreert, tellen niet mee."] in lines


def test_the_printable_fragment_shows_every_figure_as_published(app: Flask) -> None:
    with app.test_request_context(), force_locale("nl"):
        tables = yearly_summary(figures_from(TABLES, ADDRESSES), "2025")
        html = app.jinja_env.get_template("monitor/_yearly_summary.html").render(
            summary_tables=tables, summary_heading=export_heading("Delft", "2025")
        )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&lt;", "<").replace("&#39;", "'")
    assert "Aanmeldingen ontvangen 71" in text
    assert "waarvan met 2 huisbezoeken x" in text
    assert "Geen vervolg nodig < 5" in text
    assert "Let op: PHB's die de JGZ buiten de balie om registreert, tellen niet mee." in text
    assert "< 5 1 tot en met 4: een klein aantal laten we niet zien" in text
    assert html.count("<table") == 3 and html.count('<th scope="row">') == 11
