"""A question's path with the fake embedder and a ranker worked out by hand: quoting, numbering,
abstention, resolved dates, edge cases."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index.answering.ranker import RERANK_FEATURES, RERANK_QUESTION_FEATURES, LinearModel, Rerank
from index.ingest.articles import read_article
from index.service import SearchService
from index.storage.build import build_index
from tests.fakes import HashEmbedder, transparent_ranker


def service_for(knowledge: Path, data_dir: Path, embedder: HashEmbedder) -> SearchService:
    build_index(knowledge, data_dir, embedder)
    return SearchService(knowledge, data_dir, embedder, ranker=transparent_ranker())


def test_quotes_are_exact_slices_of_their_paragraph_with_numbered_citations(
    knowledge: Path, indexed_service: SearchService
) -> None:
    answer = indexed_service.ask("When will Japan and the UK sign the defence pact in December?", k=3)
    assert not answer.abstained
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for citation in answer.citations:
        path = next(knowledge.glob(f"{citation.article_id}.*"))
        article = read_article(path)
        assert citation.quote in article.paragraphs[citation.paragraph - 1]
        assert citation.title == article.title and citation.publisher == article.publisher
        assert f"“{citation.quote}”" in answer.answer and f"[{citation.n}]" in answer.answer


def test_json_shape_matches_the_documented_one(indexed_service: SearchService) -> None:
    payload = json.loads(indexed_service.ask("Japan UK defence pact December").model_dump_json())
    assert set(payload) == {"question", "abstained", "answer", "citations"}
    citation = payload["citations"][0]
    assert set(citation) == {
        "n", "article_id", "title", "publisher", "published", "source", "paragraph", "quote", "score", "dates"
    }  # fmt: skip
    assert citation["published"] is None or len(citation["published"]) == 10


def test_names_the_articles_never_mention_are_abstained_on_by_name(indexed_service: SearchService) -> None:
    answer = indexed_service.ask("What did Peru and Narnia sign with Japan?")
    assert answer.abstained and not answer.citations
    assert "“Peru”, “Narnia”" in answer.answer
    # Question openers and glossary names are not mistaken for unknown names.
    assert indexed_service.searcher.unknown_names("What did Britain and Tokyo agree?") == []


def test_a_question_with_nothing_relevant_is_abstained_on(indexed_service: SearchService) -> None:
    answer = indexed_service.ask("best recipe for chicken curry")
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


def test_new_index_versions_are_served_after_a_rebuild(knowledge: Path, indexed_service: SearchService) -> None:
    assert indexed_service.ask("Ottawa security of information talks Canada").abstained
    (knowledge / "canada.md").write_text(
        "Canada and Japan opened talks in Ottawa on a security of information agreement.\n", encoding="utf-8"
    )
    report = indexed_service.rebuild()
    assert report.added == ["canada"]
    answer = indexed_service.ask("Ottawa security of information talks Canada")
    assert answer.citations[0].article_id == "canada"


def test_a_relative_date_is_shown_resolved_beside_the_quote_never_inside_it(
    tmp_path: Path, fake_embedder: HashEmbedder
) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    sentence = "Japan and Australia signed the access agreement in Tokyo on Thursday."
    (knowledge / "raa.md").write_text(
        f"---\ntitle: Access deal\npublished: 2022-01-08\n---\n{sentence}\n\nFisheries were also discussed.\n",
        encoding="utf-8",
    )
    service = service_for(knowledge, tmp_path / "data", fake_embedder)
    answer = service.ask("what day did japan and australia sign the access agreement in tokyo", k=1)
    (citation,) = answer.citations
    assert citation.quote == sentence and citation.dates == ["Thursday = 2022-01-06"]
    assert answer.answer == f"“{sentence}” (Thursday = 2022-01-06) [1]"


def test_a_demonym_or_capital_of_a_country_the_articles_name_is_no_unknown_name(
    tmp_path: Path, fake_embedder: HashEmbedder
) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "a.txt").write_text("Russia warned Finland against joining the alliance.\n", encoding="utf-8")
    service = service_for(knowledge, tmp_path / "data", fake_embedder)
    assert service.searcher.unknown_names("What did the Russian president tell the Finns in Helsinki?") == []
    assert service.searcher.unknown_names("What did the Peruvian and Chilean leaders say?") == ["Peruvian", "Chilean"]


def test_the_explanation_shows_the_features_the_score_and_both_gates(indexed_service: SearchService) -> None:
    explanation = indexed_service.explain("When will Japan and the UK sign the defence pact?")
    best = explanation.candidates[0]
    assert abs(best.score - best.features["sentence_dense"] - best.features["coverage"]) < 1e-3
    assert explanation.answer_type == "date" and explanation.decision.startswith("answered:")
    assert set(explanation.thresholds) >= {"topic_chance", "answer_chance"}
    assert explanation.question_features["best_coverage"] == best.features["coverage"]


class WordReranker:
    """A reranker worked out by hand: a sentence's logit is how often it says `word`."""

    name = "word-reranker"

    def __init__(self, word: str) -> None:
        self.word = word
        self.calls: list[int] = []

    def score(self, question: str, sentences: Sequence[str]) -> npt.NDArray[np.float32]:
        self.calls.append(len(sentences))
        return np.array([s.count(self.word) for s in sentences], dtype=np.float32)


def test_the_reranked_stage_orders_by_the_reranker_reading_only_the_first_stage_best(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    first = transparent_ranker()
    weights = LinearModel(features=list(RERANK_FEATURES), mean=[0.0, 0.0], scale=[1.0, 1.0], weights=[0.0, 1.0])
    gates = {name: getattr(first, name) for name in ("on_topic", "topic_threshold", "answerable", "threshold")}
    extra = {
        name: model.model_copy(
            update={
                "features": list(RERANK_QUESTION_FEATURES),
                "mean": [*model.mean, 0.0, 0.0],
                "scale": [*model.scale, 1.0, 1.0],
                "weights": [*model.weights, 0.0, 0.0],
            }
        )
        for name, model in (("on_topic", first.on_topic), ("answerable", first.answerable))
    }
    staged = first.model_copy(update={"rerank": Rerank(candidates=5, order=weights, **{**gates, **extra})})
    reranker = WordReranker("Manila")
    build_index(knowledge, data_dir, fake_embedder)
    service = SearchService(knowledge, data_dir, fake_embedder, ranker=staged, reranker=reranker)
    question = "Where did Japan and the Philippines sign the access agreement?"
    explained = service.explain(question, k=1)
    assert reranker.calls == [5]  # the first stage's best five, in one call
    assert "Manila" in explained.candidates[0].text
    read = explained.candidates[:5]  # the reranker's order leads; the unread get its lowest logit
    assert [c.features["rerank"] for c in read] == sorted((c.features["rerank"] for c in read), reverse=True)
    assert set(explained.question_features) == set(RERANK_QUESTION_FEATURES)
    # Without a reranker serving, the same ranker answers from its first stage alone.
    plain = SearchService(knowledge, data_dir, fake_embedder, ranker=staged).explain(question, k=1)
    assert "rerank" not in plain.candidates[0].features
