"""Dutch text analysis for the search indexes: what a nurse types and what an offer says meet
at the same stem, small typos are forgiven, and synonyms kept as data find each other."""

from __future__ import annotations

from pathlib import Path

import pytest

from balie.config import PROJECT_ROOT
from balie.search import spelling
from balie.search.analysis import STOP_WORDS, terms, words_with_terms
from balie.search.synonyms import Synonyms

SYNONYMS_FILE = PROJECT_ROOT / "sociale_kaart" / "synonyms.yaml"


def the_stem(word: str) -> str:
    found = terms(word)
    assert len(found) == 1, found
    return found[0]


# -- stems -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("huis", "huizen"),
        ("schuld", "schulden"),
        ("moeder", "moeders"),
        ("gezin", "gezinnen"),
        ("brief", "brieven"),
        ("toeslag", "toeslagen"),
        ("vrijwilliger", "vrijwilligers"),
        ("opvoeden", "opvoeding"),
    ],
)
def test_singular_and_plural_meet_at_one_stem(one: str, other: str) -> None:
    assert the_stem(one) == the_stem(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("gezin", "zin"),  # family is not a sentence
        ("begeleiding", "beleid"),  # guidance is not policy
        ("geweld", "wel"),
        ("schuld", "huis"),
    ],
)
def test_different_words_keep_different_stems(one: str, other: str) -> None:
    assert terms(one) != terms(other)


def test_case_and_accents_do_not_matter() -> None:
    assert terms("Cliënt") == terms("client") == terms("CLIENT")
    assert terms("één baby") == terms("baby")  # "één" folds to the stop word "een"
    assert terms("Suïcide") == terms("suicide")


def test_stop_words_are_left_out() -> None:
    assert {"de", "het", "een", "en", "met", "geen", "ik", "mijn"} <= STOP_WORDS
    assert terms("de moeder en het kind") == [the_stem("moeder"), the_stem("kind")]
    assert terms("geen netwerk") == [the_stem("netwerk")]
    assert terms("ik wil graag hulp") == [the_stem("hulp")]
    assert terms("de het een") == []


def test_words_keep_their_place_for_highlighting() -> None:
    text = "Hulp bij de schulden"

    spans = list(words_with_terms(text))

    assert [text[start:end] for start, end, _ in spans] == ["Hulp", "bij", "de", "schulden"]
    assert [term for _, _, term in spans] == [the_stem("hulp"), None, None, the_stem("schuld")]


# -- spelling ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vocabulary() -> spelling.SpellingIndex:
    text = (
        "Stevig Ouderschap is steun bij het ouderschap. Schuldhulp bij schulden en een schuld. "
        "Huis, huizen en wonen. Hulp aan huis. Moeders en vaders."
    )
    counts: dict[str, int] = {}
    for term in terms(text):
        counts[term] = counts.get(term, 0) + 1
    return spelling.build(counts.items())


def test_a_typo_finds_the_word_meant(vocabulary: spelling.SpellingIndex) -> None:
    assert vocabulary.correct(the_stem("ouderschp")) == the_stem("ouderschap")
    assert vocabulary.correct(the_stem("schuldn")) == the_stem("schuld")
    assert vocabulary.correct(the_stem("Ouderchsap")) == the_stem("ouderschap")  # two letters swapped


def test_a_known_word_is_left_as_it_is(vocabulary: spelling.SpellingIndex) -> None:
    assert vocabulary.correct(the_stem("schulden")) == the_stem("schuld")
    assert vocabulary.correct(the_stem("huizen")) == the_stem("huis")


def test_short_words_are_not_corrected(vocabulary: spelling.SpellingIndex) -> None:
    # "hus" is one letter from "huis", but three letters are too few to guess from.
    assert the_stem("hus") not in vocabulary
    assert vocabulary.correct(the_stem("hus")) is None


def test_nonsense_stays_uncorrected(vocabulary: spelling.SpellingIndex) -> None:
    assert vocabulary.correct(the_stem("xqzwvbn")) is None
    assert vocabulary.correct(the_stem("zwemles")) is None


def test_corrections_stay_within_reach() -> None:
    assert spelling.max_distance("hus") == 0
    assert spelling.max_distance("schuldn") == 1
    assert spelling.max_distance("ouderschp") == 2
    assert spelling.distance("ouderschp", "ouderschap") == 1
    assert spelling.distance("ab", "ba") == 1  # a swap is one edit


# -- synonyms ------------------------------------------------------------------------------------


@pytest.fixture
def synonyms(tmp_path: Path) -> Synonyms:
    path = tmp_path / "synonyms.yaml"
    path.write_text(
        "- [roken, stoppen met roken, sigaret, rookvrij]\n"
        "- [stoppen, ophouden]\n"
        "- [schulden, schuldhulpverlening, geldzorgen]\n"
        "- [budgetbeheer, budgetcoach]\n"
        "- [bewindvoerder, budgetbeheer]\n",
        encoding="utf-8",
    )
    return Synonyms.load(path)


def test_a_word_finds_its_synonyms(synonyms: Synonyms) -> None:
    [(unit, related)] = synonyms.units(terms("schulden"))

    assert unit == (the_stem("schulden"),)
    assert related == {(the_stem("schuldhulpverlening"),), (the_stem("geldzorgen"),)}


def test_a_multi_word_synonym_is_one_unit_longest_match_first(synonyms: Synonyms) -> None:
    # "stoppen" alone has its own group, but "stoppen met roken" is matched as the longer unit.
    [(unit, related)] = synonyms.units(terms("ik wil stoppen met roken"))

    assert unit == tuple(terms("stoppen met roken"))
    assert (the_stem("sigaret"),) in related
    assert (the_stem("roken"),) in related
    assert (the_stem("ophouden"),) not in related


def test_words_outside_a_multi_word_synonym_stay_separate(synonyms: Synonyms) -> None:
    units = synonyms.units(terms("stoppen met werken"))

    assert [unit for unit, _ in units] == [(the_stem("stoppen"),), (the_stem("werken"),)]
    assert units[0][1] == {(the_stem("ophouden"),)}
    assert units[1][1] == frozenset()


def test_a_word_in_two_groups_finds_both(synonyms: Synonyms) -> None:
    [(_unit, related)] = synonyms.units(terms("budgetbeheer"))

    assert related == {(the_stem("budgetcoach"),), (the_stem("bewindvoerder"),)}


def test_the_real_synonyms_file_links_what_nurses_type() -> None:
    real = Synonyms.load(SYNONYMS_FILE)

    def related(query: str) -> set[tuple[str, ...]]:
        return {alt for _unit, found in real.units(terms(query)) for alt in found}

    assert (the_stem("schuldhulpverlening"),) in related("schulden")
    assert (the_stem("woning"),) in related("huizen")
    assert (the_stem("depressie"),) in related("somber")
    assert any(the_stem("steunouder") in alt or the_stem("vrijwilliger") in alt for alt in related("geen netwerk"))


def test_a_missing_synonyms_file_means_no_synonyms(tmp_path: Path) -> None:
    empty = Synonyms.load(tmp_path / "absent.yaml")

    assert empty.units(terms("schulden")) == [((the_stem("schulden"),), frozenset())]


def test_stemming_from_8_threads_at_once_gives_what_one_thread_gives() -> None:
    """gunicorn --threads: the Snowball stemmer keeps state in the object, so each thread needs its own."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from balie.search import analysis

    stems = ("huis", "gezin", "schuld", "begeleid", "zwanger", "opvoed", "verloskund", "kraamzorg")
    words = [f"{stem}{ending}" for stem in stems for ending in ("en", "ingen", "elijk", "heden", "ster", "tjes")]
    words = [f"{word}{'s' * (n % 3)}" for n in range(40) for word in words]
    uncached = analysis.stem.__wrapped__  # type: ignore[attr-defined]
    expected = [uncached(word) for word in words]
    start = threading.Barrier(8)

    def run(_: int) -> list[str]:
        start.wait(timeout=120)
        return [uncached(word) for word in words]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(8)))
    assert all(result == expected for result in results)
