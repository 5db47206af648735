"""The monitor's reference figures pages (issue 13): what a gemeente monitor sees, enters and imports.

A gemeente monitor of Delft sees Delft only, enters a year's live births, own target group and
budget, sees the expected target group the desk derives, imports live births from a CBS StatLine
file after a preview, and bad input stores nothing. A JGZ monitor sees but cannot change.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from balie.clock import today
from balie.extensions import db
from balie.services.accounts.lifecycle import Grant
from balie.services.monitoring import reference_figures
from tests.support.accounts import HOFSTAD, login, make_user
from tests.support.pages import Page
from tests.support.staff import access_rows, location_path

PAGE = "/monitor/gegevens"
YEAR = today().year - 1
EDIT = f"{PAGE}/GM0503/{YEAR}"


def gemeente_monitor(app: Flask, client: Any, code: str = "GM0503", email: str = "beleid@delft.example") -> Any:
    account = make_user(app, email, [Grant("gemeente_monitor", municipality_code=code)], totp=False, name="Bea Beleid")
    assert login(client, account).status_code == 303
    return account


def jgz_monitor(app: Flask, client: Any) -> Any:
    account = make_user(app, "cijfers@hofstad.example", [Grant("jgz_monitor", organisation_id=HOFSTAD)], totp=False)
    assert login(client, account).status_code == 303
    return account


def stored(app: Flask, code: str = "GM0503", year: int = YEAR) -> reference_figures.Figures | None:
    with app.app_context():
        return reference_figures.get(db.session, code, year)


def post_figures(client: Any, path: str = EDIT, **values: str) -> Any:
    token = Page(client.get(path)).hidden("csrf_token")
    data = {"live_births": "", "target_group_size": "", "budget": "", **values, "csrf_token": token}
    return client.post(path, data=data)


def csv_file(*rows: str) -> bytes:
    header = '"ID";"RegioS";"Perioden";"LevendGeborenKinderen_2"'
    return "\n".join([header, *rows]).encode("utf-8")


def upload(client: Any, data: bytes, name: str = "37230ned.csv") -> Any:
    token = Page(client.get(PAGE)).hidden("csrf_token")
    # Encoded here, in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart({"csrf_token": token, "file": FileStorage(io.BytesIO(data), filename=name)})
    return client.post(f"{PAGE}/cbs-bestand", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_the_empty_page_explains_what_to_fill_in_for_her_gemeente_only(app: Flask) -> None:
    client = app.test_client()
    gemeente_monitor(app, client)
    page = Page(client.get(PAGE))
    assert "Nog geen gegevens voor Delft." in page.text
    assert "Vul per jaar het aantal levend geborenen in" in page.text
    assert "levend geborenen × 16,5 %" in page.text and "instelling van de balie" in page.text
    assert "'s-Gravenhage" not in page.text  # another gemeente's figures are not hers
    assert f'href="{EDIT}"' in page.html
    assert [row.event_code for row in access_rows(app, event_code="monitor.reference_read")] == [
        "monitor.reference_read"
    ]


def test_she_enters_a_year_and_sees_it_with_the_expected_target_group_and_who_changed_it(app: Flask) -> None:
    client = app.test_client()
    account = gemeente_monitor(app, client)
    saved = post_figures(client, live_births="1.250", target_group_size="200", budget="€ 38.000,50")
    assert saved.status_code == 303 and location_path(saved) == PAGE
    figures = stored(app)
    assert figures is not None
    assert (figures.live_births, figures.target_group_size, figures.budget) == (1250, 200, Decimal("38000.50"))

    page = Page(client.get(PAGE))
    row = page.html.split(f'id="GM0503-{YEAR}"')[1].split("</tr>")[0]
    assert f"Opgeslagen: de gegevens van Delft over {YEAR}." in page.text
    assert "1.250" in row and "200" in row and "38.000,50" in row
    assert "206,3" in row  # 1250 × 16.5 % = 206.25, to one decimal
    assert "Bea Beleid" in row
    update = access_rows(app, event_code="monitor.reference_update")
    assert [(r.actor_user_id, r.object_id, r.outcome) for r in update] == [(account.id, f"GM0503-{YEAR}", "success")]

    again = Page(client.get(EDIT))
    assert again.form(EDIT)["budget"] == "38.000,50"  # as she reads an amount, not 38000.50
    assert "Levend geborenen" in again.text and "Bea Beleid" in again.text  # the change history


def test_bad_input_is_named_in_dutch_and_stores_nothing(app: Flask) -> None:
    client = app.test_client()
    gemeente_monitor(app, client)
    cases = [
        ({"live_births": "veel"}, "Vul de levend geborenen in als een heel getal, zoals 1250."),
        ({"live_births": "0"}, "Vul een aantal levend geborenen in van 1 tot en met 20.000."),
        ({"target_group_size": "-3"}, "Vul de doelgroep in als een heel aantal gezinnen, zoals 200."),
        ({"budget": "38.000,505"}, "Vul het budget in hele centen in: hoogstens 2 cijfers na de komma"),
        ({"budget": "twintig euro"}, "Vul het budget in als een bedrag in euro, zoals 38.000,00."),
        ({"budget": "20.000.000"}, "Vul een budget in van 0,01 tot en met 10.000.000,00 euro."),
    ]
    for values, message in cases:
        refused = post_figures(client, **{"live_births": "1250", **values})
        assert refused.status_code == 400, values
        page = Page(refused)
        assert any(message in error for error in page.errors), (values, page.errors)
        assert page.form(EDIT)[next(iter(values))] == next(iter(values.values()))  # what she typed stays
    next_year = f"{PAGE}/GM0503/{YEAR + 2}"
    refused = post_figures(client, next_year, live_births="1250", budget="40000")
    assert refused.status_code == 400
    assert "Levend geborenen kunt u pas invullen als het jaar begonnen is" in " ".join(Page(refused).errors)
    assert stored(app) is None and stored(app, year=YEAR + 2) is None
    assert not access_rows(app, event_code="monitor.reference_update")


def test_a_change_without_its_token_stores_nothing(app: Flask) -> None:
    client = app.test_client()
    gemeente_monitor(app, client)
    refused = client.post(EDIT, data={"live_births": "1250", "target_group_size": "", "budget": ""})
    assert refused.status_code == 400
    assert stored(app) is None


def test_another_gemeentes_figures_are_not_there_and_the_attempt_is_logged(app: Flask) -> None:
    client = app.test_client()
    gemeente_monitor(app, client)
    den_haag = f"{PAGE}/GM0518/{YEAR}"
    token = Page(client.get(EDIT)).hidden("csrf_token")
    assert client.get(den_haag).status_code == 404
    posted = client.post(den_haag, data={"csrf_token": token, "live_births": "5000"})
    assert posted.status_code == 404
    assert stored(app, "GM0518") is None
    denied = access_rows(app, outcome="denied")
    assert [(r.event_code, r.object_id) for r in denied] == [
        ("monitor.reference_read", f"GM0518-{YEAR}"),
        ("monitor.reference_update", f"GM0518-{YEAR}"),
    ]
    assert client.get(f"{PAGE}/GM0503/1999").status_code == 404  # before the figures can be kept


def test_a_jgz_monitor_sees_her_service_area_but_changes_nothing(app: Flask) -> None:
    keeper = app.test_client()
    gemeente_monitor(app, keeper, "GM0518", "beleid@denhaag.example")
    assert post_figures(keeper, f"{PAGE}/GM0518/{YEAR}", live_births="4.800").status_code == 303

    client = app.test_client()
    jgz_monitor(app, client)
    page = Page(client.get(PAGE))
    assert "'s-Gravenhage" in page.text and "4.800" in page.text and "792,0" in page.text  # 4800 × 16.5 %
    assert "Delft" not in page.text  # not in Hofstad's service area
    assert "/monitor/gegevens/GM0518/" not in page.html  # no link to change
    assert "cbs-bestand" not in page.html  # no upload
    token = page.hidden("csrf_token")
    assert client.get(f"{PAGE}/GM0518/{YEAR}").status_code == 403
    changed = client.post(f"{PAGE}/GM0518/{YEAR}", data={"csrf_token": token, "live_births": "1"})
    assert changed.status_code == 403
    assert stored(app, "GM0518").live_births == 4800  # type: ignore[union-attr]
    assert upload(client, csv_file('"1";"GM0518    ";"2024JJ00";"1"')).status_code == 403


def test_a_cbs_file_is_checked_row_by_row_previewed_and_stored_only_when_she_confirms(app: Flask) -> None:
    client = app.test_client()
    gemeente_monitor(app, client)
    year_total = f"{YEAR}JJ00"
    bad = csv_file(f'"1";"GM0503    ";"{year_total}";"1234"', f'"2";"GM9999    ";"{year_total}";"50"')
    sent = upload(client, bad)
    assert sent.status_code == 303
    preview = Page(client.get(location_path(sent)))
    assert "Rij 3: onbekende gemeente GM9999." in preview.text
    assert "Het bestand heeft 1 fout. Er is niets opgeslagen." in preview.text
    assert 'name="confirm"' not in preview.html
    forced = client.post(location_path(sent), data={"csrf_token": preview.hidden("csrf_token"), "confirm": "1"})
    assert forced.status_code == 400 and stored(app) is None

    good = csv_file(f'"1";"GM0503    ";"{year_total}";"1234"', f'"2";"GM0518    ";"{year_total}";"4800"')
    sent = upload(client, good)
    preview = Page(client.get(location_path(sent)))
    assert "Delft" in preview.text and "1.234" in preview.text
    assert "'s-Gravenhage: niet een van uw gemeenten." in preview.text
    assert stored(app) is None  # nothing before she confirms
    confirmed = client.post(location_path(sent), data={"csrf_token": preview.hidden("csrf_token"), "confirm": "1"})
    assert confirmed.status_code == 303 and location_path(confirmed) == PAGE
    figures = stored(app)
    assert figures is not None and figures.live_births == 1234 and figures.live_births_source == "cbs_37230ned"
    assert stored(app, "GM0518") is None
    page = Page(client.get(PAGE))
    assert "Opgeslagen: levend geborenen voor 1 jaar gewijzigd." in page.text
    assert "(CBS-bestand)" in page.text
    assert [r.outcome for r in access_rows(app, event_code="monitor.births_import")] == ["success"]
    # the preview is used up
    gone = client.get(location_path(sent))
    assert gone.status_code == 303 and "wacht niet meer" in Page(client.get(PAGE)).text


def test_cancelling_stores_nothing_and_another_user_cannot_open_her_file(app: Flask) -> None:
    client = app.test_client()
    gemeente_monitor(app, client)
    sent = upload(client, csv_file(f'"1";"GM0503    ";"{YEAR}JJ00";"1234"'))
    other = app.test_client()
    gemeente_monitor(app, other, email="collega@delft.example")
    assert other.get(location_path(sent)).status_code == 303  # not hers: not there
    token = Page(client.get(location_path(sent))).hidden("csrf_token")
    cancelled = client.post(location_path(sent), data={"csrf_token": token, "cancel": "1"})
    assert cancelled.status_code == 303
    assert "Geannuleerd: er is niets uit het bestand opgeslagen." in Page(client.get(PAGE)).text
    assert stored(app) is None


def test_a_file_without_its_columns_or_too_large_is_refused_in_words(app_with: Any) -> None:
    app = app_with(MONITOR_BIRTHS_IMPORT_MAX_BYTES=1024 * 1024)
    client = app.test_client()
    gemeente_monitor(app, client)
    sent = upload(client, b'"Regio";"Jaar"\n"Delft";"2024"\n')
    assert "Rij 1: de kolom ‘Regio's’ ontbreekt." in Page(client.get(location_path(sent))).text
    missing = client.post(f"{PAGE}/cbs-bestand", data={"csrf_token": Page(client.get(PAGE)).hidden("csrf_token")})
    assert missing.status_code == 400 and "Kies het CSV-bestand van CBS StatLine" in " ".join(Page(missing).errors)
    just_too_large = csv_file(*[f'"{n}";"GM0503    ";"{YEAR}MM01";"1"' for n in range(40_000)])[: 2**20 + 4096]
    sent = upload(client, just_too_large)  # within the request's margin: read, and refused
    assert "Het bestand is groter dan 1 MB." in Page(client.get(location_path(sent))).text
    far_too_large = upload(client, just_too_large * 2)  # refused before it is read
    assert far_too_large.status_code == 413
    assert "Het bestand is groter dan 1 MB." in " ".join(Page(far_too_large).errors)
    assert stored(app) is None


def test_a_regional_monitor_keeps_every_gemeente_of_the_region(app: Flask) -> None:
    client = app.test_client()
    account = make_user(app, "regio@ggd.example", [Grant("region_monitor")], totp=False)
    assert login(client, account).status_code == 303
    page = Page(client.get(PAGE))
    headings = page.html.count('<h2 id="GM')
    assert headings == 9  # the nine gemeenten of GGD Haaglanden
    assert f'href="{PAGE}/GM0518/{YEAR}"' in page.html and f'href="{EDIT}"' in page.html
    assert post_figures(client, f"{PAGE}/GM1916/{YEAR}", budget="12.500").status_code == 303
    assert stored(app, "GM1916").budget == Decimal("12500.00")  # type: ignore[union-attr]
    assert client.get(f"{PAGE}/GM0363/{YEAR}").status_code == 404  # Amsterdam: not in the region
