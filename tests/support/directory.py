"""The sociale kaart in tests: apps with their own search index folder, and reading result pages.

Every app made here keeps its search index in its own temporary folder, never in the
repository's instance folder, so tests neither share nor touch a developer's index.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from sqlalchemy import func, select

from balie.config import PROJECT_ROOT
from balie.extensions import db
from balie.models import Service, ServiceChange, ServiceFileValue
from balie.search import registry as search_registry
from balie.services.directory import changes as directory_changes
from tests.conftest import make_app
from tests.support.databases import copy_sqlite

# Offers in the real sociale_kaart/ folder (ids are stable: they are the keys of the files).
WIJKTEAM_DELFT = "588af21d-ad72-43a4-a478-4ad6a14a43d0"  # Sociaal wijkteam Delft (voorbeeld), GM0503
WIJKTEAM_WESTLAND = "05b006f9-933c-4a27-b437-5209e2678c71"  # GM1783
SCHULDHULP_DEN_HAAG = "c67d95ad-2ce4-4bf1-94b0-88c9dcf4e5dd"  # GM0518
SCHULDHULP_ZOETERMEER = "4ebcac2d-2701-4ec4-a290-418dd9d08d80"  # GM0637
BUDGETCOACH_INACTIVE = "e2e55509-fc4b-4458-94f5-7665eae0c0fe"  # inactive, GM0503 among others
ZWANGERSCHAPSGROEP_CLOSED = "56641e74-2baf-43f3-b2b5-b79444ce73e2"  # temporarily closed, GM0518
GOEDE_START_PHB = "f9ed7aba-c728-4d96-a9a3-0a3cbbef0639"  # JGZ Delfland's home visit, GM0503 among others
DELFT = "GM0503"
DELFT_POSTCODE = "2611 AB"
# The compiled Open Referral HSDS 3.0 service schema (with its definitions), see tests/data/README.md.
HSDS_SCHEMA = PROJECT_ROOT / "tests" / "data" / "hsds-3.0" / "service_with_definitions.json"


def directory_app(template: Path, folder: Path, database_url: str | None = None, **overrides: Any) -> Flask:
    """An app on a fresh copy of the migrated database (sociale kaart loaded), index in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    url = database_url or copy_sqlite(template, folder / "balie.sqlite3")
    settings = {"SEARCH_INDEX_DIR": str(folder / "search"), **overrides}
    return make_app(url, folder, **settings)


def dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@dataclass(frozen=True)
class Result:
    id: str
    name: str


_RESULT = re.compile(r'<h3 class="result__title"[^>]*><a href="/sociale-kaart/aanbod/([^"]+)"[^>]*>([^<]+)</a>')


def results(page_html: str) -> list[Result]:
    """The offers listed on a search (or situatie-wijzer) page, in order."""
    return [Result(id_, html.unescape(name)) for id_, name in _RESULT.findall(page_html)]


def names(page_html: str) -> list[str]:
    return [r.name for r in results(page_html)]


def total(page_html: str) -> int:
    """The number of results the page says it found."""
    found = re.search(r'<h2 class="results-heading" id="results">(\d+) ', page_html)
    assert found, "no results heading"
    return int(found.group(1))


def links(page_html: str) -> list[str]:
    """Every href on the page (unescaped)."""
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', page_html)]


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def set_service(app: Flask, service_id: str, *, sync: bool = True, **values: Any) -> None:
    """Change a service straight in the database and bump the directory version, as a service
    does; with ``sync`` this app's index follows at once, as after a change made on this node."""
    with app.app_context(), db.writing():
        service = db.session.get(Service, service_id)
        assert service is not None
        for key, value in values.items():
            setattr(service, key, value)
        directory_changes.bump(db.session, [service])
        db.session.commit()
        if sync:
            search_registry.directory().sync(db.session)


def service_values(app: Flask, service_id: str) -> dict[str, Any]:
    """What the database holds for a service, for 'nothing changed' checks."""
    with app.app_context():
        db.session.expire_all()
        service = db.session.get(Service, service_id)
        assert service is not None
        return {
            "name": service.name,
            "status": service.status,
            "description": service.description,
            "summary_en": service.summary_en,
            "assured_date": service.assured_date,
            "phones": [(p.number, p.description) for p in service.phones],
            "areas": sorted(a.municipality_code for a in service.areas),
            "url": service.url,
            "email": service.email,
            "index_version": service.index_version,
        }


def hsds_schema() -> dict[str, Any]:
    """The HSDS 3.0 service schema; the test is skipped where the machine does not have it."""
    return dict(json.loads(HSDS_SCHEMA.read_text(encoding="utf-8")))


def days_ago(today: date, days: int) -> date:
    return today - timedelta(days=days)


# -- loading the sociale kaart files again (who owns a field: the files or the site) ------------------

WIJKTEAMS_FILE = "organisaties/sociale-wijkteams-delfland-voorbeeld.yaml"  # holds WIJKTEAM_DELFT and _WESTLAND
UITGIFTEPUNT_DELFT = "bcb0dbc7-385e-4cad-b08c-82b04cf5d6f9"  # the food bank's Delft outlet, GM0503


def copy_kaart(folder: Path) -> Path:
    """A copy of sociale_kaart/ that a test may change."""
    target = folder / "sociale_kaart"
    shutil.copytree(PROJECT_ROOT / "sociale_kaart", target)
    return target


def change_kaart_file(kaart: Path, old: str, new: str, name: str = WIJKTEAMS_FILE) -> None:
    """Replace text that occurs once in one file of the copy (as someone editing the file would)."""
    path = kaart / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"test data changed: {old!r} in {name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def run_command(app: Flask, *args: str) -> str:
    """A flask command on the app's database, as run from a shell; its output (stdout and stderr)."""
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def conflict_lines(output: str) -> list[str]:
    """The conflicts an import reported (one per file, entry and field)."""
    return [line.strip() for line in output.splitlines() if line.startswith("  organisaties/")]


def footprint(app: Flask) -> tuple[Any, ...]:
    """Everything an import could write: history rows, directory version, the files' values, services."""
    with app.app_context():
        db.session.expire_all()
        values = select(ServiceFileValue.service_id, ServiceFileValue.field_name, ServiceFileValue.value)
        return (
            db.session.scalar(select(func.count()).select_from(ServiceChange)),
            directory_changes.current_version(db.session),
            sorted(tuple(row) for row in db.session.execute(values)),
            sorted(
                tuple(row)
                for row in db.session.execute(select(Service.id, Service.last_modified, Service.index_version))
            ),
        )
