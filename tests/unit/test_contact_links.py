"""Phone numbers and websites from the sociale kaart as links (issue 10 §25): a number one can
call becomes tel: in E.164, anything else stays plain text; only http(s) websites are linked."""

from __future__ import annotations

import pytest

from balie.web.templating import tel_uri, web_href, web_label


@pytest.mark.parametrize(
    "written, uri",
    [
        ("088 000 00 01", "tel:+31880000001"),
        ("070-123 45 67", "tel:+31701234567"),
        ("+32 470 12 34 56", "tel:+32470123456"),
        ("0032 470 12 34 56", "tel:+32470123456"),
        ("113", ""),  # a short number phonenumbers does not call valid: shown, not linked
        ("bel ons", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_a_number_one_can_call_becomes_a_tel_link(written: str | None, uri: str) -> None:
    assert tel_uri(written) == uri


@pytest.mark.parametrize(
    "url, href, label",
    [
        ("https://jgz-delfland.example", "https://jgz-delfland.example", "jgz-delfland.example"),
        ("https://www.example.nl/contact/", "https://www.example.nl/contact/", "www.example.nl/contact"),
        ("http://example.nl/a?b=c", "http://example.nl/a?b=c", "example.nl/a?b=c"),
        ("javascript:alert(1)", "", "javascript:alert(1)"),
        ("data:text/html,hi", "", "data:text/html,hi"),
        ("www.example.nl", "", "www.example.nl"),
        ("https://", "", "https://"),
    ],
)
def test_only_a_web_address_is_linked(url: str, href: str, label: str) -> None:
    assert web_href(url) == href
    assert web_label(url) == label
