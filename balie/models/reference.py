"""CBS reference data: gemeenten and which gemeenten a four-digit postcode (PC4) lies in."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from balie.models.base import Base


class Municipality(Base):
    """A gemeente in the CBS 2024 indeling, with its GGD-regio."""

    __tablename__ = "municipality"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)  # GM0518
    name: Mapped[str] = mapped_column(String(80))
    province: Mapped[str] = mapped_column(String(40))
    ggd_code: Mapped[str] = mapped_column(String(6), index=True)  # GG7014
    ggd_name: Mapped[str] = mapped_column(String(80))

    def __repr__(self) -> str:
        return f"<Municipality {self.code}>"


class PostcodeArea(Base):
    """One (PC4, gemeente) pair; a PC4 on a border has several."""

    __tablename__ = "postcode_area"

    pc4: Mapped[str] = mapped_column(String(4), primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), primary_key=True)
    place_names: Mapped[str] = mapped_column(String(200), default="")

    municipality: Mapped[Municipality] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<PostcodeArea {self.pc4} {self.municipality_code}>"
