"""Typo tolerance: the closest known index term for a word the index does not know.

A symmetric-delete index (the SymSpell idea) over the index's own vocabulary: candidates
are the known terms that share a deletion variant with the query word, checked with the
true Damerau–Levenshtein distance. Short words allow one edit, longer words two.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping


def max_distance(word: str) -> int:
    if len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


def _deletes(word: str, depth: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w)) if len(w) > 1}
        found |= frontier
    return found


def distance(a: str, b: str) -> int:
    """Damerau–Levenshtein (optimal string alignment)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


class SpellingIndex:
    def __init__(self, vocabulary: Mapping[str, int]) -> None:
        """``vocabulary``: known term → how many documents contain it."""
        self.frequency = dict(vocabulary)
        self._by_delete: dict[str, list[str]] = defaultdict(list)
        for term in self.frequency:
            for variant in _deletes(term, max_distance(term)):
                self._by_delete[variant].append(term)

    def __contains__(self, term: str) -> bool:
        return term in self.frequency

    def correct(self, word: str) -> str | None:
        """The best known term within reach, or None (the word itself when it is known)."""
        if word in self.frequency:
            return word
        limit = max_distance(word)
        if limit == 0:
            return None
        candidates: set[str] = set()
        for variant in _deletes(word, limit):
            candidates.update(self._by_delete.get(variant, ()))
        scored = [
            (d, -self.frequency[term], term)
            for term in candidates
            if (d := distance(word, term)) <= min(limit, max_distance(term) or 1)
        ]
        return min(scored)[2] if scored else None


def build(terms_with_counts: Iterable[tuple[str, int]]) -> SpellingIndex:
    vocabulary: dict[str, int] = {}
    for term, count in terms_with_counts:
        if term.isalpha() and len(term) >= 3:
            vocabulary[term] = vocabulary.get(term, 0) + count
    return SpellingIndex(vocabulary)
