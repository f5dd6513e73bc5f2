from __future__ import annotations

from pathlib import Path

import pytest

from index.glossary import Expander, Glossary, GlossaryEntry, GlossaryError, find_acronyms, load_glossary
from tests.conftest import KNOWLEDGE


def test_acronyms_with_matching_initials_take_exactly_those_words() -> None:
    text = "Officials from the Global Combat Air Programme (GCAP) met the North Atlantic Treaty Organization (NATO)."
    assert find_acronyms(text) == {"GCAP": "Global Combat Air Programme", "NATO": "North Atlantic Treaty Organization"}


def test_acronym_after_a_paraphrased_long_form_takes_the_capitalised_run() -> None:
    text = "The international locations will signal a Reciprocal Entry Settlement (RAA), based on two individuals."
    assert find_acronyms(text) == {"RAA": "Reciprocal Entry Settlement"}


def test_parentheses_without_a_long_form_are_not_acronyms() -> None:
    assert find_acronyms("The deal (RAA) was signed. He works at the agency (NSA).") == {}
    assert find_acronyms("It was announced (in part) by Japan (JP).") == {}


def test_shipped_glossary_loads_and_bridges_the_paraphrased_seed() -> None:
    expander = Expander(load_glossary(KNOWLEDGE / "glossary.yaml"))
    phrases = [p for e in expander.expand("What is the Reciprocal Access Agreement?") for p in e.phrases]
    assert "Reciprocal Entry Settlement" in phrases
    assert "RAA" in phrases
    phrases = [p for e in expander.expand("Which military exercises are planned?") for p in e.phrases]
    assert "army" in phrases and "workouts" in phrases


def test_matching_is_on_stems_and_reports_the_words_used() -> None:
    expander = Expander(Glossary(terms=[GlossaryEntry(term="sign", aliases=["signal"])]))
    (expansion,) = expander.expand("When are they signing it?")
    assert expansion.phrases == ["signal"]
    assert expansion.used == frozenset({"sign"})
    assert expander.expand("nothing relevant here") == []


def test_written_terms_need_the_phrase_written_up_to_inflection() -> None:
    expander = Expander(Glossary(terms=[GlossaryEntry(term="serious", aliases=["critical"])]))
    assert expander.written_terms("critically") == ["serious"]
    # "criticized" stems to "critic" as "critical" does, but it is another word.
    assert expander.canonical_terms("criticized") == ["serious"]
    assert expander.written_terms("criticized") == []


def test_acronyms_join_the_glossary_group_that_names_them() -> None:
    glossary = Glossary(terms=[GlossaryEntry(term="Reciprocal Access Agreement", aliases=["RAA"])])
    expander = Expander(glossary, {"RAA": "Reciprocal Entry Settlement"})
    phrases = [p for e in expander.expand("RAA?") for p in e.phrases]
    assert phrases == ["Reciprocal Access Agreement", "Reciprocal Entry Settlement"]


def test_missing_glossary_is_empty_and_a_bad_one_says_where(tmp_path: Path) -> None:
    assert load_glossary(tmp_path / "none.yaml").terms == []
    bad = tmp_path / "glossary.yaml"
    bad.write_text("terms:\n  - aliases: [x]\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"terms\.0\.term"):
        load_glossary(bad)
    bad.write_text("terms: [unclosed\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="not valid YAML"):
        load_glossary(bad)
