"""The privacy page names who is responsible, the data protection officer, the legal basis per
route, the real retention (from the purge settings) and says plainly that the due month is health
data (AVG art. 13; issue 10, points 12 and 13)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from balie.extensions import db
from tests.conftest import make_app
from tests.support.databases import copy_sqlite
from tests.support.pages import Page


def page(app: Flask, language: str = "en") -> Page:
    client = app.test_client()
    client.set_cookie("balie_lang", language)
    shown = Page(client.get("/privacy"))
    assert shown.status == 200
    return shown


@pytest.fixture
def region_app(sqlite_template_path: Path, tmp_path: Path) -> Iterator[Flask]:
    application = make_app(
        copy_sqlite(sqlite_template_path, tmp_path / "balie.sqlite3"),
        tmp_path,
        PRIVACY_CONTROLLER="GGD Haaglanden",
        PRIVACY_CONTROLLER_CONTACT="privacy@ggdhaaglanden.example",
        PRIVACY_DPO="Functionaris gegevensbescherming GGD Haaglanden",
        PRIVACY_DPO_CONTACT="fg@ggdhaaglanden.example",
        PURGE_DAYS_AFTER_CLOSE=14,
        PURGE_WEEKS_AFTER_DUE=8,
    )
    yield application
    with application.app_context():
        db.engine.dispose()


def test_the_region_settings_are_on_the_page_and_no_example_warning(region_app: Flask) -> None:
    shown = page(region_app)
    assert "Responsible (controller) GGD Haaglanden privacy@ggdhaaglanden.example" in shown.text
    assert (
        "Data protection officer Functionaris gegevensbescherming GGD Haaglanden fg@ggdhaaglanden.example" in shown.text
    )
    assert 'href="mailto:fg@ggdhaaglanden.example"' in shown.html
    assert "Example:" not in shown.text
    # The retention is the one the purge applies, not a number in the text.
    assert (
        "14 days after the JGZ has taken over or closed your registration, and at the latest 8 weeks after the "
        "month your baby is due" in shown.text
    )


def test_the_demo_values_are_marked_as_examples(app: Flask) -> None:
    shown = page(app)
    assert "The names and addresses below are examples, not real ones." in shown.text
    assert "(voorbeeld)" in shown.text and ".example" in shown.text
    assert (
        "30 days after the JGZ has taken over or closed your registration, and at the latest 6 weeks after the "
        "month your baby is due" in shown.text
    )
    dutch = page(app, "nl")
    assert "De namen en adressen hieronder zijn voorbeelden, geen echte." in dutch.text


def test_legal_basis_health_data_recipients_rights_and_complaint(app: Flask) -> None:
    shown = page(app)
    assert "Wet publieke gezondheid, article 2, paragraph 2, under i" in shown.text
    assert "public task (AVG article 6, paragraph 1, under e)" in shown.text
    assert (
        "only with your explicit consent (AVG article 6, paragraph 1, under a, and article 9, paragraph 2, under a)"
        in shown.text
    )
    assert (
        "The month your baby is due shows that you are pregnant. That is information about your health." in shown.text
    )
    assert "medical details" not in shown.text, "no more 'we never ask for medical details'"
    assert "The gemeente does not get your details." in shown.text
    assert "gemeenten only see numbers" not in shown.text, "there is no monitor for gemeenten"
    assert "Autoriteit Persoonsgegevens" in shown.text
    dutch = page(app, "nl")
    assert "Aan de maand waarin uw baby wordt verwacht, is te zien dat u zwanger bent." in dutch.text
    assert "Wet publieke gezondheid, artikel 2, tweede lid, onder i" in dutch.text
