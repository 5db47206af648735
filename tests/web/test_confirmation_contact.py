"""The parent's confirmation: her organisation's number to tap and call, its website as a link,
and "Withdraw my registration" leading to the withdrawal form with her reference filled in —
never the withdrawal code, and nothing of hers in the address (issue 10 §25)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.support.pages import Page
from tests.support.professionals import check_page, send_from
from tests.support.registration import answers, register

DELFLAND_PHONE = ("088 000 00 01", "tel:+31880000001")  # sociale_kaart/organisaties/jgz-delfland-voorbeeld.yaml
DELFLAND_SITE = ("jgz-delfland.example", "https://jgz-delfland.example")


def links(page: Page) -> dict[str, str]:
    """Link text → target, for the links in the page's main part."""
    main = page.html.split("<main", 1)[1].split("</main>", 1)[0]
    return {
        " ".join(re.sub(r"<[^>]+>", "", text).split()): href.replace("&amp;", "&")
        for href, text in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', main, re.S)
    }


def test_the_phone_number_calls_and_the_website_opens(en_client: Any) -> None:
    confirmation = register(en_client, name="Sam de Vries")
    found = links(confirmation)
    assert found[DELFLAND_PHONE[0]] == DELFLAND_PHONE[1], "tap to call, in E.164"
    assert found[DELFLAND_SITE[0]] == DELFLAND_SITE[1]


def test_withdraw_carries_the_reference_and_the_form_has_it_filled_in(en_client: Any) -> None:
    confirmation = register(en_client, name="Sam de Vries", email="sam@example.com", note="Na vijven bellen")
    reference = re.search(r'<strong class="reference">([^<]+)</strong>', confirmation.html).group(1)  # type: ignore[union-attr]
    code = re.search(r'<strong class="withdrawal-code">([^<]+)</strong>', confirmation.html).group(1)  # type: ignore[union-attr]
    target = links(confirmation)["Withdraw my registration"]
    assert target == f"/intrekken?kenmerk={reference}"
    for private in (code, code.replace("-", ""), "Sam", "sam@example.com", "vijven", "2611", "12"):
        assert private not in target

    form = Page(en_client.get(target))
    assert form.status == 200
    fields = form.form("/intrekken")
    assert fields["reference"] == reference, "her reference is filled in"
    assert fields["code"] == "", "the code she types herself"


@pytest.mark.parametrize(
    "given, shown",
    [("k7mq 2qxb", "K7MQ-2QXB"), ("K7MQ-2QXB", "K7MQ-2QXB"), ("<script>", ""), ("K7MQ-2QXB-EXTRA", ""), ("", "")],
)
def test_only_a_well_formed_reference_is_filled_in(client: Any, given: str, shown: str) -> None:
    form = Page(client.get("/intrekken", query_string={"kenmerk": given}))
    assert form.status == 200
    assert form.form("/intrekken")["reference"] == shown
    assert "<script>" not in form.html.split("<main", 1)[1]


def test_an_english_confirmation_leads_to_the_english_withdrawal_form(app: Flask) -> None:
    client = app.test_client()
    page = Page(client.get("/aanmelden?lang=en"))
    assert 'lang="en"' in page.html
    # Through the card's link (?lang=en, no cookie): the confirmation keeps ?lang=en, so does withdraw.
    checked = check_page(client, page, answers(name="Sam"), "/aanmelden")
    sent = send_from(client, checked)
    confirmation = Page(client.get(sent.headers["Location"]))
    target = links(confirmation)["Withdraw my registration"]
    assert re.fullmatch(r"/intrekken\?kenmerk=[0-9A-Z]{4}-[0-9A-Z]{4}&lang=en", target), target
    assert '<html lang="en"' in Page(client.get(target)).html
