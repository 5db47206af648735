"""Load the CBS/GeoNames reference data shipped in balie/data into the database."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from balie.models import Municipality, PostcodeArea

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class ReferenceCounts:
    municipalities: int
    postcode_areas: int


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_reference_data(session: Session) -> ReferenceCounts:
    """Make the reference tables equal to the shipped files (idempotent)."""
    ggd = {row["gemeentecode"]: row for row in _rows("gemeente_ggd_2024.csv")}
    existing = {m.code: m for m in session.scalars(select(Municipality))}
    for row in _rows("gemeenten_2024.csv"):
        code = row["GemeentecodeGM"]
        municipality = existing.get(code) or Municipality(code=code)
        municipality.name = row["Gemeentenaam"]
        municipality.province = row["Provincienaam"]
        municipality.ggd_code = ggd[code]["ggd_code"]
        municipality.ggd_name = ggd[code]["ggd_naam"]
        session.add(municipality)
    session.flush()
    session.execute(delete(PostcodeArea))
    session.add_all(
        PostcodeArea(pc4=row["pc4"], municipality_code=row["gemeentecode"], place_names=row["plaatsnamen"])
        for row in _rows("pc4_gemeente.csv")
    )
    session.flush()
    return ReferenceCounts(
        municipalities=session.scalar(select(func.count()).select_from(Municipality)) or 0,
        postcode_areas=session.scalar(select(func.count()).select_from(PostcodeArea)) or 0,
    )
