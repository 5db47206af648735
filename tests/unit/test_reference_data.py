"""The shipped PC4 → gemeente data (GeoNames) checked against CBS address counts per PC4.

For every PC4 the CBS file knows, the desk must give the gemeente where most of its addresses
lie (rang 1), or offer it as a choice. The CBS file is used in tests only (see
balie/data/PROVENANCE.md); it lives in the shared data folder next to the project.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from balie.config import PROJECT_ROOT
from balie.extensions import db
from balie.models import Municipality, PostcodeArea
from balie.services.operations.reference_data import DATA_DIR, load_reference_data
from balie.services.registrations.routing import municipalities_for_pc4

# Next to the project (../shared), or where BALIE_SHARED_DATA points (a CI checkout elsewhere).
CBS_FILE = next(
    (
        folder / "pc4_gemeente_2024.csv"
        for folder in (
            Path(os.environ.get("BALIE_SHARED_DATA", "/nonexistent")),
            PROJECT_ROOT.parent / "shared" / "data",
        )
        if (folder / "pc4_gemeente_2024.csv").exists()
    ),
    PROJECT_ROOT.parent / "shared" / "data" / "pc4_gemeente_2024.csv",
)
GEMEENTEN_2024 = 342


def _dominant_gemeente_per_pc4() -> dict[str, str]:
    with open(CBS_FILE, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    dominant: dict[str, str] = {}
    for row in rows:
        if row["rang"] == "1":
            assert row["pc4"] not in dominant, f"CBS file lists two rank-1 gemeenten for {row['pc4']}"
            dominant[row["pc4"]] = row["gemeentecode"]
    # Sanity: every PC4 in the file has a rank-1 row.
    assert {row["pc4"] for row in rows} == set(dominant)
    return dominant


def _cbs_addresses_per_pc4() -> dict[str, dict[str, int]]:
    """PC4 → {gemeente code: number of addresses} (only gemeenten with addresses are listed)."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    with open(CBS_FILE, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            counts[row["pc4"]][row["gemeentecode"]] = int(row["aantal_adressen"])
    return counts


def _shipped_gemeenten_per_pc4() -> dict[str, list[str]]:
    shipped: dict[str, list[str]] = defaultdict(list)
    with open(DATA_DIR / "pc4_gemeente.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            shipped[row["pc4"]].append(row["gemeentecode"])
    return shipped


@pytest.mark.skipif(not CBS_FILE.exists(), reason=f"CBS reference file {CBS_FILE} not present")
def test_every_gemeente_offered_for_a_postcode_has_addresses_there(app: Flask) -> None:
    """A parent whose postcode lies in several gemeenten is only asked about gemeenten where CBS
    counts addresses of that postcode (PROVENANCE.md lists the 41 choices removed for this)."""
    addresses = _cbs_addresses_per_pc4()
    shipped = _shipped_gemeenten_per_pc4()
    multi = sorted(pc4 for pc4, codes in shipped.items() if len(codes) > 1)

    empty_choices: list[str] = []
    with app.app_context():
        for pc4 in multi:
            offered = [m.code for m in municipalities_for_pc4(db.session, pc4)]
            assert offered == sorted(shipped[pc4]), f"{pc4}: the database holds {offered}, the file {shipped[pc4]}"
            empty_choices += [f"{pc4} {code}" for code in offered if addresses.get(pc4, {}).get(code, 0) == 0]

    assert empty_choices == [], f"gemeenten offered without a single CBS address there: {empty_choices}"
    # What is left are real border areas, each with addresses on both sides.
    assert len(multi) == 17, multi
    assert all(len(addresses[pc4]) == 2 for pc4 in multi)


@pytest.mark.skipif(not CBS_FILE.exists(), reason=f"CBS reference file {CBS_FILE} not present")
def test_every_cbs_pc4_gives_or_offers_its_dominant_gemeente(app: Flask) -> None:
    dominant = _dominant_gemeente_per_pc4()
    assert len(dominant) > 4000

    outcomes: dict[str, list[str]] = defaultdict(list)
    with app.app_context():
        for pc4, code in sorted(dominant.items()):
            options = [m.code for m in municipalities_for_pc4(db.session, pc4)]
            if options == [code]:
                outcomes["exact"].append(pc4)
            elif len(options) > 1 and code in options:
                outcomes["offered"].append(pc4)
            elif not options:
                outcomes["unknown"].append(pc4)
            else:
                outcomes["wrong"].append(f"{pc4}: desk {options}, CBS {code}")

    summary = (
        f"{len(dominant)} PC4s: {len(outcomes['exact'])} exact, {len(outcomes['offered'])} offered as a choice, "
        f"{len(outcomes['unknown'])} unknown to the desk, {len(outcomes['wrong'])} wrong gemeente"
    )
    assert not outcomes["unknown"] and not outcomes["wrong"], (
        summary + f"; unknown: {outcomes['unknown'][:20]}; wrong: {outcomes['wrong'][:20]}"
    )
    assert len(outcomes["exact"]) + len(outcomes["offered"]) == len(dominant), summary
    # Choices are the exception: a parent rarely has to pick her gemeente.
    assert len(outcomes["offered"]) < len(dominant) * 0.05, summary


def test_reference_tables_hold_all_gemeenten_with_a_ggd_region(app: Flask) -> None:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Municipality))
        without_ggd = db.session.scalars(select(Municipality.code).where(Municipality.ggd_code == "")).all()
        orphans = db.session.scalars(
            select(PostcodeArea.pc4).outerjoin(Municipality).where(Municipality.code.is_(None))
        ).all()
        haaglanden = db.session.scalars(
            select(Municipality.name).where(Municipality.ggd_code == "GG7014").order_by(Municipality.name)
        ).all()

    assert count == GEMEENTEN_2024
    assert without_ggd == []
    assert orphans == []
    assert haaglanden == [
        "'s-Gravenhage",
        "Delft",
        "Leidschendam-Voorburg",
        "Midden-Delfland",
        "Pijnacker-Nootdorp",
        "Rijswijk (ZH.)",
        "Wassenaar",
        "Westland",
        "Zoetermeer",
    ]


def test_voorne_aan_zee_postcodes_are_filled_in(app: Flask) -> None:
    # GeoNames leaves these blank since the 2023 merger; PROVENANCE.md says they get GM1992.
    with app.app_context():
        for pc4 in ("3221", "3225", "3231", "3238"):
            assert [m.code for m in municipalities_for_pc4(db.session, pc4)] == ["GM1992"]
        assert [m.code for m in municipalities_for_pc4(db.session, "5592")] == ["GM0858"]


@pytest.mark.parametrize(
    ("pc4", "gemeenten"),
    [
        ("9999", ["Het Hogeland"]),  # offered five gemeenten across the country before
        ("3523", ["Utrecht"]),  # offered Goeree-Overflakkee next to Utrecht
        ("2242", ["Wassenaar"]),  # offered Katwijk next to Wassenaar
        ("7351", ["Apeldoorn", "Ede"]),  # Hoenderloo really lies in both
    ],
)
def test_a_postcode_offers_only_the_gemeenten_where_people_live(app: Flask, pc4: str, gemeenten: list[str]) -> None:
    with app.app_context():
        assert [m.name for m in municipalities_for_pc4(db.session, pc4)] == gemeenten


def test_reloading_the_reference_data_removes_rows_that_left_the_file(app: Flask) -> None:
    """A database loaded before the correction loses the removed choices at the next `flask init`."""
    with app.app_context():
        db.session.add_all(
            [
                PostcodeArea(pc4="2242", municipality_code="GM0537", place_names="Katwijk"),
                PostcodeArea(pc4="9999", municipality_code="GM0599", place_names="Rotterdam"),
            ]
        )
        db.session.commit()
        assert [m.name for m in municipalities_for_pc4(db.session, "2242")] == ["Katwijk", "Wassenaar"]

    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output

    with app.app_context():
        db.session.expire_all()
        assert [m.name for m in municipalities_for_pc4(db.session, "2242")] == ["Wassenaar"]
        assert [m.name for m in municipalities_for_pc4(db.session, "9999")] == ["Het Hogeland"]
        stored = sorted(
            tuple(row) for row in db.session.execute(select(PostcodeArea.pc4, PostcodeArea.municipality_code)).all()
        )
        load_reference_data(db.session)  # and once more: nothing changes the second time
        again = sorted(
            tuple(row) for row in db.session.execute(select(PostcodeArea.pc4, PostcodeArea.municipality_code)).all()
        )
        db.session.rollback()
    in_file = sorted((pc4, code) for pc4, codes in _shipped_gemeenten_per_pc4().items() for code in codes)
    assert stored == in_file == again
