"""Searches from many threads of one app (gunicorn --threads) answer exactly as one thread does.

8 threads × 200 mixed searches — Dutch words, sentences, typos, phrases, facets, postcodes,
sorting, pages, the situatie-wijzer and the vraagbaak — against one app, while a ninth thread
keeps reopening the node's index (what every committed change does). Every answer must be the
page a single-threaded run gives: no error, no different result.
"""

from __future__ import annotations

import itertools
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl

import pytest
from flask import Flask

from balie.extensions import db
from balie.search import registry as search_registry
from balie.services.directory.search import SearchQuery, shortlist, snippet
from balie.services.qa import index as qa_index

pytestmark = pytest.mark.slow

THREADS = 8
SEARCHES_PER_THREAD = 200
DIRECTORY_QUERIES = [
    "q=schulden",
    "q=scuhlden",  # a typo
    "q=geen+geld+voor+babyspullen",
    "q=huizen",
    "q=zwangerschap&fase=zwangerschap",
    "q=taalles&taal=ar",
    "q=%22stevig+ouderschap%22",  # a phrase
    "q=hulp+bij+opvoeden&postcode=2611+AB",
    "q=wonen&gemeente=GM0503",
    "q=schulden&categorie=geld-schulden&kosten=free",
    "categorie=opvoeden&sort=name",
    "q=begeleiding&sort=checked",
    "q=gezinnen&page=2",
    "q=somber+na+de+bevalling",
    "q=ik+wil+graag+hulp",  # stop words only, nearly
    "q=voorzrog",  # typo of VoorZorg
    "",
]
WIJZER_QUERIES = ["situatie=schulden&postcode=2611+AB", "situatie=somber&situatie=wonen&gemeente=GM0518"]
QA_QUERIES = ["borstvoeding", "schuldhulp", "tolk regelen", "verwijzing huisbezoek", "zwangerschap"]
# Parts of a page that may differ between two identical requests (none today; kept explicit).
VOLATILE = re.compile(r'name="csrf_token" value="[^"]*"')


def _requests() -> list[tuple[str, str]]:
    """About one in four is a whole page (forms, snippets, templates); the rest ask the engines."""
    searches = [("directory", q) for q in DIRECTORY_QUERIES] + [("qa", q) for q in QA_QUERIES]
    searches += [("wijzer", q) for q in WIJZER_QUERIES]
    pages = [("page", f"/sociale-kaart?{q}") for q in DIRECTORY_QUERIES[::3]]
    pages += [("page", f"/sociale-kaart/wijzer?{q}") for q in WIJZER_QUERIES]
    return searches + pages


def _directory_query(text: str) -> SearchQuery:
    args = dict(parse_qsl(text))
    return SearchQuery(
        text=args.get("q", ""),
        municipality_codes=(args["gemeente"],) if "gemeente" in args else (),
        categories=tuple(v for k, v in parse_qsl(text) if k == "categorie"),
        phases=tuple(v for k, v in parse_qsl(text) if k == "fase"),
        languages=tuple(v for k, v in parse_qsl(text) if k == "taal"),
        costs=tuple(v for k, v in parse_qsl(text) if k == "kosten"),
        sort=args.get("sort", "relevance"),
        page=int(args.get("page", 1)),
    )


def _described(result: Any) -> str:
    text = "Hulp bij schulden en geldzorgen voor gezinnen die een baby verwachten, ook in het Arabisch"
    return f"{result.total} {result.ids} {sorted(result.corrections.items())} {snippet(text, result.highlight)}"


def _answer(app: Flask, client: Any, kind: str, target: str) -> str:
    if kind == "page":
        response = client.get(target)
        return f"{response.status_code}\n" + VOLATILE.sub("", response.get_data(as_text=True))
    with app.app_context():
        if kind == "qa":
            return _described(search_registry.vraagbaak().engine(db.session).search(qa_index.search_query(target)))
        engine = search_registry.directory().engine(db.session)
        if kind == "directory":
            return _described(engine.search(_directory_query(target)))
        args = parse_qsl(target)
        codes = tuple(v for k, v in args if k == "gemeente") or ("GM0503",)
        return str([shortlist(engine, codes, ("geld-schulden", "wonen"), (v,)) for k, v in args if k == "situatie"])


def test_8_threads_x_200_mixed_searches_answer_as_one_thread_does(app: Flask) -> None:
    requests = _requests()
    single = app.test_client()
    expected = {request: _answer(app, single, *request) for request in requests}
    assert not [r for r, answer in expected.items() if answer.startswith("500")]
    assert sum("<mark>" in answer for answer in expected.values()) > 5  # the searches find things

    stop = threading.Event()
    reopened = 0

    def keep_reopening() -> None:
        nonlocal reopened
        while not stop.is_set():
            with app.app_context():
                search_registry.directory().sync(db.session)
                search_registry.vraagbaak().sync(db.session)
            reopened += 1

    def searcher(number: int) -> list[tuple[tuple[str, str], str]]:
        client = app.test_client()
        mine = itertools.islice(itertools.cycle(requests[number % len(requests) :] + requests), SEARCHES_PER_THREAD)
        return [(request, _answer(app, client, *request)) for request in mine]

    reopener = threading.Thread(target=keep_reopening)
    reopener.start()
    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            answers = [a for batch in pool.map(searcher, range(THREADS)) for a in batch]
    finally:
        stop.set()
        reopener.join(timeout=300)

    assert len(answers) == THREADS * SEARCHES_PER_THREAD
    different = [(request, answer[:300]) for request, answer in answers if answer != expected[request]]
    assert different == [], f"{len(different)} answers differ from one thread's, e.g. {different[:2]}"
    assert reopened > 0
