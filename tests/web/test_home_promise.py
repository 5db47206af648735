"""The home page promises the conversation as each organisation offers it (issue 10, point 14): the
law ties it to a reason, so the default is honest and without "kwetsbaar"; an organisation that
offers it to everyone says so in its sociale kaart entry (target_group)."""

from __future__ import annotations

import re

from flask import Flask

from tests.support.pages import Page


def organisation_item(page: Page, organisation: str) -> str:
    found = re.search(rf"<li>\s*<strong>[^<]*</strong> – {re.escape(organisation)}(.*?)</li>", page.html, re.S)
    assert found, organisation
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_the_promise_is_per_organisation_with_an_honest_default(app: Flask) -> None:
    dutch = Page(app.test_client().get("/"))
    assert "Heeft u vragen of zorgen, of kunt u wat extra steun gebruiken?" in dutch.text
    assert "kwetsba" not in dutch.text.lower()
    delfland = organisation_item(dutch, "JGZ Delfland (voorbeeld)")
    assert delfland.startswith("Voor aanstaande ouders met vragen of zorgen, of die wat extra steun kunnen gebruiken.")
    hofstad = organisation_item(dutch, "Jeugdgezondheid Hofstad (voorbeeld)")
    assert hofstad.startswith("Alle aanstaande ouders in deze gemeenten")

    client = app.test_client()
    client.set_cookie("balie_lang", "en")
    english = Page(client.get("/"))
    assert "Do you have questions or worries, or could you use some extra support?" in english.text
    assert organisation_item(english, "JGZ Delfland (voorbeeld)").startswith(
        "For expecting parents who have questions or worries"
    )
    assert '<span lang="nl">Alle aanstaande ouders' in english.html, (
        "the organisation's own Dutch words are marked as Dutch"
    )


def test_the_accessibility_page_has_no_jargon(app: Flask) -> None:
    for language in ("nl", "en"):
        client = app.test_client()
        client.set_cookie("balie_lang", language)
        page = Page(client.get("/toegankelijkheid"))
        for jargon in ("JavaScript", "pixels", "axe-core"):
            assert jargon not in page.text, (language, jargon)
    assert (
        "Elke pagina werkt ook op een kleine of oude telefoon" in Page(app.test_client().get("/toegankelijkheid")).text
    )
