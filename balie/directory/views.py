"""The sociale kaart for professionals (and anyone): search, an offering's page, the situatie-wijzer."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import get_locale, gettext
from flask_login import current_user

from balie.clock import today
from balie.config import region_ggd_codes
from balie.directory.forms import SearchForm, SituationForm
from balie.domain.errors import DomainError
from balie.domain.postcode import parse_pc4
from balie.extensions import db
from balie.search import registry as search_registry
from balie.services.directory import queries as directory_queries
from balie.services.directory.index import is_stale
from balie.services.directory.kaart_files import read_situations
from balie.services.directory.search import SearchQuery, in_time_order, shortlist, snippet
from balie.services.registrations import routing
from balie.web.labels import COST_LABELS, PHASE_LABELS
from balie.web.templating import contact_language_label

blueprint = Blueprint("directory", __name__, url_prefix="/sociale-kaart")


def _municipalities(form: Any) -> tuple[str, ...] | None:
    """The gemeenten to filter on, from the postcode or the chosen gemeente; None on a bad postcode."""
    if form.postcode.data:
        try:
            pc4 = parse_pc4(form.postcode.data)
        except DomainError:
            form.postcode.errors = [gettext("Enter a postcode like 2611 AB, or just the four digits")]
            return None
        found = routing.municipalities_for_pc4(db.session, pc4)
        if not found:
            form.postcode.errors = [gettext("We do not know this postcode. Check the four digits")]
            return None
        return tuple(m.code for m in found)
    return (form.gemeente.data,) if form.gemeente.data else ()


def _region() -> list[Any]:
    return directory_queries.region_municipalities(db.session, region_ggd_codes(current_app.config))


def _facet_labels(categories: dict[str, Any], languages: list[Any]) -> dict[str, dict[str, str]]:
    return {
        "categories": {code: c.name for code, c in categories.items()},
        "phases": {k: str(v) for k, v in PHASE_LABELS.items()},
        "cost": {k: str(v) for k, v in COST_LABELS.items()},
        "languages": {item.value: contact_language_label(item.value) for item in languages},
    }


def _outside_region(form: Any, codes: tuple[str, ...], region: list[Any]) -> list[str]:
    """The gemeente names of a postcode outside the region (its offers are not in this kaart)."""
    if not form.postcode.data or set(codes) & {m.code for m in region}:
        return []
    return directory_queries.municipality_names(db.session, codes)


@blueprint.get("")
def search() -> Any:
    region = _region()
    form = SearchForm(region, request.args)
    categories = directory_queries.categories(db.session)
    engine = search_registry.directory().engine(db.session)
    form.validate()
    codes = _municipalities(form)
    if codes is None:
        return render_template("directory/search.html", form=form, result=None), 400
    query = SearchQuery(
        text=form.q.data or "",
        municipality_codes=codes,
        categories=tuple(form.categorie.data or ()),
        phases=tuple(form.fase.data or ()),
        languages=tuple(form.taal.data or ()),
        costs=tuple(form.kosten.data or ()),
        sort=form.sort.data if form.sort.data in ("relevance", "name", "checked") else "relevance",
        page=form.page.data or 1,
    )
    result = engine.search(query)
    services = directory_queries.services_by_ids(db.session, result.ids)
    return render_template(
        "directory/search.html",
        form=form,
        result=result,
        also_searched=engine.synonyms.topic_names(result.expanded, str(get_locale())),
        facets={**result.facets, "phases": in_time_order(result.facets["phases"])},
        outside_region=_outside_region(form, codes, region),
        services=services,
        snippets={s.id: snippet(s.description, result.highlight) for s in services},
        categories=categories,
        today=today(),
        is_stale=is_stale,
        facet_labels=_facet_labels(categories, result.facets["languages"]),
    )


@blueprint.get("/aanbod/<service_id>")
def service(service_id: str) -> str:
    found = directory_queries.service(db.session, service_id)
    staff = current_user.is_authenticated
    if found is None or (found.status != "active" and not staff):
        abort(404)
    return render_template("directory/service.html", service=found, stale=is_stale(found.assured_date, today()))


@blueprint.get("/hsds.json")
def hsds_export() -> Any:
    """Open data: the active offerings as Open Referral HSDS 3.0 JSON."""
    from flask import jsonify

    from balie.services.directory import hsds

    response = jsonify(hsds.export(db.session, public=True))
    response.headers["Content-Disposition"] = 'inline; filename="sociale-kaart-hsds.json"'
    return response


@blueprint.get("/wijzer")
def situations() -> Any:
    known = read_situations(current_app.config["SOCIALE_KAART_DIR"])
    region = _region()
    form = SituationForm(region, known, request.args)
    chosen = [s for s in known if s.code in (form.situatie.data or ())]
    codes = _municipalities(form) if (form.postcode.data or form.gemeente.data) else ()
    results = []
    if chosen and codes is not None:
        engine = search_registry.directory().engine(db.session)
        for situation in chosen:
            ids = shortlist(engine, codes, situation.categories, situation.terms)
            results.append((situation, directory_queries.services_by_ids(db.session, ids)))
    status = 400 if codes is None else 200
    return render_template(
        "directory/situations.html",
        form=form,
        situations=known,
        results=results,
        place=codes,
        outside_region=_outside_region(form, codes, region) if codes else [],
    ), status
