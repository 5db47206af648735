"""The authenticator app's QR code, read the way her phone reads it (issue 10 §1).

A new JGZ nurse must set up her app before she sees the inbox. A screenshot of the QR code on
her screen, at 1280, 360 and 320 px, decodes to the otpauth:// address of her account with the
key shown under it as text; a code made from what was scanned turns the app on. (The page is not
meant to be printed: a key on paper is a key anyone can copy.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext

from balie.services.accounts.lifecycle import Grant
from tests.browser.audit import page_problems
from tests.browser.conftest import LiveServer
from tests.browser.watcher import Watcher
from tests.support.accounts import DELFLAND, make_user
from tests.support.qr import decode_one_png

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000


def test_the_authenticator_qr_code_scans_to_her_account_and_its_code_turns_the_app_on(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    nurse = make_user(
        live_server.app, "nieuw-qr@delfland.example", [Grant("jgz_staff", organisation_id=DELFLAND)], totp=False
    )
    watcher = Watcher()
    context = new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    watcher.attach(context)
    page = context.new_page()
    page.goto(live_server("/inloggen"))
    page.locator("#email").fill(nurse.email)
    page.locator("#password").fill(nurse.password)
    page.locator("main form.form button[type=submit]").click()
    page.locator("main .qr__image svg").wait_for()
    assert urlsplit(page.url).path == "/inloggen/tweede-factor"
    shown_key = page.locator("main .qr__secret").inner_text().replace(" ", "")

    axe, problems, scans = Axe(), [], set()
    for width in (1280, 360, 320):
        page.set_viewport_size({"width": width, "height": 900})
        problems.extend(page_problems(page, axe, "authenticator set-up"))
        scans.add(decode_one_png(page.locator("main .qr__image").screenshot()))
    assert problems == []
    assert len(scans) == 1, f"the same code at every width, read {scans}"
    uri = scans.pop()
    parts = urlsplit(uri)
    query: dict[str, Any] = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp"), uri
    assert unquote(parts.path) == f"/Balie Voorbeeldregio:{nurse.email}", "her app names the desk and her account"
    assert query["secret"] == shown_key, "the key typed by hand is the key scanned"
    assert query["issuer"] == "Balie Voorbeeldregio"

    page.locator("#code").fill(pyotp.parse_uri(uri).now())  # what the app shows after scanning
    page.locator("main form.form button[type=submit]").click()
    page.locator("main .recovery-codes").wait_for()
    assert page.locator("main .recovery-codes li").count() >= 8, "the app is on: her recovery codes"
    watcher.assert_clean()
