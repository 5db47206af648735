"""The sociale kaart's data keeps its shape wherever it travels, on SQLite and on PostgreSQL:

- YAML files → database → YAML files gives the same records;
- the HSDS 3.0 export validates against the schema, and importing it into an empty database
  gives the same directory back;
- the search index is derived data: another app node sees a committed change on its next
  search, a rebuild from scratch equals the incrementally updated index, and concurrent
  writers leave an index that matches the database.

Every app here keeps its search index in a temporary folder of its own (never the repository's
instance folder); two "nodes" are two app objects on the same database.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from balie.clock import today
from balie.config import PROJECT_ROOT
from balie.domain.directory import OrganisationRecord, ServiceRecord
from balie.extensions import db
from balie.models import Category, Organisation, Service
from balie.search import engine as search_engine
from balie.search import registry as search_registry
from balie.search.store import IndexStore
from balie.services.directory import changes as directory_changes
from balie.services.directory import editing as directory_editing
from balie.services.directory import hsds
from balie.services.directory.editing import EditorScope, record_of
from balie.services.directory.kaart_files import read_kaart
from balie.services.directory.search import SearchQuery
from tests.support.directory import WIJKTEAM_DELFT, WIJKTEAM_WESTLAND, dispose, hsds_schema

KAART = PROJECT_ROOT / "sociale_kaart"
ADMIN = EditorScope(municipality_codes=frozenset(), is_admin=True, label="Test Beheerder (test)")
QUERIES = (
    SearchQuery(text="schulden"),
    SearchQuery(text="huizen", municipality_codes=("GM0503",)),
    SearchQuery(text="stevig ouderschp"),
    SearchQuery(text="geen netwerk", categories=("sociaal-netwerk",)),
    SearchQuery(text="wijkteam", sort="checked"),
    SearchQuery(text="avondspreekuur"),
    SearchQuery(text="", sort="name", per_page=100),
    SearchQuery(text="zwanger", languages=("ar",), costs=("free",)),
)


@pytest.fixture
def app(any_db_app: Flask, tmp_path: Path) -> Flask:
    """The suite's SQLite/PostgreSQL app with the sociale kaart loaded, its index in tmp_path."""
    any_db_app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "search-a")
    return any_db_app


@pytest.fixture
def other_node(app: Flask, tmp_path: Path) -> Iterator[Callable[[str], Flask]]:
    """Another app object on the same database, with an index folder of its own."""
    from tests.conftest import make_app

    made: list[Flask] = []

    def build(name: str) -> Flask:
        folder = tmp_path / name
        folder.mkdir()
        node = make_app(app.config["DATABASE_URL"], folder, SEARCH_INDEX_DIR=str(folder / "search"))
        made.append(node)
        return node

    yield build
    for node in made:
        dispose(node)


def by_id(organisation: OrganisationRecord) -> OrganisationRecord:
    """An organisation with its services in a fixed order (the files' order carries no meaning)."""
    return replace(
        organisation, services=tuple(sorted((as_sets(s) for s in organisation.services), key=lambda s: s.id))
    )


def as_sets(record: ServiceRecord) -> ServiceRecord:
    """A service record with its set-like lists in a fixed order (areas, topics, phases, languages)."""
    return replace(
        record,
        areas=tuple(sorted(record.areas)),
        categories=tuple(sorted(record.categories)),
        phases=tuple(sorted(record.phases)),
        languages=tuple(sorted(record.languages)),
    )


def directory_of(app: Flask) -> tuple[dict[str, ServiceRecord], dict[str, tuple[Any, ...]], set[tuple[str, str, str]]]:
    """Every service as a record, every organisation's fields, and the topics in use."""
    with app.app_context():
        services = {s.id: as_sets(record_of(s)) for s in db.session.scalars(select(Service))}
        organisations = {
            o.id: (
                o.slug,
                o.name,
                o.alternate_name,
                o.description,
                o.website,
                o.email,
                o.is_example,
                tuple((p.number, p.description) for p in o.phones),
                tuple(sorted(s.id for s in o.services)),
            )
            for o in db.session.scalars(select(Organisation))
        }
        used = {code for record in services.values() for code in record.categories}
        categories = {(c.code, c.name, c.description) for c in db.session.scalars(select(Category)) if c.code in used}
        return services, organisations, categories


def run(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def save_change(app: Flask, service_id: str, sync: bool = True, **changes: Any) -> None:
    """A change through the editing service, committed, then this node's index updated (as the view does)."""
    with app.app_context():
        with db.writing():
            service = directory_editing.get_editable(db.session, ADMIN, service_id)
            record = replace(record_of(service), **changes)
            directory_editing.save(db.session, ADMIN, record, service.organisation, service, datetime.now(UTC))
            db.commit()
        if sync:
            search_registry.directory().sync(db.session)


def answers(app: Flask) -> list[tuple[Any, ...]]:
    """What the node's index answers to the reference queries: ids in order, totals, facets."""
    with app.app_context():
        engine = search_registry.directory().engine(db.session)
        found = []
        for query in QUERIES:
            result = engine.search(query)
            found.append((query.text, result.ids, result.total, result.facets, result.corrections))
        return found


# -- YAML ----------------------------------------------------------------------------------------


def test_yaml_export_reads_back_as_the_original_files(app: Flask, tmp_path: Path) -> None:
    folder = tmp_path / "export"

    output = run(app, "kaart", "export-yaml", str(folder))

    original, exported = read_kaart(KAART), read_kaart(folder)
    assert f"wrote {len(original.organisations) + 1} files" in output
    assert set(exported.categories) == set(original.categories)
    written = {org.id: by_id(org) for org in exported.organisations}
    assert set(written) == {org.id for org in original.organisations}
    for organisation in original.organisations:
        assert written[organisation.id] == by_id(organisation), organisation.name
    assert sorted(p.name for p in (folder / "organisaties").glob("*.yaml")) == sorted(
        p.name for p in (KAART / "organisaties").glob("*.yaml")
    )


def test_an_edit_made_on_the_site_comes_back_in_the_files(app: Flask, tmp_path: Path) -> None:
    save_change(app, WIJKTEAM_DELFT, sync=False, alert="Vanaf januari ook op zaterdag (voorbeeld)")

    run(app, "kaart", "export-yaml", str(tmp_path / "export"))

    exported = {s.id: s for org in read_kaart(tmp_path / "export").organisations for s in org.services}
    assert exported[WIJKTEAM_DELFT].alert == "Vanaf januari ook op zaterdag (voorbeeld)"


# -- HSDS ----------------------------------------------------------------------------------------


def test_the_hsds_export_validates_for_every_service(app: Flask, tmp_path: Path) -> None:
    schema = hsds_schema()
    save_change(app, WIJKTEAM_DELFT, sync=False, alert="Wachttijd ongeveer 2 weken (voorbeeld)")  # some history too

    run(app, "kaart", "export-hsds", str(tmp_path / "all.json"))
    run(app, "kaart", "export-hsds", "--public", str(tmp_path / "open.json"))
    run(app, "kaart", "export-hsds", "--active-only", str(tmp_path / "old-name.json"))

    everything = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    open_data = json.loads((tmp_path / "open.json").read_text(encoding="utf-8"))
    assert json.loads((tmp_path / "old-name.json").read_text(encoding="utf-8")) == open_data
    with app.app_context():
        all_ids = set(db.session.scalars(select(Service.id)))
        active_ids = set(db.session.scalars(select(Service.id).where(Service.status == "active")))
    assert {s["id"] for s in everything} == all_ids
    assert {s["id"] for s in open_data} == active_ids < all_ids
    assert hsds.validation_errors(everything, schema) == []
    assert hsds.validation_errors(open_data, schema) == []
    delft = next(s for s in everything if s["id"] == WIJKTEAM_DELFT)
    alert_change = next(m for m in delft["metadata"] if m["field_name"] == "alert")
    assert alert_change["replacement_value"] == "Wachttijd ongeveer 2 weken (voorbeeld)"
    assert alert_change["updated_by"] == ADMIN.label


def test_a_broken_hsds_document_is_reported(app: Flask) -> None:
    schema = hsds_schema()
    with app.app_context():
        services = hsds.export(db.session, public=True)[:2]
    del services[0]["name"]
    services[1]["status"] = "open"

    problems = hsds.validation_errors(services, schema)

    assert any(services[0]["id"] in p and "name" in p for p in problems)
    assert any(services[1]["id"] in p and "status" in p for p in problems)


def test_importing_the_hsds_export_into_an_empty_database_gives_the_same_directory(
    app: Flask, empty_database: str, tmp_path: Path
) -> None:
    from tests.conftest import make_app

    save_change(app, WIJKTEAM_WESTLAND, sync=False, phones=())  # a service without phones travels too
    run(app, "kaart", "export-hsds", str(tmp_path / "kaart.json"))
    fresh = make_app(empty_database, tmp_path / "fresh", SEARCH_INDEX_DIR=str(tmp_path / "fresh" / "search"))
    try:
        output = run(fresh, "kaart", "import-hsds", str(tmp_path / "kaart.json"))

        services, organisations, categories = directory_of(app)
        imported_services, imported_organisations, imported_categories = directory_of(fresh)
        assert f"imported {len(services)} services of {len(organisations)} organisations" in output
        assert set(imported_services) == set(services)
        for service_id, record in services.items():
            assert imported_services[service_id] == record, record.name
        assert imported_organisations == organisations  # file names (slugs) included
        assert imported_categories == categories
        # The imported directory is searchable at once, and answers as the original does.
        assert answers(fresh) == answers(app)
    finally:
        dispose(fresh)


def test_importing_the_same_export_again_changes_nothing(app: Flask, tmp_path: Path) -> None:
    run(app, "kaart", "export-hsds", str(tmp_path / "kaart.json"))
    before = directory_of(app)
    with app.app_context():
        version = directory_changes.current_version(db.session)

    output = run(app, "kaart", "import-hsds", str(tmp_path / "kaart.json"))

    assert "(0 changed)" in output
    assert directory_of(app) == before
    with app.app_context():
        assert directory_changes.current_version(db.session) == version


# -- the index on several nodes --------------------------------------------------------------------


def test_another_node_finds_a_committed_change_on_its_next_search(
    app: Flask, other_node: Callable[[str], Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    node_b = other_node("node-b")
    query = SearchQuery(text="avondspreekuur")
    with node_b.app_context():
        assert search_registry.directory().engine(db.session).search(query).ids == []

    save_change(app, WIJKTEAM_DELFT, description="Het wijkteam van Delft heeft nu ook een avondspreekuur.")

    with app.app_context():  # the node that saved has it at once
        assert search_registry.directory().engine(db.session).search(query).ids == [WIJKTEAM_DELFT]
    monkeypatch.setattr(search_engine, "FRESHNESS_SECONDS", 0.0)  # B checks the database on every search
    with node_b.app_context():
        engine = search_registry.directory().engine(db.session)
        assert engine.search(query).ids == [WIJKTEAM_DELFT]
        assert engine.version == directory_changes.current_version(db.session)
    assert Path(node_b.config["SEARCH_INDEX_DIR"]) != Path(app.config["SEARCH_INDEX_DIR"])


def test_a_node_checks_again_after_the_freshness_interval(
    app: Flask, other_node: Callable[[str], Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    node_b = other_node("node-b")
    query = SearchQuery(text="avondspreekuur")
    monkeypatch.setattr(search_engine, "FRESHNESS_SECONDS", 3600.0)
    with node_b.app_context():
        assert search_registry.directory().engine(db.session).search(query).ids == []

    save_change(app, WIJKTEAM_DELFT, description="Het wijkteam van Delft heeft nu ook een avondspreekuur.")

    with node_b.app_context():  # within the interval: B does not ask the database yet
        assert search_registry.directory().engine(db.session).search(query).ids == []
    monkeypatch.setattr(search_engine, "FRESHNESS_SECONDS", 0.0)
    with node_b.app_context():
        assert search_registry.directory().engine(db.session).search(query).ids == [WIJKTEAM_DELFT]


def test_a_rebuild_from_scratch_answers_like_the_incrementally_updated_index(
    app: Flask, other_node: Callable[[str], Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_engine, "FRESHNESS_SECONDS", 0.0)
    answers(app)  # node A builds its index first, then follows every change incrementally
    save_change(app, WIJKTEAM_DELFT, description="Het wijkteam van Delft heeft nu ook een avondspreekuur.")
    save_change(app, WIJKTEAM_WESTLAND, status="temporarily closed")
    save_change(
        app,
        "0d6d2b9d-2e3e-4f2c-bdef-b080526898a4",
        languages=("nl", "pl"),
        name="Mama-café Zoetermeer Oost (voorbeeld)",
    )
    with app.app_context():
        with db.writing():
            service = db.session.get(Service, "3721c964-fe13-4241-bf48-e869ffc718ba")
            directory_editing.confirm_still_correct(db.session, ADMIN, service, today(), datetime.now(UTC))
            directory_editing.retire(
                db.session, ADMIN, db.session.get(Service, "8e0e2a41-50d7-41c8-8a41-70748617fa9e"), datetime.now(UTC)
            )
            db.commit()
        search_registry.directory().sync(db.session)
    incremental = answers(app)

    node_c = other_node("node-c")
    output = run(node_c, "index", "rebuild")

    with app.app_context():
        total = db.session.query(Service).count()
    assert "sociale-kaart" in output and str(total) in output
    assert answers(node_c) == incremental
    assert WIJKTEAM_DELFT in incremental[QUERIES.index(SearchQuery(text="avondspreekuur"))][1]
    # And node A's own index, rebuilt in place, still answers the same.
    run(app, "index", "rebuild")
    assert answers(app) == incremental


def indexed_documents(app: Flask) -> dict[str, dict[str, Any]]:
    """The stored fields of every live document in the node's current index generation."""
    store = IndexStore(app.config["SEARCH_INDEX_DIR"], "sociale-kaart")
    index = store.open()
    assert index is not None
    with index.searcher() as searcher:
        return {fields["id"]: fields for fields in searcher.documents()}


def test_concurrent_writers_leave_an_index_that_matches_the_database(app: Flask) -> None:
    answers(app)  # the index exists before the writers start
    targets = {  # two writers, each on services of its own, with words found nowhere else
        "alfa": [WIJKTEAM_DELFT, WIJKTEAM_WESTLAND, "3721c964-fe13-4241-bf48-e869ffc718ba"],
        "bravo": [
            "8e0e2a41-50d7-41c8-8a41-70748617fa9e",
            "260ede3f-5f75-41a7-af9f-5cf645639d75",
            "0d6d2b9d-2e3e-4f2c-bdef-b080526898a4",
        ],
    }
    numbers, rounds = ("kwark", "kwiek", "kwispel"), ("rondeeen", "rondetwee", "rondedrie")
    errors: list[BaseException] = []
    start = threading.Barrier(len(targets))

    def writer(side: str) -> None:
        try:
            start.wait(timeout=120)
            for round_ in range(3):
                for number, service_id in enumerate(targets[side]):
                    save_change(app, service_id, name=f"Aanbod {side} {numbers[number]} {rounds[round_]} (voorbeeld)")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(side,)) for side in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    documents = indexed_documents(app)
    with app.app_context():
        services = {s.id: s for s in db.session.scalars(select(Service))}
        version = directory_changes.current_version(db.session)
        assert set(documents) == set(services)
        for service_id, service in services.items():
            assert documents[service_id]["name_sort"] == service.name.casefold(), service.name
            assert documents[service_id]["status"] == service.status
        store = IndexStore(app.config["SEARCH_INDEX_DIR"], "sociale-kaart")
        assert store.version_of(store.current()) == version  # type: ignore[arg-type]
        engine = search_registry.directory().engine(db.session)
        for side, ids in targets.items():
            for number, service_id in enumerate(ids):
                # Exactly one offer has all three words (a sentence with so few is relaxed: others follow).
                found = engine.search(SearchQuery(text=f"{side} {numbers[number]} rondedrie"))
                assert (found.exact, found.ids[:1]) == (1, [service_id])
                assert engine.search(SearchQuery(text=f'"{side} {numbers[number]} rondetwee"')).ids == []


def test_field_history_is_recorded_per_change(app: Flask) -> None:
    save_change(app, WIJKTEAM_DELFT, sync=False, alert="Wachttijd 3 weken (voorbeeld)")
    save_change(app, WIJKTEAM_DELFT, sync=False, alert="Geen wachttijd (voorbeeld)")

    with app.app_context():
        alert_changes = [c for c in directory_changes.history(db.session, WIJKTEAM_DELFT) if c.field_name == "alert"]
    assert [(c.previous_value, c.replacement_value) for c in alert_changes] == [
        ("Wachttijd 3 weken (voorbeeld)", "Geen wachttijd (voorbeeld)"),
        ("", "Wachttijd 3 weken (voorbeeld)"),
    ]
    assert all(c.changed_by == ADMIN.label and c.action == "update" for c in alert_changes)
