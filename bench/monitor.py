"""Benchmark: the monitor's figures on a generated two-year history of the demo region.

Builds 10,000 registrations over 24 months in the 9 gemeenten with ``flask demo monitor`` (the real
services, month by month) into a throwaway SQLite database, then prints p50/p95/max of:

  (a) one calendar year's funnel + timeliness + equity for all gemeenten of the region;
  (b) the same for one gemeente (Delft) and one month;
  (c) the 24-month series: ``funnel.monthly`` over the last 24 whole months, all gemeenten;
  (d) for comparison, (c) the old way: ``funnel.funnel`` once per month;
  (e) the monitor page itself (GET /monitor through the Flask test client, logged in as a regional
      monitor, the access-log row included): cold, without the day's figures stored (the first view
      of the day counts, protects and stores the year), and warm, with them stored (every other view:
      ``--pages`` views of different gemeenten and periods of last year).

Generating takes minutes, so the database is kept between runs as
``<temp>/balie-bench-monitor/history-<registrations>-<months>-<seed>-<month made>.sqlite3`` (a new
one each calendar month, as "now" moves; ``--fresh`` makes it again). The timed part only reads.

With ``--postgres`` the same on a throwaway PostgreSQL server (the tests' ``PostgresServer``), where the
history is generated again each run (minutes).

Run: ``.venv/bin/python bench/monitor.py [--registrations N] [--months N] [--repeat N] [--pages N] [--cold N]
[--fresh] [--postgres]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, func, select

from balie import create_app, migrate
from balie.clock import today
from balie.config import region_ggd_codes
from balie.extensions import db
from balie.models import MonitorSnapshot, Registration, RegistrationEvent
from balie.services.monitoring import equity, funnel, timeliness
from balie.services.monitoring.cohort import month_range
from balie.services.monitoring.disclosure import calendar_periods
from balie.services.monitoring.periods import Period, PeriodKind
from balie.services.monitoring.scope import region_municipality_codes

DELFT = "GM0503"
CACHE = Path(tempfile.gettempdir()) / "balie-bench-monitor"


def settings(folder: Path, url: str) -> dict[str, object]:
    return {
        "TESTING": True,
        "DATABASE_URL": url,
        "SEARCH_INDEX_DIR": str(folder / "search"),
        "AUDIT_HEAD_FILE": str(folder / "audit-head.json"),
        "MAIL_DIR": str(folder / "mail"),
    }


def build(url: str, folder: Path, registrations: int, months: int, seed: int) -> float:
    """Schema, reference data, kaart and the history in the (empty) database; the seconds
    ``demo monitor`` took."""
    app = create_app(settings(folder, url))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    started = time.perf_counter()
    result = runner.invoke(
        args=["demo", "monitor", "--months", str(months), "--registrations", str(registrations), "--seed", str(seed)]
    )
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    print(result.output.strip())
    with app.app_context():
        db.engine.dispose()
    return seconds


def sqlite_history(registrations: int, months: int, seed: int, fresh: bool) -> Path:
    """The cached SQLite database with the history (generated when missing or ``fresh``)."""
    made_in = today().strftime("%Y-%m")
    database = CACHE / f"history-{registrations}-{months}-{seed}-{made_in}.sqlite3"
    if fresh or not database.exists():
        folder = Path(tempfile.mkdtemp(prefix="balie-bench-monitor-build-"))
        try:
            seconds = build(f"sqlite:///{folder / 'history.sqlite3'}", folder, registrations, months, seed)
            database.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / "history.sqlite3", database)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        print(f"generated in {seconds:.0f} s through the real services; kept as {database}")
    else:
        print(f"using the history generated before: {database} (--fresh to make it again)")
    return database


def timed(repeat: int, work: Callable[[], object]) -> tuple[float, float, float]:
    for _ in range(3):  # warm-up: page cache, statement cache
        work()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def measure(engine: str, url: str, folder: Path, repeat: int) -> None:
    """Time the figures on the database at ``url`` and print them."""
    app = create_app(settings(folder, url))
    with app.app_context():
        session = db.session
        region = region_municipality_codes(session, region_ggd_codes(app.config))
        last_month = Period.containing(PeriodKind.MONTH, today()).previous()
        first_month = last_month
        for _ in range(23):
            first_month = first_month.previous()
        year = Period.containing(PeriodKind.YEAR, today()).previous()
        stored = session.scalar(select(func.count()).select_from(Registration))
        events = session.scalar(select(func.count()).select_from(RegistrationEvent))

        def figures(gemeenten: frozenset[str] | set[str], period: Period) -> None:
            funnel.funnel(session, gemeenten, period)
            timeliness.timeliness(session, gemeenten, period)
            equity.equity(session, gemeenten, period)

        def series_one_by_one() -> None:
            for month in month_range(first_month, last_month):
                funnel.funnel(session, region, month)

        rows = (
            (f"(a) year {year}: funnel+timeliness+equity, {len(region)} gemeenten", lambda: figures(region, year)),
            (f"(b) {last_month}, Delft: funnel+timeliness+equity", lambda: figures({DELFT}, last_month)),
            (
                f"(c) 24 months {first_month}..{last_month}: funnel.monthly",
                lambda: funnel.monthly(session, region, first_month, last_month),
            ),
            ("(d) the same, funnel.funnel per month", series_one_by_one),
        )
        results = [(label, timed(repeat, work)) for label, work in rows]
        year_count = funnel.funnel(session, region, year).registrations
        db.engine.dispose()
    print(
        f"machine: {os.cpu_count()} cores; {engine}; {stored} registrations ({year_count} in {year}), {events} events; "
        f"{repeat} timed runs each after 3 warm-up runs"
    )
    print(f"{'figures':<62}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for label, (p50, p95, worst) in results:
        print(f"{label:<62}{p50:>9.1f}{p95:>9.1f}{worst:>9.1f}")


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)], ordered[-1]


def measure_page(engine: str, url: str, folder: Path, pages: int, cold_runs: int) -> None:
    """(e) GET /monitor for a logged-in regional monitor: cold (no snapshot of the day) and warm."""
    import random

    from balie.domain import roles
    from balie.services.accounts.lifecycle import Grant
    from tests.support.accounts import login, make_user

    app = create_app(settings(folder, url))
    with app.app_context():
        migrate.upgrade(db.engine)  # a history kept from before the snapshot table
        region = sorted(region_municipality_codes(db.session, region_ggd_codes(app.config)))
    monitor = make_user(app, f"regio-{time.time_ns()}@bench.example", [Grant(roles.REGION_MONITOR)], totp=False)
    client = app.test_client()
    login(client, monitor)
    year = today().year - 1

    def view(place: str, period: str) -> float:
        started = time.perf_counter()
        response = client.get(f"/monitor?gemeente={place}&period={period}")
        took = (time.perf_counter() - started) * 1000
        assert response.status_code == 200 and b'id="table-funnel"' in response.data, (place, period)
        return took

    def forget_the_day() -> None:
        with app.app_context():
            db.session.execute(delete(MonitorSnapshot))
            db.session.commit()

    cold = []
    for _ in range(cold_runs):
        forget_the_day()
        cold.append(view("all", str(year)))
    views = [(place, period) for place in ("all", *region) for period in calendar_periods(year)]
    chosen = random.Random(1).sample(views, min(pages, len(views)))
    for place, period in chosen[:3]:  # warm-up
        view(place, period)
    warm = [view(place, period) for place, period in chosen]
    with app.app_context():
        db.engine.dispose()
    print(f"(e) the monitor page, {engine}, regional monitor ({len(region)} gemeenten), year {year}:")
    print(f"{'page':<62}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for label, samples in (
        (f"cold: first view of the day, {cold_runs} runs", cold),
        (f"warm: day's figures stored, {len(warm)} views (gemeente x period)", warm),
    ):
        p50, p95, worst = percentiles(samples)
        print(f"{label:<62}{p50:>9.1f}{p95:>9.1f}{worst:>9.1f}")


def postgres(registrations: int, months: int, seed: int, repeat: int, pages: int) -> None:
    """The same on a throwaway PostgreSQL server (the tests' one); generated anew every run."""
    from tests.support.databases import PostgresServer

    server = PostgresServer().start()
    folder = Path(tempfile.mkdtemp(prefix="balie-bench-monitor-pg-"))
    try:
        url = server.url(server.create_database())
        seconds = build(url, folder, registrations, months, seed)
        print(f"generated in {seconds:.0f} s through the real services (PostgreSQL, not kept)")
        measure("PostgreSQL", url, folder, repeat)
        measure_page("PostgreSQL", url, folder, pages, 1)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrations", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--pages", type=int, default=50, help="warm page views to time")
    parser.add_argument("--cold", type=int, default=1, help="cold page views to time (each counts the year)")
    parser.add_argument("--fresh", action="store_true", help="generate again even when a cached database exists")
    parser.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL server (minutes)")
    args = parser.parse_args()
    database = sqlite_history(args.registrations, args.months, args.seed, args.fresh)
    folder = Path(tempfile.mkdtemp(prefix="balie-bench-monitor-"))
    try:
        working = folder / "history.sqlite3"
        shutil.copyfile(database, working)
        measure("SQLite", f"sqlite:///{working}", folder, args.repeat)
        measure_page("SQLite", f"sqlite:///{working}", folder, args.pages, args.cold)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.postgres:
        postgres(args.registrations, args.months, args.seed, args.repeat, args.pages)


if __name__ == "__main__":
    main()
