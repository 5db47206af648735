"""The yearly summary prints on ONE A4 page, in Chromium's own PDF print (issue 13), even for a
region of nine gemeenten with long names; on screen axe finds nothing and it does not scroll
sideways at 320 px.

Set BALIE_SCREENSHOTS to a folder to keep the printed PDF and screenshots at 360 and 1280 px."""

from __future__ import annotations

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from flask_babel import force_locale
from playwright.sync_api import Page

from balie.services.monitoring.export_heading import export_heading
from balie.services.monitoring.tables import Cell, CellStatus
from balie.services.monitoring.yearly_summary import YearlyFigures, yearly_summary
from tests.browser.audit import page_problems
from tests.browser.screenshots import screenshot_folder

ROOT = Path(__file__).resolve().parents[2]
REGION = (
    "Delft, Leidschendam-Voorburg, Midden-Delfland, Pijnacker-Nootdorp, Rijswijk, 's-Gravenhage, "
    "Wassenaar, Westland, Zoetermeer"
)


def summary_page(app: Flask) -> str:
    figures = YearlyFigures(
        registrations=Cell("12.345", 12345),
        families_with_visit=Cell("2.031", 2031),
        families_one_visit=Cell("1.804", 1804),
        families_two_visits=Cell("x", None, CellStatus.COMPLEMENTARY),
        families_three_visits=Cell("x", None, CellStatus.COMPLEMENTARY),
        families_four_or_more_visits=Cell("< 5", None, CellStatus.SMALL),
        expected_target_group=Cell("1.870,5", 1870.5),
        reach_share=Cell("108,6 %", 108.6, unit="percent"),
        follow_up_arranged=Cell("< 5", None, CellStatus.SMALL),
        no_follow_up_needed=Cell("–", None, CellStatus.NOT_AVAILABLE),
    )
    with app.test_request_context(), force_locale("nl"):
        fragment = app.jinja_env.get_template("monitor/_yearly_summary.html").render(
            summary_tables=yearly_summary(figures, "2025"), summary_heading=export_heading(REGION, "2025")
        )
    styles = (ROOT / "static" / "css" / "balie.css").read_text(encoding="utf-8")
    summary = (ROOT / "static" / "css" / "yearly-summary.css").read_text(encoding="utf-8")
    return (
        f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Jaaroverzicht</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{styles}</style><style>{summary}</style></head>"
        f'<body class="layout--wide"><main class="main container"><h1>Jaaroverzicht</h1>{fragment}</main></body></html>'
    )


def test_the_yearly_summary_prints_on_one_a4_page(app: Flask, page: Page) -> None:
    page.set_content(summary_page(app))
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    folder = screenshot_folder("yearly-summary")
    if folder:
        (folder / "yearly-summary.pdf").write_bytes(pdf)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 680, "height": 1000})  # A4 less 15 mm margins, at 96 dpi
        page.screenshot(path=str(folder / "yearly-summary-print.png"), full_page=True)
        page.emulate_media(media="screen")
    assert pages == 1
    text = page.inner_text("main")
    assert "waarvan met 2 huisbezoeken\tx" in text
    assert "Vervolg geregeld\t< 5" in text


def test_the_yearly_summary_passes_axe_and_does_not_scroll_sideways_on_a_phone(app: Flask, page: Page) -> None:
    folder = screenshot_folder("yearly-summary")
    problems = []
    for width in (320, 360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.set_content(summary_page(app))
        problems += page_problems(page, Axe(), "yearly summary")
        if folder and width != 320:
            page.screenshot(path=str(folder / f"yearly-summary-{width}.png"), full_page=True)
    assert problems == []
