"""The names a question uses, and whether the indexed articles know them: lower case, titles,
initials, misspellings, one country under its many names, and glossary phrases that must not
match inside a person's name (index/answering/question_names.py, index/glossary.py, index/pacts/countries.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.answering.answer import NOT_MENTIONED
from index.answering.features import SENTENCE_FEATURES, question_names, sentence_features
from index.answering.question_names import NameCheck, name_like
from index.glossary import Expander, Glossary, GlossaryEntry, find_initialisms
from index.pacts.countries import COUNTRY_KEY, countries_typed, country_keys
from index.service import SearchService
from index.storage.build import build_index
from index.text import stems
from tests.conftest import SHIPPED
from tests.fakes import HashEmbedder

# Written for these tests, in the shape of the article the issue reports: its title uses the
# acronym, its text only the long form, and never defines one by the other.
EDCA_ARTICLE = """---
title: "New EDCA Sites Named in the Philippines"
publisher: "Test Wire"
published: 2023-04-04
---
Manila on Monday named four more military sites that American troops may use under the
Enhanced Defense Cooperation Agreement with Washington.

Three of the four sites are in the north of Luzon, facing Taiwan, and one is on Balabac island near the Spratlys.
"""


def _check(vocabulary: list[str], titles: tuple[str, ...] = (), text: str = "") -> NameCheck:
    known = {s: i for i, s in enumerate(stems(" ".join(vocabulary)))}
    return NameCheck(known, titles, find_initialisms(text), frozenset())


def test_lower_case_names_and_rare_words_count_as_names() -> None:
    assert name_like("whats in the us philippines edca deal") == ["philippines", "edca"]
    assert name_like("What is the RAA?") == ["RAA"]
    # Ordinary words, however rare in these articles, are not names; an ISO code is not a country.
    assert name_like("how interoperable are the militaries after the quadrilateral talks") == []
    assert name_like("us japan cyber isr cooperation") == ["japan"]
    # A possessive is the name itself.
    assert name_like("david vergun's view") == ["vergun"]


def test_the_unknown_name_check_does_not_depend_on_capitals() -> None:
    check = _check(["japan philippines reciprocal access agreement"])
    assert check.unknown("whats in the us philippines edca deal") == ["edca"]
    assert check.unknown("What's in the US Philippines EDCA deal") == ["EDCA"]
    assert check.unknown("is peru in it") == ["peru"] and check.unknown("is Peru in it") == ["Peru"]


def test_a_name_only_in_a_title_is_known() -> None:
    check = _check(["sites troops"], titles=("Trinity House agreement signed",))
    assert check.unknown("what is trinity house") == []
    assert check.unknown("what is Trinity House") == []


def test_an_acronym_is_known_by_the_initials_of_a_name_the_articles_write_out() -> None:
    text = "Troops may use the sites under the Enhanced Defense Cooperation Agreement with U.S. Forces Japan."
    check = _check(["troops sites enhanced defense cooperation agreement forces japan"], text=text)
    assert check.unknown("Where are the four new EDCA sites?") == []
    assert check.unknown("where are the edca sites") == []
    assert check.unknown("what does usfj do") == []
    assert check.long_form("EDCA") == "Enhanced Defense Cooperation Agreement"
    # Joining words may or may not give their initial: SOVFA and SVFA.
    initials = find_initialisms("Ms Collins signed the Status of Visiting Forces Agreement.")
    assert initials["SOVFA"] == initials["SVFA"] == "Status of Visiting Forces Agreement"
    # A common word that spells some initials is not read as them.
    assert check.long_form("sites") is None


def test_a_misspelling_of_an_indexed_word_is_no_unknown_name() -> None:
    check = _check(["agreement signed japan"])
    assert check.unknown("what does the agreemnt say about japan") == []
    assert check.unknown("what does the pukpuk treaty say") == ["pukpuk"]


def test_a_glossary_phrase_is_not_matched_inside_a_persons_name() -> None:
    expander = Expander(Glossary(terms=[GlossaryEntry(term="cooperation", aliases=["co-operation", "collaboration"])]))
    assert expander.expand("what did zack cooper say") == []
    assert expander.expand("defence cooperation between japan and the uk")
    # Inflections still match: "signed" is "sign", "countries" is "country".
    signing = Expander(Glossary(terms=[GlossaryEntry(term="sign", aliases=["signal"]), GlossaryEntry(term="country")]))
    assert [e.phrases for e in signing.expand("when was it signed")] == [["signal"]]
    assert signing.canonical_terms("which countries")


@pytest.mark.parametrize(
    ("question", "iso3"),
    [
        ("what do the brits think", ["GBR"]),
        ("what did the americans say", ["USA"]),
        ("is the States in it", ["USA"]),
        ("whats in the us philippines deal", ["USA", "PHL"]),
        ("rok and south korea", ["KOR", "KOR"]),
        ("what did the new zealand pm say", ["NZL"]),
        ("NZ and the UK", ["NZL", "GBR"]),
        ("tell us about japan", ["JPN"]),
    ],
)
def test_countries_are_read_as_people_type_them(question: str, iso3: list[str]) -> None:
    assert [m.iso3 for m in countries_typed(question)] == iso3


def test_name_signals_compare_one_entity_under_its_many_names(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "pact.md").write_text(
        "---\ntitle: Pact\npublished: 2024-01-02\n---\n"
        "The U.S. and Japan signed the agreement in Tokyo.\n\nThe weather in Tokyo was cold.\n",
        encoding="utf-8",
    )
    build_index(knowledge, tmp_path / "data", HashEmbedder())
    searcher = SearchService(knowledge, tmp_path / "data", HashEmbedder()).searcher
    assert country_keys("The U.S. and Japan signed") == {COUNTRY_KEY + "USA", COUNTRY_KEY + "JPN"}
    for question in ("what did the americans sign", "what did washington sign", "what did the US sign"):
        query = searcher.make_query(question)
        assert COUNTRY_KEY + "USA" in question_names(searcher.about, query)
        passages = searcher.passages(query, 2)
        hits = searcher.sentences(query, passages)
        rows = sentence_features(searcher, query, passages, hits)
        in_sentence = {
            searcher.data.passages[h.row].sentence(h.sentence): rows[i, SENTENCE_FEATURES.index("names_in_sentence")]
            for i, h in enumerate(hits)
        }
        assert in_sentence["The U.S. and Japan signed the agreement in Tokyo."] == 1.0
        assert in_sentence["The weather in Tokyo was cold."] == 0.0


@pytest.fixture
def edca_service(tmp_path: Path) -> SearchService:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for path in SHIPPED:
        (knowledge / path.name).write_bytes(path.read_bytes())
    (knowledge / "edca-sites.md").write_text(EDCA_ARTICLE, encoding="utf-8")
    service = SearchService(knowledge, tmp_path / "data", HashEmbedder())
    service.rebuild(show_progress=False)
    return service


def test_an_acronym_in_a_title_is_searched_by_its_long_form_and_not_refused(edca_service: SearchService) -> None:
    explained = edca_service.explain("Where are the four new EDCA sites?")
    assert explained.unknown_names == []
    assert "Enhanced Defense Cooperation Agreement" in explained.expansions
    assert not explained.answer.answer.startswith(NOT_MENTIONED.split("{")[0])


def test_a_lower_case_name_no_article_has_is_refused(edca_service: SearchService) -> None:
    answer = edca_service.ask("whats in the japan uk aukus deal")
    assert answer.abstained and answer.answer == NOT_MENTIONED.format(names="“aukus”")


def test_a_wall_of_text_is_not_repeated_back_as_a_name(edca_service: SearchService) -> None:
    answer = edca_service.ask("x" * 10_000 + " " + " ".join(f"zq{i}zq" for i in range(20)))
    assert answer.abstained and len(answer.answer) < 500
