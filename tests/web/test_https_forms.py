"""Forms over HTTPS with the privacy-strict Referrer-Policy: a browser sends no Referer and
`Origin: null` on the desk's own POSTs, and they must still work; a POST that the browser marks
as coming from another site is refused and stores nothing.

(The end-to-end test behind nginx with TLS, tests/production/, does the same in Chromium.)
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from balie.extensions import db
from balie.models import Registration
from tests.support.accounts import login, nurse
from tests.support.pages import Page
from tests.support.registration import answers, open_form

# What Chromium sends on a same-site form POST from a page with Referrer-Policy: no-referrer.
SAME_SITE_POST = {"Origin": "null", "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate"}


class HttpsClient:
    """The Flask test client, every request over https://localhost (as behind nginx with TLS)."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()
        self.environ_base = self.client.environ_base

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return self.client.open(*args, base_url="https://localhost", **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self.open(*args, method="GET", **kwargs)

    def post(self, *args: Any, **kwargs: Any) -> Any:
        return self.open(*args, method="POST", **kwargs)


@pytest.fixture
def https(app: Flask) -> HttpsClient:
    return HttpsClient(app)


def count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Registration)) or 0


def test_the_referrer_policy_is_strict(https: HttpsClient) -> None:
    assert https.get("/aanmelden").headers["Referrer-Policy"] == "no-referrer"


def test_a_parent_registers_over_https_without_a_referer(app: Flask, https: HttpsClient) -> None:
    tokens = open_form(https)
    checked = Page(https.post("/aanmelden", data={**tokens, **answers()}, headers=SAME_SITE_POST))
    assert checked.status == 200, checked.errors
    sent = https.post("/aanmelden/versturen", data=checked.form("versturen"), headers=SAME_SITE_POST)
    assert sent.status_code == 303
    confirmation = Page(https.get(sent.headers["Location"]))
    assert confirmation.status == 200 and "reference" in confirmation.html
    assert count(app) == 1


def test_a_nurse_logs_in_over_https_without_a_referer(app: Flask, https: HttpsClient) -> None:
    account = nurse(app)
    https.environ_base.update({"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "same-origin"})
    answered = login(https, account)
    assert answered.status_code == 303 and answered.headers["Location"].endswith("/inbox")


def test_the_own_origin_is_accepted(app: Flask, https: HttpsClient) -> None:
    tokens = open_form(https)
    sent = https.post(
        "/aanmelden/versturen", data={**tokens, **answers(), "send": "1"}, headers={"Origin": "https://localhost"}
    )
    assert sent.status_code == 303 and count(app) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "http://localhost"},  # the same host over plain HTTP is another origin
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_post_from_another_site_stores_nothing(
    app: Flask, https: HttpsClient, headers: dict[str, str], caplog: Any
) -> None:
    tokens = open_form(https)  # even with a valid token and session
    sent = https.post("/aanmelden/versturen", data={**tokens, **answers(), "send": "1"}, headers=headers)
    assert sent.status_code == 400
    assert count(app) == 0
    assert "cross_site_request" in caplog.text


def test_a_login_from_another_site_is_refused(app: Flask, https: HttpsClient) -> None:
    account = nurse(app)
    token = Page(https.get("/inloggen")).hidden("csrf_token")
    answered = https.post(
        "/inloggen",
        data={"csrf_token": token, "email": account.email, "password": account.password},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert answered.status_code == 400
    assert "/inloggen/code" not in answered.headers.get("Location", "")
