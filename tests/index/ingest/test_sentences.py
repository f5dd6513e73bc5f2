from __future__ import annotations

from index.ingest.articles import read_article
from index.ingest.sentences import sentence_spans
from tests.conftest import SEED


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_splits_at_sentence_ends_and_keeps_exact_slices() -> None:
    text = "The pact was signed. It enters force in 2025! Will it last? Nobody knows."
    assert sentences(text) == ["The pact was signed.", "It enters force in 2025!", "Will it last?", "Nobody knows."]


def test_closing_quotes_stay_with_their_sentence() -> None:
    text = "“It is vital,” he said. “We agree.” The talks went on."
    assert sentences(text) == ["“It is vital,” he said.", "“We agree.”", "The talks went on."]


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    text = "Mr. Smith met Dr. Jones in the U.S. capital. Then J. Doe spoke."
    assert sentences(text) == ["Mr. Smith met Dr. Jones in the U.S. capital.", "Then J. Doe spoke."]


def test_no_split_before_lower_case_or_inside_numbers() -> None:
    text = "It costs 3.5bn dollars. e.g. this stays whole."
    assert sentences(text) == ["It costs 3.5bn dollars. e.g. this stays whole."]


def test_whitespace_around_is_not_part_of_a_sentence() -> None:
    assert sentences("One.   Two.  ") == ["One.", "Two."]


def test_every_seed_sentence_is_a_slice_of_its_paragraph() -> None:
    for paragraph in read_article(SEED).paragraphs:
        spans = sentence_spans(paragraph)
        assert spans, paragraph
        assert spans[0][0] == 0 and spans[-1][1] == len(paragraph)
        joined = " ".join(paragraph[s:e] for s, e in spans)
        assert " ".join(joined.split()) == " ".join(paragraph.split())


def test_seed_paragraph_12_splits_between_the_two_quotes() -> None:
    paragraph = read_article(SEED).paragraphs[11]
    first, second = sentences(paragraph)
    assert first.endswith("who’s now on the CSIS think-tank.")
    assert second.startswith("“It is going to most likely take time to barter")
