"""The monitor's downloads and yearly summary, as a monitor gets them (issue 13).

The same hand-counted history as tests/web/test_monitor_pages.py (Delft, first quarter of 2026: 10
registrations, 5 with contact and one visit each, no follow-up needed; June: 5; with the small month
also May: 1). A download
holds exactly the texts of the page's tables, with the same hidden numbers, and is written to the
access log like a view.
"""

from __future__ import annotations

import csv
import io

from flask import Flask
from openpyxl import load_workbook

from balie.domain import roles
from balie.services.accounts.lifecycle import Grant
from tests.support.accounts import login, make_user
from tests.support.monitoring import DELFT
from tests.support.pages import Page
from tests.web.test_monitor_pages import (  # noqa: F401 - monitors is a fixture
    CAVEAT,
    Monitors,
    cells,
    log_rows,
    make_history,
    monitors,
)

Q1 = {"gemeente": "GM0503", "period": "2026-Q1"}


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode()), "UTF-8 with a BOM, so Excel reads the accents"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_holds_the_page_tables_with_the_caveat(app: Flask, monitors: Monitors) -> None:
    client = app.test_client()
    login(client, monitors.delft)
    page = Page(client.get("/monitor", query_string=Q1))

    response = client.get("/monitor/export.csv", query_string=Q1)

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="monitor-gm0503-2026-q1.csv"'
    rows = _csv_rows(response.data)
    assert [CAVEAT] in rows
    funnel = cells(page, "funnel")
    for label in ("Aanmeldingen", "Contact gelegd", "Gezinnen met een bezoek", "Geen vervolg nodig"):
        assert [label, *funnel[label]] in rows
    assert ["Aanmeldingen", "10"] in rows
    assert 'href="/monitor/export.csv?gemeente=GM0503&amp;period=2026-Q1"' in page.html


def test_the_excel_file_has_a_sheet_per_table_with_the_same_numbers(app: Flask, monitors: Monitors) -> None:
    client = app.test_client()
    login(client, monitors.delft)

    response = client.get("/monitor/export.xlsx", query_string=Q1)

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    values = [tuple(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
    assert ("Aanmeldingen", 10) in values
    assert ("Gezinnen met een bezoek", 5) in values
    assert any(CAVEAT in (cell or "") for row in values for cell in row if isinstance(cell, str))


def test_a_small_month_downloads_widened_like_the_page(app: Flask) -> None:
    make_history(app, small_month=True)
    monitor = make_user(
        app, "beleid@delft.example", [Grant(roles.GEMEENTE_MONITOR, municipality_code=DELFT)], totp=False
    )
    client = app.test_client()
    login(client, monitor)

    response = client.get("/monitor/export.csv", query_string={"gemeente": "GM0503", "period": "2026-05"})

    assert response.headers["Content-Disposition"] == 'attachment; filename="monitor-gm0503-2026-q2.csv"'
    rows = _csv_rows(response.data)
    assert ["Aanmeldingen", "6"] in rows  # May (1) widened to the second quarter (1 + 5)
    assert not any(row[:2] == ["Aanmeldingen", "1"] for row in rows)


def test_downloads_are_in_the_access_log_and_another_gemeente_is_not_there(app: Flask, monitors: Monitors) -> None:
    client = app.test_client()
    login(client, monitors.den_haag)

    assert (
        client.get("/monitor/export.xlsx", query_string={"gemeente": "GM0518", "period": "2026-03"}).status_code == 200
    )
    assert client.get("/monitor/export.csv", query_string=Q1).status_code == 404
    assert client.get("/monitor/export.pdf", query_string={"gemeente": "GM0518"}).status_code == 404

    rows = log_rows(app)
    assert ("GM0518/2026-03", "success", "gemeente_monitor", "export-xlsx show") in rows
    assert ("GM0503/2026-Q1", "denied", "gemeente_monitor", None) in rows


def test_the_yearly_summary_picks_the_published_figures_of_the_year(app: Flask, monitors: Monitors) -> None:
    client = app.test_client()
    login(client, monitors.delft)
    year = Page(client.get("/monitor", query_string={"gemeente": "GM0503", "period": "2026"}))
    assert 'href="/monitor/jaaroverzicht?gemeente=GM0503&amp;period=2026"' in year.html

    page = Page(client.get("/monitor/jaaroverzicht", query_string={"gemeente": "GM0503", "period": "2026"}))

    assert page.status == 200
    text = " ".join(page.text.split())
    assert "Aanmeldingen ontvangen 15" in text  # March 10, June 5
    assert "Gehouden PHB's: gezinnen met minstens één huisbezoek 5" in text
    assert "waarvan met 1 huisbezoek 5" in text
    assert CAVEAT in text


def test_the_yearly_summary_is_for_a_year_only(app: Flask, monitors: Monitors) -> None:
    client = app.test_client()
    login(client, monitors.delft)

    assert client.get("/monitor/jaaroverzicht", query_string=Q1).status_code == 404
    quarter = Page(client.get("/monitor", query_string=Q1))
    assert "/monitor/jaaroverzicht" not in quarter.html
