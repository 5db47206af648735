"""Who sees which gemeenten in the monitor, and the reference figures they keep (issue 13).

On SQLite and PostgreSQL. The region is GGD Haaglanden's nine gemeenten; the JGZ organisations'
service areas are those of their home-visit services in sociale_kaart/ (counted by hand below).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from balie.config import region_ggd_codes
from balie.domain import roles
from balie.extensions import db
from balie.models import ReferenceFigureChange, ReferenceFigures, RoleGrant
from balie.services.monitoring import cbs_births, reference_figures
from balie.services.monitoring.reference_figures import FiguresEntry, InvalidFigures
from balie.services.monitoring.scope import MonitorScope, monitor_scope, reference_figures_scope
from tests.support.accounts import DELFLAND, HOFSTAD

# Delft, Den Haag, Rijswijk, Wassenaar, Zoetermeer, Westland, Midden-Delfland, Leidschendam-Voorburg,
# Pijnacker-Nootdorp: GGD Haaglanden (GG7014) in the CBS 2024 indeling.
REGION = frozenset({"GM0503", "GM0518", "GM0603", "GM0629", "GM0637", "GM1783", "GM1842", "GM1916", "GM1926"})
HOFSTAD_AREA = frozenset({"GM0518", "GM0629", "GM0637", "GM1916"})
DELFLAND_AREA = frozenset({"GM0503", "GM0603", "GM1783", "GM1842", "GM1926"})
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "cbs-37230ned" / "37230ned_made_up_numbers.csv"
NOW = datetime(2025, 11, 3, 10, 0, tzinfo=UTC)
LATER = datetime(2025, 11, 4, 9, 30, tzinfo=UTC)


def view_scope(app: Flask, *given: RoleGrant) -> frozenset[str]:
    with app.app_context():
        return monitor_scope(db.session, given, region_ggd_codes(app.config)).municipality_codes


def test_a_gemeente_monitor_sees_her_own_gemeenten_only(any_db_app: Flask) -> None:
    delft = RoleGrant(role=roles.GEMEENTE_MONITOR, municipality_code="GM0503")
    assert view_scope(any_db_app, delft) == {"GM0503"}
    assert "GM0518" not in view_scope(any_db_app, delft)
    rijswijk = RoleGrant(role=roles.GEMEENTE_MONITOR, municipality_code="GM0603")
    assert view_scope(any_db_app, delft, rijswijk) == {"GM0503", "GM0603"}


def test_a_regional_monitor_sees_every_gemeente_of_the_region(any_db_app: Flask) -> None:
    assert view_scope(any_db_app, RoleGrant(role=roles.REGION_MONITOR)) == REGION


def test_a_jgz_monitor_sees_her_organisations_service_area(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        found = monitor_scope(
            db.session,
            [RoleGrant(role=roles.JGZ_MONITOR, organisation_id=HOFSTAD)],
            region_ggd_codes(any_db_app.config),
        )
    assert found.municipality_codes == HOFSTAD_AREA and found.organisation_ids == {HOFSTAD}
    assert view_scope(any_db_app, RoleGrant(role=roles.JGZ_MONITOR, organisation_id=DELFLAND)) == DELFLAND_AREA


def test_other_roles_give_no_monitor_figures(any_db_app: Flask) -> None:
    """A JGZ nurse, a gemeente editor, an administrator: no gemeente at all, until given a monitor role."""
    others = (
        RoleGrant(role=roles.JGZ_STAFF, organisation_id=HOFSTAD),
        RoleGrant(role=roles.GEMEENTE_EDITOR, municipality_code="GM0518"),
        RoleGrant(role=roles.ADMIN),
        RoleGrant(role=roles.MODERATOR),
    )
    assert view_scope(any_db_app, *others) == frozenset()
    # The nurse who is also monitor of Delft sees Delft, not Hofstad's service area.
    assert view_scope(any_db_app, *others, RoleGrant(role=roles.GEMEENTE_MONITOR, municipality_code="GM0503")) == {
        "GM0503"
    }


def test_a_jgz_monitor_reads_but_does_not_set_reference_figures(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        codes = region_ggd_codes(any_db_app.config)
        jgz = [RoleGrant(role=roles.JGZ_MONITOR, organisation_id=HOFSTAD)]
        assert reference_figures_scope(db.session, jgz, codes).municipality_codes == frozenset()
        gemeente = [RoleGrant(role=roles.GEMEENTE_MONITOR, municipality_code="GM0518")]
        assert reference_figures_scope(db.session, gemeente, codes).municipality_codes == {"GM0518"}


# --- reference figures ---------------------------------------------------------------------------------

DELFT = MonitorScope(frozenset({"GM0503"}))


def stored(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(ReferenceFigures)) or 0,
            db.session.scalar(select(func.count()).select_from(ReferenceFigureChange)) or 0,
        )


def save(app: Flask, entry: FiguresEntry, who: str = "user-delft", now: datetime = NOW) -> None:
    with app.app_context(), db.writing():
        reference_figures.save(db.session, DELFT, entry, who, now)
        db.commit()


def test_figures_are_stored_and_their_history_says_who_changed_what(any_db_app: Flask) -> None:
    save(any_db_app, FiguresEntry("GM0503", 2024, live_births=1029, budget=Decimal("38500.00")))
    save(
        any_db_app,
        FiguresEntry("GM0503", 2024, live_births=1031, target_group_size=150, budget=Decimal("38500.00")),
        who="user-other",
        now=LATER,
    )
    with any_db_app.app_context():
        figures = reference_figures.get(db.session, "GM0503", 2024)
        history = reference_figures.history(db.session, "GM0503", 2024)
    assert figures is not None
    assert (figures.live_births, figures.target_group_size, figures.budget) == (1031, 150, Decimal("38500.00"))
    assert figures.live_births_source == reference_figures.SOURCE_ENTERED
    assert (figures.changed_by, figures.changed_at) == ("user-other", LATER)
    # Newest first; the budget that stayed the same is not a change.
    assert [(c.figure, c.old_value, c.new_value, c.changed_by) for c in history] == [
        ("target_group_size", None, 150, "user-other"),
        ("live_births", 1029, 1031, "user-other"),
        ("budget", None, Decimal("38500.00"), "user-delft"),
        ("live_births", None, 1029, "user-delft"),
    ]
    assert stored(any_db_app) == (1, 4)


def test_a_save_that_changes_nothing_adds_no_history(any_db_app: Flask) -> None:
    entry = FiguresEntry("GM0503", 2024, live_births=1029)
    save(any_db_app, entry)
    save(any_db_app, entry, now=LATER)
    assert stored(any_db_app) == (1, 1)
    with any_db_app.app_context():
        figures = reference_figures.get(db.session, "GM0503", 2024)
    assert figures is not None and figures.changed_at == NOW


@pytest.mark.parametrize(
    "entry, problems",
    [
        (FiguresEntry("GM0518", 2024, live_births=6012), [("municipality_code", "outside_scope")]),
        (FiguresEntry("GM0503", 2024, live_births=0), [("live_births", "out_of_range")]),
        (FiguresEntry("GM0503", 2024, live_births=20_001), [("live_births", "out_of_range")]),
        (FiguresEntry("GM0503", 2024, target_group_size=-3), [("target_group_size", "out_of_range")]),
        (FiguresEntry("GM0503", 2024, budget=Decimal("0")), [("budget", "out_of_range")]),
        (FiguresEntry("GM0503", 2024, budget=Decimal("12000.005")), [("budget", "not_whole_cents")]),
        (FiguresEntry("GM0503", 2024, budget=Decimal("10000000.01")), [("budget", "out_of_range")]),
        (FiguresEntry("GM0503", 1999, live_births=900), [("year", "year_out_of_range")]),
        (FiguresEntry("GM0503", 2026, live_births=900), [("year", "year_out_of_range")]),  # births of next year
        (
            FiguresEntry("GM0518", 2024, live_births=0, budget=Decimal("-1")),
            [("municipality_code", "outside_scope"), ("live_births", "out_of_range"), ("budget", "out_of_range")],
        ),
    ],
)
def test_wrong_figures_are_refused_all_at_once_and_nothing_is_stored(
    any_db_app: Flask, entry: FiguresEntry, problems: list[tuple[str, str]]
) -> None:
    with pytest.raises(InvalidFigures) as refused:
        save(any_db_app, entry)
    assert [(p.field, p.code) for p in refused.value.problems] == problems
    assert stored(any_db_app) == (0, 0)


def test_a_budget_and_target_for_next_year_can_be_set_ahead(any_db_app: Flask) -> None:
    save(any_db_app, FiguresEntry("GM0503", 2026, target_group_size=160, budget=Decimal("40000")))
    with any_db_app.app_context():
        figures = reference_figures.figures(db.session, ["GM0503", "GM0518"], [2025, 2026])
    assert list(figures) == [("GM0503", 2026)]
    assert figures["GM0503", 2026].budget == Decimal("40000.00") and figures["GM0503", 2026].live_births is None


# --- the CBS import ----------------------------------------------------------------------------------


def import_file(app: Flask, scope: frozenset[str], data: bytes) -> cbs_births.Imported:
    with app.app_context(), db.writing():
        imported = cbs_births.import_births(db.session, MonitorScope(scope), data, "user-region", NOW, 2**21)
        db.commit()
        return imported


def test_the_import_stores_the_births_of_the_gemeenten_in_scope(any_db_app: Flask) -> None:
    imported = import_file(any_db_app, REGION, SAMPLE.read_bytes())
    assert imported.file.ok and imported.changed == 2
    with any_db_app.app_context():
        figures = reference_figures.figures(db.session, REGION | {"GM0363"}, [2024, 2025])
    assert {key: f.live_births for key, f in figures.items()} == {("GM0503", 2024): 1029, ("GM0518", 2024): 6012}
    assert {f.live_births_source for f in figures.values()} == {reference_figures.SOURCE_CBS}
    # Imported again: nothing changes, no new history.
    assert import_file(any_db_app, REGION, SAMPLE.read_bytes()).changed == 0
    assert stored(any_db_app) == (2, 2)


def test_a_gemeente_monitor_imports_only_her_own_gemeente(any_db_app: Flask) -> None:
    imported = import_file(any_db_app, frozenset({"GM0518"}), SAMPLE.read_bytes())
    assert imported.changed == 1 and imported.file.outside_scope == ["GM0363", "GM0503", "GM0603"]
    with any_db_app.app_context():
        assert reference_figures.get(db.session, "GM0503", 2024) is None
        found = reference_figures.get(db.session, "GM0518", 2024)
    assert found is not None and found.live_births == 6012


def test_a_file_with_one_bad_row_stores_nothing(any_db_app: Flask) -> None:
    data = SAMPLE.read_bytes() + b'"99";"GM9999    ";"2024JJ00";"1";"80";"1"\r\n'
    imported = import_file(any_db_app, REGION, data)
    assert [(p.row, p.code, p.value) for p in imported.file.problems] == [(30, "unknown_gemeente", "GM9999")]
    assert imported.changed == 0
    assert stored(any_db_app) == (0, 0)


# --- the command ------------------------------------------------------------------------------------


def test_the_command_imports_a_file_and_lists_what_it_left_out(any_db_app: Flask, tmp_path: Path) -> None:
    runner = any_db_app.test_cli_runner()
    result = runner.invoke(args=["monitor", "import-births", str(SAMPLE), "--gemeente", "GM0503"])
    assert result.exit_code == 0, result.output
    assert "not stored (not imported for these gemeenten): GM0363, GM0518, GM0603" in result.output
    assert "live births read for 1 gemeente-year(s) (2024: 1029); 1 changed" in result.output
    assert stored(any_db_app) == (1, 1)

    broken = tmp_path / "export.csv"
    broken.write_bytes(SAMPLE.read_bytes() + b'"99";"GM9999    ";"2024JJ00";"1";"80";"1"\r\n')
    refused = runner.invoke(args=["monitor", "import-births", str(broken)])
    assert refused.exit_code == 1
    assert "Row 30: unknown gemeente GM9999." in refused.output and "Nothing stored." in refused.output
    assert stored(any_db_app) == (1, 1)

    outside = runner.invoke(args=["monitor", "import-births", str(SAMPLE), "--gemeente", "GM0363"])
    assert outside.exit_code != 0 and "not a gemeente of the region: GM0363" in outside.output
