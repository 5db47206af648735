"""The monitor's figures of a day (monitor_snapshot), on SQLite and PostgreSQL.

The hand-counted history of tests/web/test_monitor_pages.py: Delft (GM0503) March 10 registrations
(5 with contact and one visit), June 5; Den Haag (GM0518) March 5. The monitor counts as of the
start of a day: registrations received that day count from the next.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, inspect, select

from balie import migrate
from balie.config import region_ggd_codes
from balie.domain import roles
from balie.extensions import db
from balie.models import MonitorSnapshot
from balie.models.base import utcnow
from balie.services.accounts.lifecycle import Grant
from balie.services.monitoring import snapshot
from balie.services.monitoring.disclosure import Disclosure, Status, calendar_periods
from balie.services.monitoring.report import ALL, Settings, build_report, count_year, protect_year
from balie.services.monitoring.scope import region_municipality_codes
from balie.services.monitoring.view_scope import Scope
from tests.support.accounts import login, make_user
from tests.support.monitoring import DELFT, DEN_HAAG, DEN_HAAG_POSTCODE, Parent, local, register
from tests.support.pages import Page
from tests.web.test_monitor_pages import cells, make_history

DAY = date(2027, 1, 1)  # after the whole history
SETTINGS = Settings(norm_share=Decimal("0.165"), tariff=Decimal("190"), price_year=2022)


def on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr("balie.services.monitoring.report.today", lambda: day)


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app sends meanwhile."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def snapshots(app: Flask) -> list[tuple[str, int, date]]:
    with app.app_context():
        rows = db.session.execute(
            select(MonitorSnapshot.gemeenten, MonitorSnapshot.year, MonitorSnapshot.day).order_by(
                MonitorSnapshot.gemeenten, MonitorSnapshot.year, MonitorSnapshot.day
            )
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


def delft_monitor(app: Flask) -> Any:
    return make_user(app, "beleid@delft.example", [Grant(roles.GEMEENTE_MONITOR, municipality_code=DELFT)], totp=False)


def test_the_first_view_of_the_day_stores_the_figures_and_the_second_does_not_count_again(
    any_db_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_history(any_db_app)
    client = any_db_app.test_client()
    login(client, delft_monitor(any_db_app))
    on(monkeypatch, DAY)
    with statements(any_db_app) as first:
        page = Page(client.get("/monitor?gemeente=GM0503&period=2026-Q1"))
    assert cells(page, "funnel")["Aanmeldingen"] == ["10"] and cells(page, "funnel")["Contact gelegd"] == ["5"]
    assert "Cijfers tot en met gisteren (bijgewerkt " in page.text
    assert snapshots(any_db_app) == [(DELFT, 2026, DAY)]
    with statements(any_db_app) as second:
        again = Page(client.get("/monitor?gemeente=GM0503&period=2026-06"))
    assert cells(again, "funnel")["Aanmeldingen"] == ["5"]
    assert snapshots(any_db_app) == [(DELFT, 2026, DAY)]
    assert len(first) > 45, len(first)  # counting the year: two or more queries a month, more per gemeente
    assert len(second) < 20, len(second)  # the day's figures read, not counted


def test_a_registration_received_today_shows_tomorrow(any_db_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    make_history(any_db_app)
    den_haag = make_user(
        any_db_app, "beleid@denhaag.example", [Grant(roles.GEMEENTE_MONITOR, municipality_code=DEN_HAAG)], totp=False
    )
    client = any_db_app.test_client()
    login(client, den_haag)
    today = date(2026, 3, 20)
    with any_db_app.app_context(), db.writing():  # received at 10:00 today, before the day's first view
        register(db.session, Parent(local(today), "2026-10", postcode=DEN_HAAG_POSTCODE))
        db.session.commit()
    on(monkeypatch, today)
    assert cells(Page(client.get("/monitor?period=2026-03")), "funnel")["Aanmeldingen"] == ["5"]
    on(monkeypatch, today + timedelta(days=1))
    assert cells(Page(client.get("/monitor?period=2026-03")), "funnel")["Aanmeldingen"] == ["6"]
    assert [day for _g, _y, day in snapshots(any_db_app)] == [today, today + timedelta(days=1)]


def every_table(app: Flask, gemeenten: frozenset[str], day: date) -> dict[tuple[str, str], list[list[str]]]:
    """The text of every cell of every table of every view of 2026 (each gemeente and all, every period)."""
    found: dict[tuple[str, str], list[list[str]]] = {}
    with app.app_context():
        for place in (*sorted(gemeenten), ALL):
            for period in calendar_periods(2026):
                requested = Scope(gemeenten if place == ALL else frozenset({place}), period)
                report = build_report(db.session, gemeenten, requested, SETTINGS, str, day)
                for key, table in report.tables.items():
                    found[(f"{place}/{period}", key)] = [
                        [row.label, *(c.text for c in row.cells)] for row in table.rows
                    ]
        db.session.commit()
    return found


def test_the_stored_figures_print_exactly_the_tables_counted_directly(
    any_db_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_history(any_db_app, small_month=True)
    gemeenten = frozenset({DELFT, DEN_HAAG})
    with monkeypatch.context() as without_snapshots:  # every view counted and protected afresh
        without_snapshots.setattr(snapshot, "load", lambda *_args: None)
        without_snapshots.setattr(snapshot, "store", lambda *_args: None)
        direct = every_table(any_db_app, gemeenten, DAY)
    assert snapshots(any_db_app) == []
    every_table(any_db_app, gemeenten, DAY)  # the first view stores the snapshot
    assert snapshots(any_db_app) == [(f"{DELFT},{DEN_HAAG}", 2026, DAY)]
    stored = every_table(any_db_app, gemeenten, DAY)  # every view reads the stored snapshot
    assert stored == direct
    texts = {text for rows in direct.values() for row in rows for text in row}
    assert {"10", "6", "x"} <= texts  # real figures and hidden ones, not just empty tables
    with any_db_app.app_context():
        counts = count_year(db.session, gemeenten, 2026, until=DAY)
        shown, consistent = protect_year(counts)
        kept = snapshot.load(db.session, gemeenten, 2026, DAY, 5)
    assert kept is not None and kept.consistent == consistent
    assert dict(kept.cells) == dict(counts.cells) and dict(kept.shown.status) == dict(shown.status)
    assert dict(kept.shown.published) == dict(shown.published)


def test_the_disclosure_survives_json_exactly() -> None:
    key_a, key_b, key_c = (
        (("routes", "self"), "GM0503", "2026-03"),
        (("routes", "total"), "all", "2026"),
        (
            ("cards", "gp"),
            "desk",
            "2026-Q1",
        ),
    )
    shown = Disclosure(
        5,
        {key_a: Status.SMALL, key_b: Status.PUBLISHED, key_c: Status.COMPLEMENTARY},
        {key_b: 93},
    )
    again = snapshot.decode_disclosure(json.loads(json.dumps(snapshot.encode_disclosure(shown))), 5)
    assert again == shown and again.label(key_a) == "< 5" and again.label(key_c) == "x" and again.value(key_b) == 93
    cells_ = {key_a: 3, key_b: 93}
    assert snapshot.decode_cells(json.loads(json.dumps(snapshot.encode_cells(cells_)))) == cells_


def test_the_nightly_command_makes_the_figures_of_every_monitor_scope_and_deletes_old_ones(
    any_db_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_history(any_db_app)
    delft = delft_monitor(any_db_app)
    make_user(any_db_app, "tweede@delft.example", [Grant(roles.GEMEENTE_MONITOR, municipality_code=DELFT)], totp=False)
    make_user(any_db_app, "regio@ggd.example", [Grant(roles.REGION_MONITOR)], totp=False)
    make_user(any_db_app, "editor@delft.example", [Grant(roles.GEMEENTE_EDITOR, municipality_code=DELFT)], totp=False)
    monkeypatch.setattr("balie.clock.today", lambda: DAY)
    with any_db_app.app_context():
        region = ",".join(sorted(region_municipality_codes(db.session, region_ggd_codes(any_db_app.config))))
        for old in (DAY - timedelta(days=8), DAY - timedelta(days=7)):
            figures = snapshot.YearFigures({}, Disclosure(5, {}, {}), True, utcnow())
            snapshot.store(db.session, {DEN_HAAG}, 2026, old, figures)
        db.session.commit()
    done = any_db_app.test_cli_runner().invoke(args=["monitor", "snapshot"])
    assert done.exit_code == 0, done.output
    assert "6 snapshots for 2 scopes; 1 old snapshots deleted" in done.output
    kept = snapshots(any_db_app)
    assert (DEN_HAAG, 2026, DAY - timedelta(days=8)) not in kept and (DEN_HAAG, 2026, DAY - timedelta(days=7)) in kept
    made = sorted((g, y) for g, y, d in kept if d == DAY)
    assert region
    assert made == sorted([(g, y) for g in (DELFT, region) for y in (2025, 2026, 2027)])
    client = any_db_app.test_client()
    login(client, delft)
    on(monkeypatch, DAY)
    with statements(any_db_app) as seen:
        page = Page(client.get("/monitor?gemeente=GM0503&period=2026-Q1"))
    assert cells(page, "funnel")["Aanmeldingen"] == ["10"]
    assert len(seen) < 20, len(seen)  # the first view of the day did not count: the night did


def test_two_first_views_at_the_same_moment_both_show_the_figures(
    any_db_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_history(any_db_app)
    delft = delft_monitor(any_db_app)
    clients = [any_db_app.test_client(), any_db_app.test_client()]
    for client in clients:
        login(client, delft)
    on(monkeypatch, DAY)
    start = threading.Barrier(2)
    results: list[Any] = [None, None]

    def view(n: int) -> None:
        start.wait()
        try:
            results[n] = clients[n].get("/monitor?gemeente=GM0503&period=2026-Q1")
        except Exception as exc:  # noqa: BLE001 - reported below
            results[n] = exc

    threads = [threading.Thread(target=view, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        assert not isinstance(result, Exception), result
        assert result.status_code == 200
        assert cells(Page(result), "funnel")["Aanmeldingen"] == ["10"]
    assert snapshots(any_db_app) == [(DELFT, 2026, DAY)]


def test_the_migration_goes_down_and_up(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        db.session.remove()
        migrate.downgrade(db.engine, "0017")
        assert "monitor_snapshot" not in inspect(db.engine).get_table_names()
        migrate.upgrade(db.engine)
        assert "monitor_snapshot" in inspect(db.engine).get_table_names()
        assert db.session.scalar(select(func.count()).select_from(MonitorSnapshot)) == 0
