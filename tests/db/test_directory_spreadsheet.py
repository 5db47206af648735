"""Els keeps her Delft offers in a spreadsheet: download, change, upload, check, confirm.

Through the service the pages call, on the real sociale kaart: what she changed (and only that)
is shown field by field before anything is saved; confirming records each field with her name,
as a browser edit does; a broken file names the row, the column and what is wrong.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select

from balie.clock import today
from balie.extensions import db
from balie.models import PendingUpload, Service, ServiceArea, ServiceChange
from balie.services import pending_uploads
from balie.services.directory import editing as directory_editing
from balie.services.directory import spreadsheet
from balie.services.directory import spreadsheet_files as files
from balie.services.directory.editing import EditorScope, record_of
from tests.support.directory import DELFT, WIJKTEAM_DELFT, WIJKTEAM_WESTLAND, directory_app, dispose
from tests.support.spreadsheets import cell_of, edited, sheet_rows

ELS = EditorScope(municipality_codes=frozenset({DELFT}), is_admin=False, label="Els Editor (e15e0001)")
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
MAX_BYTES, MAX_ROWS = 5 * 1024 * 1024, 10_000
NEW_PHONE = "088 000 00 99 | werkdagen"
NEW_ALERT = "Wachttijd ongeveer 3 weken"


@pytest.fixture
def app(sqlite_template_path: Path, tmp_path: Path) -> Iterator[Flask]:
    application = directory_app(sqlite_template_path, tmp_path / "app")
    with application.app_context():
        yield application
    dispose(application)


def download(file_format: str = files.XLSX) -> bytes:
    return spreadsheet.download(db.session, ELS, file_format)


def read(data: bytes, file_format: str = files.XLSX, max_rows: int = MAX_ROWS) -> dict[str, Any]:
    return spreadsheet.read_upload(db.session, ELS, file_format, data, MAX_BYTES, max_rows)


def problems(data: bytes, file_format: str = files.XLSX) -> list[tuple[int, str, str, str, str]]:
    return [(p["row"], p["column"], p["header"], p["code"], p["value"]) for p in read(data, file_format)["problems"]]


def refused(data: bytes, file_format: str = files.XLSX) -> files.Problem:
    with pytest.raises(files.FileRefused) as caught:
        read(data, file_format)
    return caught.value.problem


def row_of(data: bytes, service_id: str) -> int:
    return int(cell_of(data, service_id, "id")[1:])


def history_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ServiceChange)) or 0


def test_the_download_holds_her_offers_and_her_gemeenten_only(app: Flask) -> None:
    rows = sheet_rows(download())
    assert rows[0] == list(spreadsheet.HEADERS)
    ids = {row[0] for row in rows[1:]}
    assert WIJKTEAM_DELFT in ids and WIJKTEAM_WESTLAND not in ids
    delft = next(row for row in rows if row[0] == WIJKTEAM_DELFT)
    assert delft[spreadsheet.HEADERS.index("gemeenten")] == "Delft"
    assert delft[spreadsheet.HEADERS.index("status")] == "actief"
    # Unchanged, it reads back without a single change or problem.
    assert read(download()) == {"changes": [], "problems": [], "rows": len(rows) - 1}
    assert read(download(files.CSV), files.CSV)["changes"] == []


def test_an_administrator_reads_back_every_offer_unchanged(app: Flask) -> None:
    admin = EditorScope(municipality_codes=frozenset(), is_admin=True, label="Beheerder (ad000001)")
    data = spreadsheet.download(db.session, admin, files.XLSX)
    assert len(sheet_rows(data)) > 20  # national offers and home-visit services too
    content = spreadsheet.read_upload(db.session, admin, files.XLSX, data, MAX_BYTES, MAX_ROWS)
    assert (content["changes"], content["problems"]) == ([], [])


def test_round_trip_two_fields_shown_then_saved_by_field_and_editor(app: Flask) -> None:
    data = download()
    old = record_of(db.session.get(Service, WIJKTEAM_DELFT))
    changed = edited(data, {(WIJKTEAM_DELFT, "telefoon"): NEW_PHONE, (WIJKTEAM_DELFT, "melding"): NEW_ALERT})
    content = read(changed)
    assert content["problems"] == []
    [change] = content["changes"]
    assert change["row"] == row_of(data, WIJKTEAM_DELFT)
    old_phones = " ; ".join(f"{p.number} | {p.description}" if p.description else p.number for p in old.phones)
    assert change["fields"] == [["alert", old.alert, NEW_ALERT], ["phones", old_phones, NEW_PHONE]]

    before = history_count()
    upload = spreadsheet.store(db.session, "els-user-id", "kaart.xlsx", content, NOW)
    db.commit()
    assert history_count() == before  # nothing saved before she confirms
    assert record_of(db.session.get(Service, WIJKTEAM_DELFT)).alert == old.alert

    spreadsheet.confirm(db.session, ELS, spreadsheet.pending(db.session, "els-user-id", upload.id, NOW), today(), NOW)
    db.commit()
    saved = record_of(db.session.get(Service, WIJKTEAM_DELFT))
    assert saved.alert == NEW_ALERT
    assert [(p.number, p.description) for p in saved.phones] == [("088 000 00 99", "werkdagen")]
    history = db.session.scalars(select(ServiceChange).where(ServiceChange.changed_at == NOW)).all()
    assert {(h.service_id, h.field_name, h.replacement_value, h.changed_by, h.action) for h in history} == {
        (WIJKTEAM_DELFT, "alert", NEW_ALERT, ELS.label, "update"),
        (WIJKTEAM_DELFT, "phones", "088 000 00 99 werkdagen", ELS.label, "update"),
        (WIJKTEAM_DELFT, "last_checked", f"{today().isoformat()} {ELS.label}", ELS.label, "update"),
    }
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 0  # used up


def test_a_csv_round_trip(app: Flask) -> None:
    rows = list(csv.reader(io.StringIO(download(files.CSV).decode("utf-8-sig")), delimiter=";"))
    old_alert = record_of(db.session.get(Service, WIJKTEAM_DELFT)).alert
    row = next(row for row in rows if row[0] == WIJKTEAM_DELFT)
    row[spreadsheet.HEADERS.index("melding")] = NEW_ALERT
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    [change] = read(out.getvalue().encode("utf-8-sig"), files.CSV)["changes"]
    assert change["fields"] == [["alert", old_alert, NEW_ALERT]]
    # The same file as a spreadsheet program of the last century writes it: Windows-1252, commas.
    out = io.StringIO()
    csv.writer(out, delimiter=",").writerows(rows)
    [change] = read(out.getvalue().encode("cp1252", errors="replace"), files.CSV)["changes"]
    assert change["fields"] == [["alert", old_alert, NEW_ALERT]]


def with_header(data: bytes, old: str, new: str) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    for cell in sheet[1]:
        if cell.value == old:
            cell.value = new
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_wrong_or_missing_columns_are_named(app: Flask) -> None:
    missing = refused(with_header(download(), "telefoon", "telefoonnummer"))
    assert (missing.code, missing.value) == ("columns_missing", "telefoon")
    workbook = load_workbook(io.BytesIO(download()))
    workbook.worksheets[0].cell(row=1, column=len(spreadsheet.HEADERS) + 1).value = "opmerking"
    out = io.BytesIO()
    workbook.save(out)
    extra = refused(out.getvalue())
    assert (extra.code, extra.value) == ("columns_unknown", "opmerking")


def test_bad_phone_unknown_gemeente_and_another_gemeentes_row(app: Flask) -> None:
    data = download()
    westland = [WIJKTEAM_WESTLAND] + [""] * (len(spreadsheet.HEADERS) - 1)
    changed = edited(
        data,
        {(WIJKTEAM_DELFT, "telefoon"): "12345 | werkdagen", (WIJKTEAM_DELFT, "gemeenten"): "Delft; Atlantis; Westland"},
        rows=[westland],
    )
    row = row_of(data, WIJKTEAM_DELFT)
    last = len(sheet_rows(data)) + 1
    letters = {h: "ABCDEFGHIJKLMNOP"[i] for i, h in enumerate(spreadsheet.HEADERS)}
    assert problems(changed) == [
        (row, letters["telefoon"], "telefoon", "phone_invalid", "12345"),
        (row, letters["gemeenten"], "gemeenten", "gemeente_unknown", "Atlantis"),
        (row, letters["gemeenten"], "gemeenten", "gemeente_not_yours", "Westland"),
        (last, "A", "id", "not_yours", WIJKTEAM_WESTLAND),
    ]
    assert read(changed)["changes"] == []


def test_a_formula_cell_is_refused_by_its_cell(app: Flask) -> None:
    data = download()
    changed = edited(data, {(WIJKTEAM_DELFT, "melding"): '=CONCAT("wacht";"tijd")'})
    cell = cell_of(data, WIJKTEAM_DELFT, "melding")
    assert problems(changed) == [(int(cell[1:]), cell[0], "melding", "formula", "")]


def test_a_value_that_looks_like_a_formula_is_written_as_text(app: Flask) -> None:
    service = db.session.get(Service, WIJKTEAM_DELFT)
    record = replace(record_of(service), alert="=1+1 is geen formule")
    directory_editing.save(db.session, ELS, record, service.organisation, service, NOW)
    assert read(download())["problems"] == []  # read back as text, not refused as a formula
    csv_line = next(line for line in download(files.CSV).decode("utf-8-sig").splitlines() if WIJKTEAM_DELFT in line)
    assert "'=1+1 is geen formule" in csv_line  # a spreadsheet program will not run it
    assert read(download(files.CSV), files.CSV)["changes"] == []


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.4 not a workbook" * 20, b"\xd0\xcf\x11\xe0 an old .xls file" * 20, "zip"],
    ids=["pdf", "xls", "zip-without-sheet"],
)
def test_a_file_that_is_not_a_workbook_is_refused(app: Flask, content: Any) -> None:
    if content == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("notes.txt", "hello")
        content = out.getvalue()
    assert refused(content).code == "not_xlsx"


def test_too_many_rows_and_too_large(app: Flask) -> None:
    with pytest.raises(files.FileRefused) as caught:
        read(download(), max_rows=2)
    assert (caught.value.problem.code, caught.value.problem.value) == ("too_many_rows", "2")
    with pytest.raises(files.FileRefused) as caught:
        spreadsheet.read_upload(db.session, ELS, files.XLSX, download(), 100, MAX_ROWS)
    assert caught.value.problem.code == "too_large"


def test_an_offer_changed_meanwhile_stops_the_confirmation(app: Flask) -> None:
    content = read(edited(download(), {(WIJKTEAM_DELFT, "melding"): NEW_ALERT}))
    upload = spreadsheet.store(db.session, "els-user-id", "kaart.xlsx", content, NOW)
    service = db.session.get(Service, WIJKTEAM_DELFT)
    directory_editing.save(
        db.session, ELS, replace(record_of(service), alert="Vol"), service.organisation, service, NOW
    )
    db.commit()
    with pytest.raises(spreadsheet.ChangedMeanwhile):
        spreadsheet.confirm(db.session, ELS, upload, today(), NOW)
    db.session.rollback()
    assert record_of(db.session.get(Service, WIJKTEAM_DELFT)).alert == "Vol"


def test_another_users_upload_is_not_found(app: Flask) -> None:
    upload = spreadsheet.store(db.session, "els-user-id", "kaart.xlsx", read(download()), NOW)
    with pytest.raises(pending_uploads.UploadGone):
        spreadsheet.pending(db.session, "someone-else", upload.id, NOW)
    with pytest.raises(pending_uploads.UploadGone):
        spreadsheet.pending(db.session, "els-user-id", upload.id, NOW + pending_uploads.KEEP_UPLOAD * 2)


def test_five_thousand_rows(app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    template = db.session.get(Service, WIJKTEAM_DELFT)
    for number in range(5000):
        service = Service(
            organisation=template.organisation,
            name=f"Testaanbod {number:04d}",
            description="Een aanbod om het lezen van grote bestanden te meten.",
            application_process="Bel ons.",
            kind="general",
            status="active",
        )
        service.areas = [ServiceArea(municipality_code=DELFT)]
        db.session.add(service)
    db.commit()
    data = download()
    rows = sheet_rows(data)
    assert len(rows) > 5000
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    column = spreadsheet.HEADERS.index("melding") + 1
    for row in range(2, sheet.max_row + 1):
        if str(sheet.cell(row=row, column=2).value).startswith("Testaanbod"):
            sheet.cell(row=row, column=column).value = NEW_ALERT
    out = io.BytesIO()
    workbook.save(out)
    size = len(out.getvalue())
    started = time.perf_counter()
    content = read(out.getvalue())
    read_seconds = time.perf_counter() - started
    assert content["problems"] == [] and len(content["changes"]) == 5000
    upload = spreadsheet.store(db.session, "els-user-id", "kaart.xlsx", content, NOW)
    db.commit()
    started = time.perf_counter()
    spreadsheet.confirm(db.session, ELS, upload, today(), NOW)
    db.commit()
    confirm_seconds = time.perf_counter() - started
    changed = db.session.scalar(
        select(func.count())
        .select_from(ServiceChange)
        .where(ServiceChange.field_name == "alert")
        .where(ServiceChange.changed_at == NOW)
    )
    assert changed == 5000
    with capsys.disabled():
        print(
            f"\n5,000 rows: file {size // 1024} kB, read and compared in {read_seconds:.1f} s, "
            f"confirmed in {confirm_seconds:.1f} s"
        )
