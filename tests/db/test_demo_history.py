"""`flask demo monitor`: a made-up history through the real services, in the past, repeatable, never twice,
never in production."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from balie.clock import ZONE
from balie.config import region_ggd_codes
from balie.extensions import data_keys, db
from balie.models import Registration, RegistrationEvent
from balie.services import outbox
from balie.services.monitoring import demo_history, equity, funnel
from balie.services.monitoring.periods import Period
from balie.services.monitoring.scope import region_municipality_codes
from balie.services.registrations import personal_data
from tests.conftest import TEST_SECRET, make_app
from tests.support.databases import copy_sqlite
from tests.support.directory import dispose

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
START = datetime(2026, 1, 1, tzinfo=ZONE)  # six months before July: from 1 January, Dutch time
SIZE = demo_history.DemoSize(months=6, registrations=150, seed=3)
FIRST, LAST = Period.parse("2026-01"), Period.parse("2026-07")


def _generate(app: Flask, size: demo_history.DemoSize = SIZE) -> demo_history.DemoHistory:
    settings = demo_history.DemoSettings(
        keys=data_keys(),
        region_ggd_codes=region_ggd_codes(app.config),
        purge_weeks_after_due=6,
        purge_days_after_close=30,
        secret=TEST_SECRET,
    )
    with db.writing():
        made = demo_history.generate(db.session, settings, size, NOW)
        db.session.commit()
    return made


def test_the_history_is_what_it_says_and_lies_in_the_past(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        made = _generate(any_db_app)
        session = db.session
        region = region_municipality_codes(session, region_ggd_codes(any_db_app.config))
        stored = session.scalar(select(func.count()).select_from(Registration))
        received = session.execute(select(func.min(Registration.created_at), func.max(Registration.created_at))).one()
        events = session.execute(
            select(func.min(RegistrationEvent.occurred_at), func.max(RegistrationEvent.occurred_at))
        ).one()
        per_gemeente = {
            code: int(count)
            for code, count in session.execute(
                select(Registration.municipality_code, func.count()).group_by(Registration.municipality_code)
            )
        }
        overdue = session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.purged_at.is_(None), Registration.purge_after <= NOW.date())
        )
        kept = session.scalars(select(Registration).where(Registration.purged_at.is_(None))).all()
        months = funnel.monthly(session, region, FIRST, LAST)
        waiting = outbox.pending_count(session)
        names = {personal_data.open_details(r, data_keys()).name.split()[0] for r in kept}
    # every parent once, a parent who registered twice once more; the monitor counts the merged one once
    assert stored == made.registrations >= SIZE.registrations
    assert sum(f.registrations for f in months.values()) == made.registrations - made.merged
    assert START <= received[0] and received[1] < NOW
    assert START <= events[0] and events[1] < NOW
    assert made.steps > made.registrations  # the inbox took steps
    # the retention job ran as the months went by: nothing kept past its purge date
    assert overdue == 0 and made.purged > 0
    assert set(per_gemeente) <= region and max(per_gemeente, key=per_gemeente.__getitem__) == "GM0518"
    assert kept and names == {"Voorbeeldouder"}
    assert waiting == 0  # no demo mail waits for `make mail`
    declared = dict(demo_history.ROUTES)
    total_routes = {key: sum(f.routes.count(key) for f in months.values()) for key in declared}
    counted = sum(total_routes.values())
    for route, percent in declared.items():
        assert abs(total_routes[route] / counted * 100 - percent) <= 15, (route, total_routes)


def test_the_same_seed_gives_the_same_figures(app: Flask, sqlite_template_path: Path, tmp_path: Path) -> None:
    other = make_app(copy_sqlite(sqlite_template_path, tmp_path / "other.sqlite3"), tmp_path / "other")
    figures = []
    for each in (app, other):
        with each.app_context():
            _generate(each)
            region = region_municipality_codes(db.session, region_ggd_codes(each.config))
            figures.append(
                (
                    funnel.monthly(db.session, region, FIRST, LAST),
                    equity.equity(db.session, region, Period.parse("2026-H1")),
                )
            )
    dispose(other)
    assert figures[0] == figures[1]
    assert figures[0][0][Period.parse("2026-03")].registrations > 0


def test_the_command_adds_a_history_once(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "monitor", "--months", "2", "--registrations", "20", "--seed", "4"])
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Registration))
    again = runner.invoke(args=["demo", "monitor", "--months", "2", "--registrations", "20"])
    with app.app_context():
        after = db.session.scalar(select(func.count()).select_from(Registration))
    assert first.exit_code == 0, first.output
    assert f"demo history of 2 months: {count} registrations" in first.output and count is not None and count >= 20
    assert again.exit_code == 0
    assert "holds registrations already: no demo history added" in again.output
    assert after == count


def test_the_command_refuses_production(app: Flask) -> None:
    app.config["ENV"] = "production"
    result = app.test_cli_runner().invoke(args=["demo", "monitor", "--months", "1", "--registrations", "5"])
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Registration))
    assert result.exit_code == 1
    assert "Refused: BALIE_ENV is production" in result.output
    assert count == 0
