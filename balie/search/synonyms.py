"""Synonyms kept as data (sociale_kaart/synonyms.yaml): a word in a group finds the others.

Each group member is analysed like the index (stems), so "schulden" in a query also finds
a text that says "schuldhulpverlening". Members may be several words ("stoppen met roken");
a query that contains them in a row is matched as that unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from balie.search.analysis import terms

Alternative = tuple[str, ...]


@dataclass(frozen=True)
class Synonyms:
    groups: tuple[frozenset[Alternative], ...]

    @classmethod
    def load(cls, path: Path | str) -> Synonyms:
        path = Path(path)
        if not path.exists():
            return cls(())
        with open(path, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle) or []
        groups = []
        for group in raw:
            alternatives = frozenset(tuple(terms(str(member))) for member in group) - {()}
            if len(alternatives) > 1:
                groups.append(alternatives)
        return cls(tuple(groups))

    @property
    def _longest(self) -> int:
        return max((len(a) for group in self.groups for a in group), default=1)

    def units(self, stems: list[str]) -> list[tuple[Alternative, frozenset[Alternative]]]:
        """Split query stems into units (longest synonym match first) with their alternatives."""
        units: list[tuple[Alternative, frozenset[Alternative]]] = []
        i = 0
        while i < len(stems):
            for size in range(min(self._longest, len(stems) - i), 0, -1):
                candidate = tuple(stems[i : i + size])
                related = frozenset().union(*(g for g in self.groups if candidate in g)) if size else frozenset()
                if related or size == 1:
                    units.append((candidate, related - {candidate}))
                    i += size
                    break
        return units
