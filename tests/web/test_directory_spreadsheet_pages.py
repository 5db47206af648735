"""Els changes her Delft offers in a spreadsheet, on the pages: download, upload, check, confirm.

What she reads: the changes by row and field before anything is saved, the problems by row and
column, the message when the file is not what its name says; what is stored: nothing before she
confirms, nothing without a valid token, nothing another editor can reach. Pages in English.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from balie.extensions import db
from balie.models import PendingUpload, Service, ServiceChange
from balie.services.accounts.lifecycle import Grant
from tests.support.accounts import Account, login, make_user
from tests.support.directory import DELFT, UITGIFTEPUNT_DELFT, WIJKTEAM_DELFT, directory_app, dispose
from tests.support.pages import Page
from tests.support.spreadsheets import cell_of, edited
from tests.support.staff import csrf_token, location_path
from tests.web.helpers import english

MANAGE = "/sociale-kaart/beheer"
SPREADSHEET = f"{MANAGE}/spreadsheet"
NEW_ALERT = "Wachttijd ongeveer 3 weken"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def app(sqlite_template_path: Path, tmp_path: Path) -> Iterator[Flask]:
    application = directory_app(sqlite_template_path, tmp_path / "app", DIRECTORY_UPLOAD_MAX_BYTES=2 * 2**20)
    yield application
    dispose(application)


def editor_client(app: Flask, email: str, gemeente: str) -> Any:
    account: Account = make_user(app, email, [Grant("gemeente_editor", municipality_code=gemeente)], totp=False)
    client = english(app.test_client())
    login(client, account)
    return client


@pytest.fixture
def els(app: Flask) -> Any:
    return editor_client(app, "els@delft.example", DELFT)


def downloaded(client: Any, file_format: str = "xlsx") -> bytes:
    response = client.get(f"{SPREADSHEET}/sociale-kaart.{file_format}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    return response.get_data()


def upload(client: Any, data: bytes, name: str = "kaart.xlsx", token: str | None = "") -> Any:
    fields: dict[str, Any] = {"file": FileStorage(io.BytesIO(data), filename=name)}
    if token is not None:
        fields["csrf_token"] = token or csrf_token(client)
    # Encoded here, in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(fields)
    return client.post(SPREADSHEET, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        changes = db.session.scalar(select(func.count()).select_from(ServiceChange)) or 0
        uploads = db.session.scalar(select(func.count()).select_from(PendingUpload)) or 0
        return changes, uploads


def alert_of(app: Flask) -> str:
    with app.app_context():
        service = db.session.get(Service, WIJKTEAM_DELFT)
        assert service is not None
        return service.alert


def test_round_trip_nothing_saved_before_she_confirms(app: Flask, els: Any) -> None:
    index = Page(els.get(MANAGE))
    assert "Download as Excel workbook (.xlsx)" in index.text and "Upload and check" in index.text
    response = els.get(f"{SPREADSHEET}/sociale-kaart.xlsx")
    assert response.headers["Content-Type"] == XLSX_TYPE
    data = response.get_data()
    old_alert = alert_of(app)
    changes_before, _ = counts(app)

    sent = upload(els, edited(data, {(WIJKTEAM_DELFT, "melding"): NEW_ALERT}))
    assert sent.status_code == 303
    preview = Page(els.get(location_path(sent)))
    row = cell_of(data, WIJKTEAM_DELFT, "id")[1:]
    assert f"Row {row}: Sociaal wijkteam Delft (voorbeeld)" in preview.text
    assert f"Notice or waiting time {old_alert or '–'} {NEW_ALERT}" in " ".join(preview.text.split())
    assert "Confirm" in preview.text
    assert counts(app) == (changes_before, 1) and alert_of(app) == old_alert  # shown, not saved

    done = els.post(location_path(sent), data={"csrf_token": csrf_token(els), "confirm": "1"})
    assert done.status_code == 303 and location_path(done) == MANAGE
    assert "Saved: 1 offer changed" in Page(els.get(MANAGE)).text
    assert alert_of(app) == NEW_ALERT
    assert counts(app)[1] == 0
    history = Page(els.get(f"{MANAGE}/{WIJKTEAM_DELFT}/geschiedenis")).text
    assert NEW_ALERT in history


def test_cancel_saves_nothing(app: Flask, els: Any) -> None:
    before = counts(app)[0]
    sent = upload(els, edited(downloaded(els), {(WIJKTEAM_DELFT, "melding"): NEW_ALERT}))
    done = els.post(location_path(sent), data={"csrf_token": csrf_token(els), "cancel": "1"})
    assert done.status_code == 303
    assert "Cancelled: nothing from the spreadsheet was saved." in Page(els.get(MANAGE)).text
    assert counts(app) == (before, 0) and alert_of(app) != NEW_ALERT


def test_without_a_valid_token_nothing_is_stored_or_saved(app: Flask, els: Any) -> None:
    data = edited(downloaded(els), {(WIJKTEAM_DELFT, "melding"): NEW_ALERT})
    before = counts(app)[0]
    assert upload(els, data, token=None).status_code == 400
    assert upload(els, data, token="forged").status_code == 400
    assert counts(app) == (before, 0)
    sent = upload(els, data)
    assert els.post(location_path(sent), data={"confirm": "1"}).status_code == 400
    assert counts(app) == (before, 1) and alert_of(app) != NEW_ALERT


def test_another_editor_neither_sees_nor_confirms_her_upload(app: Flask, els: Any) -> None:
    sent = upload(els, edited(downloaded(els), {(WIJKTEAM_DELFT, "melding"): NEW_ALERT}))
    other = editor_client(app, "redactie@denhaag.example", "GM0518")
    looked = other.get(location_path(sent))
    assert looked.status_code == 303
    assert "This upload is no longer waiting" in Page(other.get(MANAGE)).text
    confirmed = other.post(location_path(sent), data={"csrf_token": csrf_token(other), "confirm": "1"})
    assert confirmed.status_code == 303
    assert alert_of(app) != NEW_ALERT and counts(app)[1] == 1  # still hers, unsaved
    # Her own download holds Den Haag's offers, not the Delft wijkteam; uploading Els's file is refused row by row.
    assert WIJKTEAM_DELFT.encode() not in downloaded(other, "csv")


def test_problems_are_listed_by_row_and_column_and_block_confirming(app: Flask, els: Any) -> None:
    data = downloaded(els)
    broken = edited(data, {(WIJKTEAM_DELFT, "melding"): "=1+1", (UITGIFTEPUNT_DELFT, "telefoon"): "12345"})
    sent = upload(els, broken)
    preview = Page(els.get(location_path(sent)))
    formula, phone = cell_of(data, WIJKTEAM_DELFT, "melding"), cell_of(data, UITGIFTEPUNT_DELFT, "telefoon")
    assert "The file has 2 problems. Nothing has been saved." in preview.text
    assert f"Row {formula[1:]}, column {formula[0]} (melding): cell {formula} holds a formula." in preview.text
    assert f"Row {phone[1:]}, column {phone[0]} (telefoon): “12345” is not a valid phone number." in preview.text
    assert "Confirm" not in preview.text
    crafted = els.post(location_path(sent), data={"csrf_token": csrf_token(els), "confirm": "1"})
    assert crafted.status_code == 400 and alert_of(app) != "=1+1"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4 " * 100, "kaart.xlsx", "This file is not an Excel workbook (.xlsx), even though its name ends in"),
        (b"naam;status\nx;actief\n", "kaart.csv", "These columns are missing: id, organisatie,"),
        (b"anything", "kaart.ods", "Upload an .xlsx or .csv file."),
        (b"PK\x03\x04" + b"0" * (2 * 2**20 + 10), "kaart.xlsx", "The file is larger than 2 MB."),
        (b"PK\x03\x04" + b"0" * (3 * 2**20), "kaart.xlsx", "The file is larger than 2 MB."),
    ],
    ids=["renamed-pdf", "wrong-columns", "other-type", "just-too-large", "far-too-large"],
)
def test_a_file_that_cannot_be_read_is_named_on_the_form(
    app: Flask, els: Any, content: bytes, name: str, message: str
) -> None:
    response = upload(els, content, name)
    assert response.status_code in (400, 413)
    page = Page(response)
    assert message in page.text
    assert counts(app)[1] == 0
