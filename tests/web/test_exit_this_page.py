"""Every parent page has "Exit this page" (a plain link without JavaScript) and a way to the page on
using the desk safely; staff and professional pages do not (issue 10, point 9)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from balie.extensions import db
from tests.conftest import make_app
from tests.support.databases import copy_sqlite
from tests.support.pages import Page
from tests.support.professionals import professional, signed_in

NEUTRAL = "https://weer.example.nl/"
PARENT_PAGES = [
    "/",
    "/aanmelden",
    "/privacy",
    "/toegankelijkheid",
    "/al-geboren",
    "/intrekken",
    "/veilig-gebruiken",
    "/veelgestelde-vragen",
    "/sociale-kaart",
    "/sociale-kaart/wijzer",
]


@pytest.fixture
def neutral_app(sqlite_template_path: Path, tmp_path: Path) -> Iterator[Flask]:
    application = make_app(
        copy_sqlite(sqlite_template_path, tmp_path / "balie.sqlite3"), tmp_path, EXIT_PAGE_URL=NEUTRAL
    )
    yield application
    with application.app_context():
        db.engine.dispose()


def exit_link(page: Page) -> str | None:
    found = re.search(r'<a id="exit-this-page"[^>]*href="([^"]+)"[^>]*>(.*?)</a>', page.html, re.S)
    return found.group(1) if found else None


@pytest.mark.parametrize("path", PARENT_PAGES)
def test_every_parent_page_has_the_exit_button_and_the_safety_link(neutral_app: Flask, path: str) -> None:
    client = neutral_app.test_client()
    client.set_cookie("balie_lang", "en")
    page = Page(client.get(path))
    assert page.status == 200, path
    assert exit_link(page) == NEUTRAL, "a plain link: it works without JavaScript"
    assert "Exit this page" in page.text
    assert 'rel="nofollow noreferrer"' in page.html
    assert 'href="/veilig-gebruiken"' in page.html, "the page on using the desk safely is one tap away"


def test_staff_and_professional_pages_have_no_exit_button(neutral_app: Flask) -> None:
    client = neutral_app.test_client()
    assert exit_link(Page(client.get("/login"))) is None
    pro = signed_in(neutral_app, professional(neutral_app))
    for path in ("/advies", "/advies/samen-aanmelden", "/vraagbaak", "/account"):
        page = Page(pro.get(path))
        assert page.status == 200, path
        assert exit_link(page) is None, path


def test_the_safety_page_gives_veilig_thuis_and_is_honest_about_history(app: Flask) -> None:
    dutch = Page(app.test_client().get("/veilig-gebruiken"))
    assert dutch.title.startswith("Veilig gebruik van deze website")
    said = re.sub(r"\s+([:.,])", r"\1", dutch.text)  # the text as read (tags leave spaces before punctuation)
    assert "Bel Veilig Thuis: 0800-2000. Dat is gratis, dag en nacht" in said
    assert 'href="tel:08002000"' in dutch.html and 'href="tel:112"' in dutch.html
    assert "De knop wist niet wat u eerder deed." in dutch.text
    assert "privévenster" in dutch.text and "geschiedenis van uw browser" in dutch.text
    assert "3 keer snel op de Shift-toets" in dutch.text
