"""Synonyms kept as data (sociale_kaart/synonyms.yaml): a word in a group finds the others.

Each group member is analysed like the index (stems), so "schulden" in a query also finds
a text that says "schuldhulpverlening". Members may be several words ("stoppen met roken");
a query that contains them in a row is matched as that unit.

English queries go through a one-way layer kept next to it (synonyms_en.yaml): an English
word or phrase is searched as the Dutch word(s) it stands for (and their Dutch synonyms), and
English filler words ("the", "my", "with") are left out of the query. One way only: a Dutch
word never finds an English entry's other meanings. It applies to every query: the content is
Dutch, and the English words chosen are checked against the Dutch vocabulary (a test).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from balie.search.analysis import terms

Alternative = tuple[str, ...]


def english_file(path: Path) -> Path:
    """The English layer kept next to a synonyms file: synonyms.yaml → synonyms_en.yaml."""
    return path.with_name(f"{path.stem}_en{path.suffix}")


def _read(path: Path) -> Any:
    if not path.exists():
        return None
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@dataclass(frozen=True)
class Synonyms:
    groups: tuple[frozenset[Alternative], ...]
    # English stems (without filler words) → the Dutch alternatives they stand for, first = main one
    translations: Mapping[Alternative, tuple[Alternative, ...]] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()  # stems of English filler words, left out of queries
    topics: tuple[str, ...] = ()  # per group its first member as written: the topic it stands for
    words: tuple[str, ...] = ()  # every member as written
    # The topics' names in English ("schulden" → "debts"), for "We also searched for" on English pages.
    topic_names_en: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | str) -> Synonyms:
        path = Path(path)
        groups: list[frozenset[Alternative]] = []
        topics: list[str] = []
        words: list[str] = []
        for group in _read(path) or []:
            members = [str(member) for member in group]
            alternatives = frozenset(tuple(terms(member)) for member in members) - {()}
            if len(alternatives) > 1:
                groups.append(alternatives)
                topics.append(members[0])
                words.extend(members)
        english = _read(english_file(path)) or {}
        ignored = frozenset(stem for word in english.get("filler words", []) for stem in terms(str(word)))
        translations: dict[Alternative, tuple[Alternative, ...]] = {}
        for phrase, dutch in (english.get("words") or {}).items():
            key = tuple(stem for stem in terms(str(phrase)) if stem not in ignored)
            targets = tuple(dict.fromkeys(t for t in (tuple(terms(str(d))) for d in dutch) if t))
            if key and targets:
                translations[key] = tuple(dict.fromkeys((*translations.get(key, ()), *targets)))
        topic_names_en = {str(dutch): str(name) for dutch, name in (english.get("topics") or {}).items()}
        return cls(tuple(groups), translations, ignored, tuple(topics), tuple(words), topic_names_en)

    def topic_names(self, topics: Iterable[str], language: str) -> list[str]:
        """The topics as a page in ``language`` names them (Dutch when there is no name)."""
        names = self.topic_names_en if language == "en" else {}
        return [names.get(topic, topic) for topic in topics]

    def topics_of(self, unit: Alternative) -> list[str]:
        """The topics a query unit was also searched as (not the one it names itself)."""
        return [
            topic
            for group, topic in zip(self.groups, self.topics, strict=False)
            if unit in group and tuple(terms(topic)) != unit
        ]

    @cached_property
    def _longest(self) -> int:
        return max((len(a) for a in (*(a for group in self.groups for a in group), *self.translations)), default=1)

    @cached_property
    def _english_stems(self) -> frozenset[str]:
        return frozenset(stem for key in self.translations for stem in key) | self.ignored

    @cached_property
    def _dutch_stems(self) -> frozenset[str]:
        return frozenset(stem for group in self.groups for alternative in group for stem in alternative)

    def knows(self, stem: str) -> bool:
        """A word the synonyms give a meaning (so it is not taken for a typo), also one of a
        phrase ("bang" of "bang voor mijn man")."""
        return stem in self._english_stems or stem in self._dutch_stems

    def _related(self, alternative: Alternative) -> frozenset[Alternative]:
        return frozenset().union(*(g for g in self.groups if alternative in g))

    def units(self, stems: list[str]) -> list[tuple[Alternative, frozenset[Alternative]]]:
        """Split query stems into units (longest synonym match first) with their alternatives.

        An English unit becomes its main Dutch word, with the other Dutch words, their synonyms and
        the English words themselves (names like "Home-Start" are English too) as alternatives.
        """
        stems = [stem for stem in stems if stem not in self.ignored]
        units: list[tuple[Alternative, frozenset[Alternative]]] = []
        i = 0
        while i < len(stems):
            for size in range(min(self._longest, len(stems) - i), 0, -1):
                candidate = tuple(stems[i : i + size])
                dutch = self.translations.get(candidate)
                if dutch:
                    related = frozenset({candidate, *dutch}).union(*(self._related(d) for d in dutch))
                    units.append((dutch[0], related - {dutch[0]}))
                    i += size
                    break
                related = self._related(candidate)
                if related or size == 1:
                    units.append((candidate, related - {candidate}))
                    i += size
                    break
        return units
