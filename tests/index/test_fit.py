"""Fitting the ranker and abstention, and cross-validation by article, on a small labelled set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.build import build_index
from index.candidates import HybridSearcher
from index.evaluate import load_eval_set
from index.fit import cross_validate, fit, folds, gathered_examples
from index.ranker import MODEL_FILE, Ranker
from index.service import SearchService
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


@pytest.mark.model
def test_refitting_the_shipped_question_files_reproduces_the_shipped_model(tmp_path: Path) -> None:
    out = tmp_path / "ranker.json"
    files = load_fit_files()
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "fit", *files, "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, "PACTBOT_DATA_DIR": str(tmp_path / "data")},  # the model's export, not in the checkout
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    if out.read_bytes() != MODEL_FILE.read_bytes():
        # Another CPU may round the model's arithmetic differently in the last bits; the fitted
        # numbers must still agree, or index/ranker.json is stale.
        refit, shipped = (Ranker.model_validate_json(p.read_bytes()) for p in (out, MODEL_FILE))
        assert refit.fitted_on == shipped.fitted_on and refit.questions == shipped.questions
        for a, b in (
            (refit.order, shipped.order),
            (refit.on_topic, shipped.on_topic),
            (refit.answerable, shipped.answerable),
        ):
            assert a.features == b.features
            assert np.allclose(
                [*a.mean, *a.scale, *a.weights, a.bias], [*b.mean, *b.scale, *b.weights, b.bias], atol=1e-3
            ), "index/ranker.json is stale: run `make fit`"
        assert abs(refit.threshold - shipped.threshold) <= 0.005
        assert abs(refit.topic_threshold - shipped.topic_threshold) <= 0.005


def load_fit_files() -> list[str]:
    """The files `make fit` fits on, as the model file records them."""
    import json

    return list(json.loads(MODEL_FILE.read_text(encoding="utf-8"))["fitted_on"])
