"""The English layer of the sociale kaart's synonyms (sociale_kaart/synonyms_en.yaml).

It applies to every query, so an English word that is also a word of the kaart's Dutch texts
would change a Dutch search: such words are listed here on purpose (same meaning in both
languages) or must not be in the file.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from balie.search.analysis import terms
from balie.search.synonyms import Synonyms, english_file

KAART = Path(__file__).resolve().parents[2] / "sociale_kaart"
SYNONYMS = KAART / "synonyms.yaml"
# English entries made only of words the kaart's Dutch texts use too, meaning the same in both
# ("mentale problemen", "sociale team"): a Dutch query with them finds what it meant anyway.
SAME_IN_BOTH = {"mental problems", "first baby", "social team"}
# "help" (helpen) is as general in Dutch as "hulp", which the synonyms leave out for that reason.
FILLER_IN_BOTH = {"help"}


TEXT_KEYS = {"name", "alternate_name", "description", "target_group", "eligibility", "application_process", "alert"}


def _texts(value: object) -> list[str]:
    """The texts the search indexes: names, descriptions and the like, not codes or addresses."""
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in ([v] if k in TEXT_KEYS and isinstance(v, str) else _texts(v))]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def kaart_vocabulary() -> set[str]:
    """Every stem of the shipped kaart's Dutch texts, its topics and its Dutch synonyms."""
    found: set[str] = set()
    for path in [*sorted((KAART / "organisaties").glob("*.yaml")), KAART / "categories.yaml"]:
        for text in _texts(yaml.safe_load(path.read_text(encoding="utf-8"))):
            found.update(terms(text))
    for group in yaml.safe_load(SYNONYMS.read_text(encoding="utf-8")):
        for member in group:
            found.update(terms(str(member)))
    return found


def test_no_english_entry_is_dutch_with_another_meaning() -> None:
    """An English word or phrase made only of Dutch words of the kaart would change a Dutch search."""
    synonyms = Synonyms.load(SYNONYMS)
    vocabulary = kaart_vocabulary()
    allowed = {tuple(terms(phrase)) for phrase in SAME_IN_BOTH}

    clashes = [key for key in synonyms.translations if set(key) <= vocabulary and key not in allowed]
    assert not clashes, f"English entries that are Dutch words of the kaart too: {clashes}"


def test_no_english_filler_word_is_a_dutch_word_of_the_kaart() -> None:
    synonyms = Synonyms.load(SYNONYMS)
    allowed = {stem for word in FILLER_IN_BOTH for stem in terms(word)}

    assert not (synonyms.ignored - allowed) & kaart_vocabulary()


def test_dutch_words_of_the_kaart_are_searched_as_without_the_english_layer() -> None:
    with_english = Synonyms.load(SYNONYMS)
    dutch_only = Synonyms(with_english.groups)
    allowed = {stem for word in FILLER_IN_BOTH for stem in terms(word)}

    changed = [
        stem for stem in sorted(kaart_vocabulary() - allowed) if with_english.units([stem]) != dutch_only.units([stem])
    ]
    assert not changed


def test_an_english_phrase_is_searched_as_its_dutch_word_with_the_dutch_synonyms() -> None:
    synonyms = Synonyms.load(SYNONYMS)

    [(main, related)] = synonyms.units(terms("help with domestic violence"))

    assert main == tuple(terms("huiselijk geweld"))
    assert {tuple(terms("veilig thuis")), tuple(terms("kindermishandeling")), ("domestic", "violenc")} <= related


def test_the_english_layer_is_one_way(tmp_path: Path) -> None:
    (tmp_path / "synonyms.yaml").write_text("- [tolk, tolken]\n", encoding="utf-8")
    english_file(tmp_path / "synonyms.yaml").write_text("words:\n  interpreter: [tolk]\n", encoding="utf-8")
    synonyms = Synonyms.load(tmp_path / "synonyms.yaml")

    [(_main, related)] = synonyms.units(terms("tolk"))
    assert ("interpreter",) not in related
    assert synonyms.knows("interpreter") and not synonyms.knows("xyzzy")


def test_without_an_english_file_only_the_dutch_groups_apply(tmp_path: Path) -> None:
    (tmp_path / "synonyms.yaml").write_text("- [tolk, tolken]\n", encoding="utf-8")

    synonyms = Synonyms.load(tmp_path / "synonyms.yaml")

    assert synonyms.translations == {} and synonyms.ignored == frozenset()


def test_every_topic_has_an_english_name() -> None:
    """An English page says which topics it also searched in English ("debts", not "schulden")."""
    synonyms = Synonyms.load(SYNONYMS)

    missing = sorted(set(synonyms.topics) - set(synonyms.topic_names_en))
    assert not missing, f"topics without an English name in synonyms_en.yaml: {missing}"
    assert synonyms.topic_names(["schulden", "huiselijk geweld"], "en") == ["debts", "domestic violence"]
    assert synonyms.topic_names(["schulden"], "nl") == ["schulden"]
