"""The monitor's reference figures: per gemeente and year, the numbers its reach and money are set against.

Public or policy numbers about a gemeente (CBS live births, the gemeente's own target-group size and
budget), never about a person. Every change is kept in reference_figure_change: who set which
figure from what to what, and when.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from balie.models.base import Base, UTCDateTime


class ReferenceFigures(Base):
    """One gemeente's figures for one calendar year; a figure not known is None."""

    __tablename__ = "reference_figures"
    __table_args__ = (UniqueConstraint("municipality_code", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"))
    year: Mapped[int] = mapped_column(Integer)
    live_births: Mapped[int | None] = mapped_column(Integer)
    live_births_source: Mapped[str | None] = mapped_column(String(16))  # entered / cbs_37230ned
    target_group_size: Mapped[int | None] = mapped_column(Integer)  # the gemeente's own estimate
    # In euro cents: an integer is exact on SQLite and PostgreSQL alike (the service speaks Decimal euros).
    budget_cents: Mapped[int | None] = mapped_column(Integer)
    changed_by: Mapped[str | None] = mapped_column(String(36))  # user id; None: a command on the server
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ReferenceFigures {self.municipality_code} {self.year}>"


class ReferenceFigureChange(Base):
    """One figure changed: append-only, so a gemeente can see who set her budget or births and when."""

    __tablename__ = "reference_figure_change"
    __table_args__ = (Index("ix_reference_figure_change_municipality_year", "municipality_code", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    figure: Mapped[str] = mapped_column(String(24))  # live_births / target_group_size / budget_cents
    old_value: Mapped[int | None] = mapped_column(Integer)
    new_value: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))  # entered / cbs_37230ned
    changed_by: Mapped[str | None] = mapped_column(String(36))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ReferenceFigureChange {self.municipality_code} {self.year} {self.figure}>"


class MonitorSnapshot(Base):
    """The monitor's figures of one year for one set of gemeenten, as of the start of one day.

    Aggregates only: the year's base counts (table category × gemeente × month) and what the
    suppression publishes (the published numbers and the status of every hidden figure), as JSON
    written by balie.services.monitoring.snapshot. No id, no reference, no date finer than a month."""

    __tablename__ = "monitor_snapshot"
    __table_args__ = (UniqueConstraint("gemeenten", "year", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gemeenten: Mapped[str] = mapped_column(String(2000))  # the CBS codes, sorted, joined by ","
    year: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date, index=True)  # counted: received before this day (Dutch date)
    threshold: Mapped[int] = mapped_column(Integer)
    consistent: Mapped[bool] = mapped_column(Boolean)
    counts: Mapped[list[list[str | int]]] = mapped_column(JSON)
    disclosure: Mapped[dict[str, list[list[str | int]]]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<MonitorSnapshot {self.year} {self.day}>"
