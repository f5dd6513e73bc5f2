"""Fitting the ranker and abstention, and cross-validation by article, on a small labelled set."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.answering.candidates import HybridSearcher
from index.answering.evaluate import load_eval_set
from index.answering.fit import cross_validate, fit, folds, gathered_examples
from index.answering.ranker import MODEL_FILE, Ranker
from index.service import SearchService
from index.storage.build import build_index
from tests.conftest import FIXTURE_ARTICLES, ROOT
from tests.fakes import HashEmbedder

QUESTIONS = f"""
corpus: [{FIXTURE_ARTICLES}]
answerable:
- q: when was gcap announced
  article: gcap-fighter
  gold: [announced on 9 December 2022]
- q: when do the gcap leaders want the stealth fighter in service
  article: gcap-fighter
  gold: [in service by 2035]
- q: what did gcap merge
  article: gcap-fighter
  gold: [The plan merged two separate projects]
- q: when was aukus announced
  article: aukus-submarines
  gold: [The pact was announced on 15 September 2021]
- q: will the aukus submarines carry nuclear weapons
  article: aukus-submarines
  gold: [will carry only conventional weapons]
- q: does australia want nuclear weapons
  article: aukus-submarines
  gold: [no plans to acquire nuclear weapons]
- q: where did japan and the philippines sign
  article: japan-philippines-raa
  gold: [Manila on Monday]
unanswerable:
- q: best pizza in naples
  kind: offtopic
- q: how do i reset my router
  kind: offtopic
- q: how much does one gcap fighter cost
  kind: in_domain
- q: how many aukus submarines will britain build for itself
  kind: in_domain
"""


@pytest.fixture
def questions(tmp_path: Path) -> Path:
    path = tmp_path / "questions.yaml"
    path.write_text(QUESTIONS, encoding="utf-8")
    return path


def searcher_for(embedder: HashEmbedder):  # type: ignore[no-untyped-def]
    def make(knowledge: Path | None) -> HybridSearcher:
        assert knowledge is not None
        build_index(knowledge, knowledge.parent / "data", embedder)
        return SearchService(knowledge, knowledge.parent / "data", embedder).searcher

    return make


def test_fitting_the_same_questions_twice_writes_the_same_model(questions: Path, fake_embedder: HashEmbedder) -> None:
    sets = [("q", load_eval_set(questions), questions)]
    with gathered_examples(sets, searcher_for(fake_embedder)) as examples:
        assert len(examples) == 11 and sum(e.labels.any() for e in examples) >= 5
        first = fit(examples, ["q"]).model_dump_json()
    with gathered_examples(sets, searcher_for(HashEmbedder())) as examples:
        assert fit(examples, ["q"]).model_dump_json() == first


def test_folds_keep_an_article_s_questions_together_and_deal_out_the_unanswerable(
    questions: Path, fake_embedder: HashEmbedder
) -> None:
    sets = [("q", load_eval_set(questions), questions)]
    with gathered_examples(sets, searcher_for(fake_embedder)) as examples:
        parts = folds(examples, 3)
        assert sorted(i for part in parts for i in part) == list(range(len(examples)))
        for part in parts:
            inside = {examples[i].question.article for i in part} - {None}
            outside = {examples[i].question.article for p in parts if p is not part for i in p}
            assert not inside & outside
        assert all(any(not examples[i].question.answerable for i in part) for part in parts)
        reports = cross_validate(examples, 3, 3)
    (report,) = reports.values()
    assert (report.answerable, report.offtopic, report.in_domain) == (7, 2, 2)
    assert len(report.results) == 11


def test_a_set_without_unanswerable_questions_cannot_fit_abstention(
    tmp_path: Path, fake_embedder: HashEmbedder
) -> None:
    path = tmp_path / "only.yaml"
    path.write_text(QUESTIONS.split("unanswerable:")[0], encoding="utf-8")
    sets = [("q", load_eval_set(path), path)]
    with gathered_examples(sets, searcher_for(fake_embedder)) as examples, pytest.raises(ValueError, match="needs"):
        fit(examples, ["q"])


def test_the_shipped_ranker_is_fitted_on_the_training_files_with_these_features() -> None:
    """index/answering/ranker.json is fitted (`make fit`, or on out-of-fold candidates by `pactbot train
    --cross-validate 3 --ranker-out`) on the Makefile's training files, over the features the
    code computes, with the reranked stage the served reranker needs. Refitting it takes the
    trained models over 3,000 questions (docs/models.md), too long for a test: that fitting
    writes the same model twice is tested above on a small set."""
    shipped = Ranker.model_validate_json(MODEL_FILE.read_bytes())
    assert shipped.fitted_on == load_fit_files()
    assert shipped.questions >= 3000
    assert shipped.rerank is not None and shipped.rerank.candidates > 0
    from index.answering.features import SENTENCE_FEATURES

    shipped.check(SENTENCE_FEATURES)  # raises on features other than the code's


def load_fit_files() -> list[str]:
    """The files `make fit` fits on (the Makefile's TRAIN_FILES), as the model file records them."""
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "tests" / "eval" / "train").glob("*.yaml"))
