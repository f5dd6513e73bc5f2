"""Answer assembly with the fake embedder: quoting, numbering, abstention rules, edge cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.answer import ABSTAIN_BELOW, NEIGHBOUR_MARGIN, PRONOUN_MARGIN, choose_quotes
from index.answer_type import AnswerType
from index.articles import read_article
from index.build import build_index
from index.search import ANSWER_TYPE_WEIGHT, SentenceHit
from index.service import SearchService
from tests.fakes import HashEmbedder


def service_for(knowledge: Path, data_dir: Path, embedder: HashEmbedder) -> SearchService:
    build_index(knowledge, data_dir, embedder)
    return SearchService(knowledge, data_dir, embedder)


def test_quotes_are_exact_slices_of_their_paragraph_with_numbered_citations(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    service = service_for(knowledge, data_dir, fake_embedder)
    answer = service.ask("When will Japan and the UK sign the defence pact in December?", k=3)
    assert not answer.abstained
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for citation in answer.citations:
        path = next(knowledge.glob(f"{citation.article_id}.*"))
        article = read_article(path)
        assert citation.quote in article.paragraphs[citation.paragraph - 1]
        assert citation.title == article.title and citation.publisher == article.publisher
        assert f"“{citation.quote}” [{citation.n}]" in answer.answer


def test_json_shape_matches_the_documented_one(knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder) -> None:
    service = service_for(knowledge, data_dir, fake_embedder)
    payload = json.loads(service.ask("Japan UK defence pact December").model_dump_json())
    assert set(payload) == {"question", "abstained", "answer", "citations"}
    citation = payload["citations"][0]
    assert set(citation) == {
        "n", "article_id", "title", "publisher", "published", "source", "paragraph", "quote", "score"
    }  # fmt: skip
    assert citation["published"] is None or len(citation["published"]) == 10


def test_names_the_articles_never_mention_are_abstained_on_by_name(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    service = service_for(knowledge, data_dir, fake_embedder)
    answer = service.ask("What did Peru and Narnia sign with Japan?")
    assert answer.abstained and not answer.citations
    assert "“Peru”, “Narnia”" in answer.answer
    # Question openers and glossary names are not mistaken for unknown names.
    assert service.searcher.unknown_names("What did Britain and Tokyo agree?") == []


def test_a_question_with_nothing_relevant_is_abstained_on(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    service = service_for(knowledge, data_dir, fake_embedder)
    answer = service.ask("best recipe for chicken curry")
    assert answer.abstained and answer.answer.startswith("I found nothing")


def test_fewer_passages_than_candidates_never_maps_a_missing_hit(tmp_path: Path, fake_embedder: HashEmbedder) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "one.txt").write_text("Japan and Australia signed a reciprocal access agreement.\n", encoding="utf-8")
    service = service_for(knowledge, tmp_path / "data", fake_embedder)
    hits = service.searcher.passages(service.searcher.make_query("Japan Australia agreement"), 50)
    assert [h.row for h in hits] == [0]
    answer = service.ask("Did Japan and Australia sign an agreement?", k=5)
    assert [c.quote for c in answer.citations] == ["Japan and Australia signed a reciprocal access agreement."]


def test_the_same_sentence_in_two_articles_is_quoted_once(tmp_path: Path, fake_embedder: HashEmbedder) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    sentence = "Japan and Australia signed a reciprocal access agreement in Tokyo."
    (knowledge / "a.txt").write_text(f"{sentence}\nOther news about fisheries.\n", encoding="utf-8")
    (knowledge / "b.txt").write_text(f"{sentence}\nOther news about farming.\n", encoding="utf-8")
    service = service_for(knowledge, tmp_path / "data", fake_embedder)
    answer = service.ask("Japan Australia reciprocal access agreement Tokyo", k=3)
    assert [c.quote for c in answer.citations].count(sentence) == 1


def test_new_index_versions_are_served_after_a_rebuild(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    service = service_for(knowledge, data_dir, fake_embedder)
    assert service.ask("Ottawa security of information talks Canada").abstained
    (knowledge / "canada.md").write_text(
        "Canada and Japan opened talks in Ottawa on a security of information agreement.\n", encoding="utf-8"
    )
    report = service.rebuild()
    assert report.added == ["canada"]
    answer = service.ask("Ottawa security of information talks Canada")
    assert answer.citations[0].article_id == "canada"


def test_a_neighbouring_sentence_that_also_answers_joins_the_quote(tmp_path: Path, fake_embedder: HashEmbedder) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    paragraph = (
        "Japan and Australia signed a reciprocal access agreement. "
        "Japan and Australia signed the access agreement in Tokyo. "
        "Separately, fisheries quotas were discussed."
    )
    (knowledge / "a.txt").write_text(paragraph + "\nUnrelated news about farming subsidies.\n", encoding="utf-8")
    service = service_for(knowledge, tmp_path / "data", fake_embedder)
    answer = service.ask("Japan Australia signed access agreement", k=3)
    first = answer.citations[0]
    assert first.quote == paragraph[: paragraph.index(" Separately")]
    assert all("fisheries" not in c.quote for c in answer.citations)


def test_a_demonym_or_capital_of_a_country_the_articles_name_is_no_unknown_name(
    tmp_path: Path, fake_embedder: HashEmbedder
) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "a.txt").write_text("Russia warned Finland against joining the alliance.\n", encoding="utf-8")
    service = service_for(knowledge, tmp_path / "data", fake_embedder)
    assert service.searcher.unknown_names("What did the Russian president tell the Finns in Helsinki?") == []
    assert service.searcher.unknown_names("What did the Peruvian and Chilean leaders say?") == ["Peruvian", "Chilean"]


def _passage_service(tmp_path: Path, embedder: HashEmbedder, paragraph: str) -> SearchService:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "a.txt").write_text(paragraph + "\n", encoding="utf-8")
    return service_for(knowledge, tmp_path / "data", embedder)


def test_a_when_question_adds_the_answer_type_bonus_to_dated_sentences_only(
    tmp_path: Path, fake_embedder: HashEmbedder
) -> None:
    service = _passage_service(
        tmp_path,
        fake_embedder,
        "Japan and Australia agreed to sign an access agreement. They signed it in Tokyo on 6 January 2022.",
    )
    searcher = service.searcher
    when = searcher.make_query("When did Japan and Australia sign the access agreement?")
    plain = searcher.make_query("Did Japan and Australia sign the access agreement?")
    assert when.wants is AnswerType.DATE and plain.wants is None
    bonus = {h.sentence: h.score - h.relevance for h in searcher.sentences(when, searcher.passages(when, 5))}
    assert bonus == {0: 0.0, 1: pytest.approx(ANSWER_TYPE_WEIGHT)}
    assert all(h.score == h.relevance for h in searcher.sentences(plain, searcher.passages(plain, 5)))


def test_abstention_looks_at_relevance_not_the_answer_type_bonus(tmp_path: Path, fake_embedder: HashEmbedder) -> None:
    service = _passage_service(tmp_path, fake_embedder, "The treaty was signed on 9 December 2022.")
    weak = SentenceHit(row=0, sentence=0, dense=0.3, coverage=0.2, relevance=ABSTAIN_BELOW - 0.05, score=1.0)
    assert choose_quotes(service.searcher, [weak], 3) == []
    relevant = SentenceHit(row=0, sentence=0, dense=0.3, coverage=0.2, relevance=ABSTAIN_BELOW + 0.05, score=1.0)
    assert [(q.row, q.first, q.last) for q in choose_quotes(service.searcher, [relevant], 3)] == [(0, 0, 0)]


def _hits(scores: list[float]) -> list[SentenceHit]:
    hits = [SentenceHit(row=0, sentence=i, dense=s, coverage=0.0, relevance=s, score=s) for i, s in enumerate(scores)]
    return sorted(hits, key=lambda h: -h.score)


PRONOUN_PARAGRAPH = (
    "Liang Wenbo, a researcher in Shanghai, offered a different view. "
    "He argued that the new sites would draw the Philippines into a conflict. "
    "Officials in Manila declined to comment."
)


def test_a_sentence_opening_with_a_pronoun_brings_the_sentence_it_refers_to(
    tmp_path: Path, fake_embedder: HashEmbedder
) -> None:
    service = _passage_service(tmp_path, fake_embedder, PRONOUN_PARAGRAPH)
    # "He argued..." chosen on its own would not say who "he" is.
    quotes = choose_quotes(service.searcher, _hits([0.55, 1.0, 0.3]), 1)
    assert [(q.first, q.last) for q in quotes] == [(0, 1)]


def test_a_following_pronoun_sentence_joins_within_the_wider_margin(
    tmp_path: Path, fake_embedder: HashEmbedder
) -> None:
    service = _passage_service(tmp_path, fake_embedder, PRONOUN_PARAGRAPH)
    below_neighbour_margin = 1.0 - (NEIGHBOUR_MARGIN + PRONOUN_MARGIN) / 2
    quotes = choose_quotes(service.searcher, _hits([1.0, below_neighbour_margin, 0.3]), 1)
    assert [(q.first, q.last) for q in quotes] == [(0, 1)]
    # Past the wider margin it stays out, and a sentence without a pronoun needs the usual margin.
    quotes = choose_quotes(service.searcher, _hits([1.0, 1.0 - PRONOUN_MARGIN - 0.05, 0.3]), 1)
    assert [(q.first, q.last) for q in quotes] == [(0, 0)]
    quotes = choose_quotes(service.searcher, _hits([0.3, 1.0, below_neighbour_margin]), 1)
    assert [(q.first, q.last) for q in quotes] == [(0, 1)]
