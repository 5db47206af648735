"""The situatie-wijzer: family situations a nurse can tick, each tied to topics and words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Situation:
    code: str
    label: str
    hint: str
    categories: tuple[str, ...]
    terms: tuple[str, ...]
