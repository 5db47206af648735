"""Benchmark: the sociale kaart search with 20,000 generated services.

Prints the index build time and p50/p95/max latency of a mixed set of realistic queries
(words, phrases, typos, filters, sorting), side by side in the same run with a naive SQL
LIKE search on the same data. Run: ``.venv/bin/python bench/search.py [--services N]``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, or_, select

from balie import create_app
from balie.extensions import db
from balie.models import (
    Category,
    Municipality,
    Organisation,
    Service,
    ServiceArea,
    ServiceLanguage,
    ServicePhase,
    service_category,
)
from balie.models.base import utcnow
from balie.search.store import IndexStore
from balie.services.directory import changes as directory_changes
from balie.services.directory import index as directory_index
from balie.services.directory.search import DirectorySearch, SearchQuery

KINDS = [
    "Spreekuur",
    "Cursus",
    "Ondersteuning",
    "Budgetcoaching",
    "Huisbezoek",
    "Inloop",
    "Groep",
    "Advies",
    "Begeleiding",
    "Training",
]
TOPICS = {
    "geld-schulden": [
        "schulden",
        "schuldhulpverlening",
        "geldzorgen",
        "betalingsachterstanden",
        "budget",
        "toeslagen",
        "huurachterstand",
    ],
    "wonen": ["huisvesting", "woning", "huizen", "dakloosheid", "urgentie", "verhuizen", "huur"],
    "psychische-gezondheid": ["somberheid", "depressie", "angst", "stress", "psychische klachten", "slapeloosheid"],
    "opvoeden": ["opvoeding", "ouderschap", "opvoedvragen", "hechting", "huilbaby", "slapen"],
    "zwangerschap-geboorte": ["zwangerschap", "bevalling", "kraamtijd", "borstvoeding", "voeding", "verloskundige"],
    "sociaal-netwerk": ["eenzaamheid", "netwerk", "vrijwilligers", "maatje", "steun", "ontmoeting"],
    "taal-integratie": ["taal", "Nederlands leren", "inburgering", "tolk", "nieuwkomers", "statushouders"],
    "leefstijl": ["roken", "stoppen met roken", "alcohol", "bewegen", "gezond eten"],
    "veiligheid": ["huiselijk geweld", "veiligheid", "ruzie thuis", "kindermishandeling"],
    "basisbehoeften": ["voedselpakket", "babyspullen", "kleding", "kinderwagen"],
    "jgz-interventie": ["Stevig Ouderschap", "VoorZorg", "extra huisbezoeken", "jeugdverpleegkundige"],
    "juridisch": ["juridisch advies", "recht", "scheiding", "verblijfsvergunning"],
}
GROUPS = [
    "aanstaande ouders",
    "jonge moeders",
    "gezinnen met een baby",
    "vaders",
    "tienermoeders",
    "alleenstaande ouders",
    "nieuwkomers",
    "iedereen",
]
PHASES = ["before_pregnancy", "pregnancy", "maternity", "first_year", "later"]
LANGUAGES = ["nl", "en", "ar", "tr", "pl", "uk", "ti", "so", "fa"]
COSTS = ["free", "contribution", "insured", "varies"]
FILLER = (
    "Je kunt zonder verwijzing binnenlopen. Een medewerker denkt met je mee en helpt je verder. "
    "Samen maak je een plan. Het aanbod is laagdrempelig en er is aandacht voor wat jij nodig hebt."
)

WORD_QUERIES = [
    "schulden",
    "huis",
    "huizen",
    "somber",
    "borstvoeding",
    "opvoeding",
    "taal",
    "roken",
    "netwerk",
    "eenzaam",
    "babyspullen",
    "geld",
    "woning",
    "stress",
    "bevalling",
    "tolk",
    "jonge moeders",
    "stevig ouderschap",
    "voorzorg",
    "huiselijk geweld",
    "budgetcoaching",
    "inburgering",
    "kraamtijd",
]
TYPO_QUERIES = [
    "schuldn",
    "ouderschp",
    "borstvoding",
    "opvoding",
    "huisvesing",
    "eenzaamhied",
    "somberhied",
    "stevig ouderschp",
]
PHRASE_QUERIES = ['"stoppen met roken"', '"nederlands leren"', '"huiselijk geweld"', '"extra huisbezoeken"']
# Sentences as parents type them: stop words, everyday phrases (synonyms), and words that no
# offer has all of, so the relaxed path (some of the words, most first) runs.
SENTENCE_QUERIES = [
    "ik kan mijn rekeningen niet betalen",
    "mijn vriend slaat me",
    "niet nog een keer zwanger",
    "ik ben zwanger en heb schulden",
    "ik voel me zo somber sinds de bevalling",
    "waar kan ik hulp krijgen bij borstvoeding",
    "mijn baby huilt de hele dag en ik ben moe",
    "ik spreek geen nederlands en zoek een tolk",
    "we hebben geen huis en ik ben zwanger",
    "ik ben eenzaam en heb geen netwerk",
    "ik wil stoppen met roken maar het lukt niet",
    "hulp bij opvoeding en stress thuis",
    "ik ben alleenstaand en heb geldzorgen en geen woning",
    "waar vind ik een verloskundige die arabisch spreekt",
]


def generate(count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    session = db.session
    codes = [m.code for m in session.scalars(select(Municipality))]
    categories = [c.code for c in session.scalars(select(Category))]
    organisations = []
    for i in range(count // 50):
        org_id = str(uuid.uuid4())
        organisations.append(
            {
                "id": org_id,
                "slug": f"bench-{i}",
                "name": f"Stichting {rng.choice(KINDS)} {i}",
                "description": "",
                "is_example": True,
            }
        )
    now = utcnow()
    session.execute(insert(Organisation), [{**o, "updated_at": now} for o in organisations])
    services, areas, cats, phases, languages = [], [], [], [], []
    for i in range(count):
        topic = rng.choice(list(TOPICS))
        words = rng.sample(TOPICS[topic], k=min(3, len(TOPICS[topic])))
        gemeente = rng.choice(codes)
        service_id = str(uuid.uuid4())
        services.append(
            {
                "id": service_id,
                "organisation_id": rng.choice(organisations)["id"],
                "name": f"{rng.choice(KINDS)} {words[0]} {i}",
                "description": f"{words[0].capitalize()}: hulp bij {', '.join(words)} voor "
                "{rng.choice(GROUPS)}. {FILLER}",
                "kind": "general",
                "status": "active" if rng.random() > 0.05 else "inactive",
                "application_process": "Bel of mail de organisatie, of vraag je wijkteam om een verwijzing "
                "({words[-1]}).",
                "fees_description": "",
                "cost": rng.choice(COSTS),
                "target_group": rng.choice(GROUPS),
                "eligibility_description": "",
                "interpretation_services": "",
                "alert": "",
                "is_national": rng.random() < 0.01,
                "is_example": True,
                "index_version": 1,
                "last_modified": now,
            }
        )
        areas.append({"id": str(uuid.uuid4()), "service_id": service_id, "municipality_code": gemeente})
        cats.append({"service_id": service_id, "category_code": topic if topic in categories else categories[0]})
        for phase in rng.sample(PHASES, k=rng.randint(1, 3)):
            phases.append({"service_id": service_id, "phase": phase})
        for code in {"nl", *rng.sample(LANGUAGES, k=rng.randint(0, 2))}:
            languages.append({"id": str(uuid.uuid4()), "service_id": service_id, "code": code})
    for table, rows in (
        (Service, services),
        (ServiceArea, areas),
        (service_category, cats),
        (ServicePhase, phases),
        (ServiceLanguage, languages),
    ):
        for start in range(0, len(rows), 2000):
            session.execute(insert(table), rows[start : start + 2000])
    directory_changes.bump(session, [])
    session.commit()


def queries(count: int, seed: int = 11) -> list[SearchQuery]:
    rng = random.Random(seed)
    codes = [m.code for m in db.session.scalars(select(Municipality))]
    mixed: list[SearchQuery] = []
    for i in range(count):
        kind = i % 10
        text = rng.choice(WORD_QUERIES)
        if kind in (1, 2):
            text = rng.choice(TYPO_QUERIES)
        elif kind == 3:
            text = rng.choice(PHRASE_QUERIES)
        elif kind == 4:
            text = f"{rng.choice(WORD_QUERIES)} {rng.choice(WORD_QUERIES)}"
        elif kind == 9:
            text = ""
        mixed.append(
            SearchQuery(
                text=text,
                municipality_codes=(rng.choice(codes),) if kind in (5, 6, 9) or rng.random() < 0.3 else (),
                categories=(rng.choice(list(TOPICS)),) if kind == 7 else (),
                phases=(rng.choice(PHASES),) if kind in (8, 9) else (),
                languages=(rng.choice(LANGUAGES),) if kind == 8 else (),
                sort="name" if kind == 6 else "relevance",
                page=1 + (i % 3 == 0),
            )
        )
    return mixed


def sentences(count: int, seed: int = 13) -> list[SearchQuery]:
    rng = random.Random(seed)
    codes = [m.code for m in db.session.scalars(select(Municipality))]
    return [
        SearchQuery(
            text=rng.choice(SENTENCE_QUERIES),
            municipality_codes=(rng.choice(codes),) if rng.random() < 0.3 else (),
            page=1 + (i % 3 == 0),
        )
        for i in range(count)
    ]


def naive_like(query: SearchQuery) -> int:
    """The obvious alternative: LIKE on name and description, filters as joins."""
    statement = select(Service.id).where(Service.status == "active")
    for word in query.text.replace('"', "").split():
        pattern = f"%{word}%"
        statement = statement.where(
            or_(Service.name.ilike(pattern), Service.description.ilike(pattern), Service.target_group.ilike(pattern))
        )
    if query.municipality_codes:
        statement = statement.where(
            or_(
                Service.is_national.is_(True),
                Service.id.in_(
                    select(ServiceArea.service_id).where(ServiceArea.municipality_code.in_(query.municipality_codes))
                ),
            )
        )
    if query.categories:
        statement = statement.where(
            Service.id.in_(
                select(service_category.c.service_id).where(service_category.c.category_code.in_(query.categories))
            )
        )
    if query.phases:
        statement = statement.where(
            Service.id.in_(select(ServicePhase.service_id).where(ServicePhase.phase.in_(query.phases)))
        )
    if query.languages:
        statement = statement.where(
            Service.id.in_(select(ServiceLanguage.service_id).where(ServiceLanguage.code.in_(query.languages)))
        )
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    db.session.scalars(statement.order_by(Service.name).offset((query.page - 1) * 20).limit(20)).all()
    return total


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1], ordered[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=400)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="balie-bench-search-"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "SEARCH_INDEX_DIR": str(folder / "search"),
        }
    )
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["init"])
        assert result.exit_code == 0, result.output
        started = time.perf_counter()
        with db.writing():
            generate(args.services)
        generated = time.perf_counter() - started
        store = IndexStore(folder / "search", "sociale-kaart")
        started = time.perf_counter()
        documents = directory_index.rebuild(db.session, store)
        build_seconds = time.perf_counter() - started
        search = DirectorySearch(folder / "search", Path(app.config["SOCIALE_KAART_DIR"]) / "synonyms.yaml")
        started = time.perf_counter()
        engine = search.engine(db.session)
        open_seconds = time.perf_counter() - started
        mixed = queries(args.queries)
        for query in mixed[:20]:  # warm-up (caches, page cache)
            engine.search(query)
            naive_like(query)
        timings: dict[str, list[float]] = {"whoosh": [], "like": [], "sentences": [], "relaxed": []}
        hits = {"whoosh": 0, "like": 0, "sentences": 0, "relaxed": 0}
        for query in mixed:
            started = time.perf_counter()
            hits["whoosh"] += engine.search(query).total
            timings["whoosh"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            hits["like"] += naive_like(query)
            timings["like"].append((time.perf_counter() - started) * 1000)
        spoken = sentences(args.queries)
        for query in spoken[:20]:
            engine.search(query)
        for query in spoken:
            started = time.perf_counter()
            found = engine.search(query)
            elapsed = (time.perf_counter() - started) * 1000
            timings["sentences"].append(elapsed)
            hits["sentences"] += found.total
            if found.relaxed:
                timings["relaxed"].append(elapsed)
                hits["relaxed"] += found.total
    print(
        f"machine: {os.cpu_count()} cores; services: {documents} indexed ({args.services} generated in "
        f"{generated:.1f} s)"
    )
    print(f"index build: {build_seconds:.1f} s; engine open (facet sets, spelling index): {open_seconds:.2f} s")
    print(
        f"queries: {len(mixed)} mixed (words, two words, typos, phrases, gemeente/topic/phase/language filters, "
        "name sort, filter-only, page 2)"
    )
    print(f"{'search':<34}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'total hits':>12}")
    rows = (
        ("whoosh", "Whoosh + facet sets (ours)"),
        ("like", "naive SQL LIKE"),
        ("sentences", "ours: sentences, all"),
        ("relaxed", f"ours: sentences, relaxed ({len(timings['relaxed'])})"),
    )
    for name, label in rows:
        if timings[name]:
            p50, p95, worst = percentiles(timings[name])
            print(f"{label:<34}{p50:>10.1f}{p95:>10.1f}{worst:>10.1f}{hits[name]:>12}")
    print("(LIKE finds no typos, no 'huizen' for 'huis', no synonyms and gives no facet counts.)")
    print(
        f"sentences: {len(spoken)} typed sentences ({len(SENTENCE_QUERIES)} distinct, stop words, everyday "
        "phrases); 'relaxed': those where fewer than 5 offers had every word, so offers with some of them follow"
    )


if __name__ == "__main__":
    main()
