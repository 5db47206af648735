"""Where an index lives on an app node, and how it is replaced or caught up safely.

Layout: ``<base>/<name>/gen-<n>/`` holds a Whoosh index; ``<base>/<name>/CURRENT`` names the
generation in use and ``gen-<n>/VERSION`` the directory version it reflects. A full rebuild
writes a new generation and switches CURRENT atomically, so searches never see a half-built
index. Writers on one node take a file lock; processes that find the lock taken wait for it
and then see the work already done. Every node (machine) keeps its own copy.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import Schema
from whoosh.index import Index

KEEP_GENERATIONS = 2


class IndexStore:
    def __init__(self, base: Path | str, name: str) -> None:
        self.folder = Path(base) / name
        self.name = name

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def current(self) -> Path | None:
        try:
            name = (self.folder / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return None
        path = self.folder / name
        return path if whoosh_index.exists_in(str(path)) else None

    @staticmethod
    def version_of(generation: Path) -> int:
        try:
            return int((generation / "VERSION").read_text().strip())
        except (FileNotFoundError, ValueError):
            return -1

    @staticmethod
    def set_version(generation: Path, version: int) -> None:
        _atomic_write(generation / "VERSION", str(version))

    @staticmethod
    def analysis_of(generation: Path) -> int:
        try:
            return int((generation / "ANALYSIS").read_text().strip())
        except (FileNotFoundError, ValueError):
            return -1

    @staticmethod
    def set_analysis(generation: Path, version: int) -> None:
        _atomic_write(generation / "ANALYSIS", str(version))

    def open(self) -> Index | None:
        generation = self.current()
        return whoosh_index.open_dir(str(generation)) if generation else None

    def new_generation(self, schema: Schema) -> tuple[Path, Index]:
        existing = [int(p.name[4:]) for p in self.folder.glob("gen-*") if p.name[4:].isdigit()]
        path = self.folder / f"gen-{max(existing, default=0) + 1}"
        path.mkdir(parents=True)
        return path, whoosh_index.create_in(str(path), schema)

    def switch_to(self, generation: Path) -> None:
        _atomic_write(self.folder / "CURRENT", generation.name)
        generations = sorted(
            (p for p in self.folder.glob("gen-*") if p.name[4:].isdigit()), key=lambda p: int(p.name[4:])
        )
        for old in generations[:-KEEP_GENERATIONS]:
            if old != generation:
                shutil.rmtree(old, ignore_errors=True)


def _atomic_write(path: Path, text: str) -> None:
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
