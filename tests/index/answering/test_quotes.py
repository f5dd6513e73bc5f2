"""Quote assembly: which sentences go into a quote, and which quotes into an answer."""

from __future__ import annotations

from index.answering.candidates import SentenceHit
from index.answering.quotes import MAX_CHARS, assemble
from index.ingest.passages import Passage
from index.ingest.sentences import sentence_spans


def passage(text: str, paragraph: int = 1) -> Passage:
    return Passage(article_id="a", paragraph=paragraph, part=0, offset=0, text=text, sentences=sentence_spans(text))


def ranked(scores: dict[tuple[int, int], float]) -> list[tuple[SentenceHit, float]]:
    hits = [(SentenceHit(row, sentence, 0.0, 0.0), score) for (row, sentence), score in scores.items()]
    return sorted(hits, key=lambda h: -h[1])


PRONOUN = passage(
    "Liang Wenbo, a researcher in Shanghai, offered a different view. "
    "He argued that the new sites would draw the Philippines into a conflict. "
    "Officials in Manila declined to comment."
)


def spans(quotes: list) -> list[tuple[int, int, int]]:  # type: ignore[type-arg]
    return [(q.row, q.first, q.last) for q in quotes]


def test_a_sentence_opening_with_a_pronoun_brings_the_sentence_it_leans_on() -> None:
    quotes = assemble([PRONOUN], ranked({(0, 0): -5.0, (0, 1): 2.0, (0, 2): -5.0}), 1)
    assert spans(quotes) == [(0, 0, 1)]


def test_a_following_sentence_that_leans_on_the_quote_joins_it() -> None:
    quotes = assemble([PRONOUN], ranked({(0, 0): 2.0, (0, 1): -5.0, (0, 2): -5.0}), 1)
    assert spans(quotes) == [(0, 0, 1)]


def test_a_neighbour_joins_only_when_it_scores_nearly_as_well() -> None:
    text = passage("Japan and Australia signed the pact. It was signed in Tokyo. Fisheries were discussed.")
    assert spans(assemble([text], ranked({(0, 2): 2.0, (0, 1): -5.0, (0, 0): -5.0}), 1)) == [(0, 2, 2)]
    assert spans(assemble([text], ranked({(0, 2): 2.0, (0, 1): 1.5, (0, 0): -5.0}), 1)) == [(0, 1, 2)]


def test_an_open_quotation_runs_on_into_the_next_sentence() -> None:
    text = passage("“This is a landmark day. Our two nations stand together,” said the minister. Talks ended.")
    assert spans(assemble([text], ranked({(0, 0): 2.0, (0, 1): -5.0, (0, 2): -5.0}), 1)) == [(0, 0, 1)]


def test_a_quote_never_exceeds_three_sentences_or_the_character_cap() -> None:
    text = passage("It rained. They met. It ended. He left. She stayed.")
    scores = {(0, i): 2.0 for i in range(5)}
    for quote in assemble([text], ranked(scores), 3):
        assert quote.last - quote.first + 1 <= 3
    long = passage(("Alpha " * 40).strip() + ". " + ("He said beta " * 20).strip() + ".")
    (quote,) = assemble([long], ranked({(0, 0): 2.0, (0, 1): -5.0}), 1)
    assert (quote.first, quote.last) == (0, 0) and len(quote.text(long)) <= MAX_CHARS


def test_further_quotes_come_from_other_passages_before_a_second_from_one() -> None:
    first = passage("Japan signed the pact. Japan signed it in Tokyo. Something else entirely.")
    other = passage("Australia welcomed the pact warmly.", paragraph=2)
    scores = {(0, 0): 3.0, (0, 2): 2.9, (1, 0): 2.0}
    assert [q.row for q in assemble([first, other], ranked(scores), 2)] == [0, 1]
    # With no other passage close enough, the same passage gives the second quote.
    assert [q.row for q in assemble([first, other], ranked({(0, 0): 3.0, (0, 2): 2.9, (1, 0): -9.0}), 2)] == [0, 0]


def test_weak_further_quotes_and_near_duplicates_are_left_out() -> None:
    a = passage("Japan and Australia signed a reciprocal access agreement in Tokyo.")
    b = passage("Japan and Australia signed a reciprocal access agreement in Tokyo today.", paragraph=2)
    c = passage("Fisheries quotas were set.", paragraph=3)
    quotes = assemble([a, b, c], ranked({(0, 0): 3.0, (1, 0): 2.9, (2, 0): -1.0}), 3)
    assert [q.row for q in quotes] == [0]
