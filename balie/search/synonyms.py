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
    topics: tuple[str, ...] = ()  # per group its first member as written: the topic it stands for
    words: tuple[str, ...] = ()  # every member as written

    @classmethod
    def from_lists(cls, raw: list[list[str]]) -> Synonyms:
        groups: list[frozenset[Alternative]] = []
        topics: list[str] = []
        words: list[str] = []
        for group in raw:
            members = [str(member) for member in group]
            alternatives = frozenset(tuple(terms(member)) for member in members) - {()}
            if len(alternatives) > 1:
                groups.append(alternatives)
                topics.append(members[0])
                words.extend(members)
        return cls(tuple(groups), tuple(topics), tuple(words))

    @classmethod
    def load(cls, path: Path | str) -> Synonyms:
        path = Path(path)
        if not path.exists():
            return cls(())
        with open(path, encoding="utf-8") as handle:
            return cls.from_lists(yaml.safe_load(handle) or [])

    def topics_of(self, unit: Alternative) -> list[str]:
        """The topics a query unit was also searched as (not the one it names itself)."""
        return [
            topic
            for group, topic in zip(self.groups, self.topics, strict=False)
            if unit in group and tuple(terms(topic)) != unit
        ]

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
