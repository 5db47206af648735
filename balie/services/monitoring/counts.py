"""The shape of every figure the monitor computes: a group of (key, count) rows.

Rows come in a fixed order with zeros included, so two periods or two gemeenten have the same
rows and a small-cell suppression step can treat every group as a table. ``total`` is the number
the group describes; ``partition`` says whether the rows add up to it (then the total and the
other rows together reveal a hidden row, which that step must take into account).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Breakdown:
    rows: tuple[tuple[str, int], ...]
    total: int
    partition: bool = True

    @classmethod
    def of(cls, keys: Iterable[str], found: Mapping[str, int], total: int | None = None) -> Breakdown:
        """The rows for these keys in this order (zero where nothing was found); the total is their
        sum unless given (then the rows overlap or cover part of it, and are no partition)."""
        rows = tuple((key, int(found.get(key, 0))) for key in keys)
        if total is None:
            return cls(rows, sum(count for _key, count in rows))
        return cls(rows, total, partition=False)

    def count(self, key: str) -> int:
        return dict(self.rows)[key]

    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _count in self.rows)

    def share(self, key: str) -> float | None:
        """The row's share of the total (None when the total is zero)."""
        return self.count(key) / self.total if self.total else None
