"""Retrieval quality with the real bundled model, on the seed and the fixture articles.

The floors sit a little below the figures measured when they were set (docs/quality.md), so a
change that makes answers worse fails here instead of passing silently.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.answering.evaluate import EvalReport, corpus_files, evaluate, gather_corpus, load_eval_set
from index.models.adapters import artefact_path, read_adapter
from index.models.embedder import Embedder
from index.models.reranker import OnnxReranker
from index.service import SearchService
from tests.conftest import EVAL, SEED

pytestmark = pytest.mark.model

SIGN_GOLD = "Japan and the UK are set to signal a serious defence pact in December"
RAA_GOLD = "The international locations will signal a Reciprocal Entry Settlement (RAA)"


def build_for(name: str, root: Path, embedder: Embedder) -> SearchService:
    """An index of one question file's corpus, as `pactbot eval` builds it: a question the held-out
    file calls unanswerable may be answered by an article only the development file lists."""
    knowledge = root / "knowledge"
    knowledge.mkdir()
    gather_corpus(EVAL / name, load_eval_set(EVAL / name), knowledge)
    service = SearchService(knowledge, root / "data", embedder)
    service.rebuild(show_progress=False)
    return service


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder) -> SearchService:
    """An index of the development corpus: the seed and every fixture article."""
    return build_for("questions-dev.yaml", tmp_path_factory.mktemp("quality"), real_embedder)


@pytest.fixture(scope="module")
def seed_only(tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder) -> SearchService:
    root = tmp_path_factory.mktemp("seed")
    knowledge = root / "knowledge"
    knowledge.mkdir()
    shutil.copyfile(SEED, knowledge / SEED.name)
    shutil.copyfile(SEED.parent / "glossary.yaml", knowledge / "glossary.yaml")
    service = SearchService(knowledge, root / "data", real_embedder)
    service.rebuild(show_progress=False)
    return service


def test_sign_question_quotes_paragraph_1(seed_only: SearchService) -> None:
    answer = seed_only.ask("When will Japan and the UK sign the defence pact?")
    # Paragraph 1 says when; Pactbot's encoder puts paragraph 2 (what they will sign) before it.
    (first,) = [c for c in answer.citations if c.paragraph == 1]
    assert first.n <= 2
    assert first.quote.startswith(SIGN_GOLD)
    assert (first.paragraph, first.publisher, first.published.isoformat() if first.published else None) == (
        1,
        "Financial Times",
        "2022-11-04",
    )
    assert first.title


def test_reciprocal_access_agreement_is_found_under_its_paraphrased_name(seed_only: SearchService) -> None:
    answer = seed_only.ask("What is the Reciprocal Access Agreement?")
    assert answer.citations[0].quote.startswith(RAA_GOLD)


@pytest.mark.parametrize(
    "question",
    ["What is the capital of Peru?", "best recipe for chicken curry", "How do I sort a list in Python?"],
)
def test_off_topic_questions_are_abstained_on(service: SearchService, question: str) -> None:
    answer = service.ask(question)
    assert answer.abstained and not answer.citations


def run(service: SearchService, name: str) -> EvalReport:
    return evaluate(load_eval_set(EVAL / name), lambda q: service.ask(q, 3))


Floors = tuple[tuple[int, int], float, float, float, float, float, float]


# Per question file: floors for size (answerable, unanswerable), top-1, top-3, MRR, off-topic and
# in-domain abstention, and a ceiling for the share of answerable questions abstained on. Set a
# little below the figures measured with the shipped index/answering/ranker.json (docs/quality.md); the
# held-out files are never fitted on.
FLOORS: dict[str, Floors] = {
    "questions-dev.yaml": ((90, 19), 0.74, 0.87, 0.80, 1.0, 0.85, 0.06),
    "questions-test.yaml": ((50, 15), 0.86, 0.92, 0.88, 1.0, 0.70, 0.06),
    "questions-news-test.yaml": ((80, 27), 0.74, 0.92, 0.82, 0.9, 0.15, 0.05),
    "heldout/heldout-1.yaml": ((170, 49), 0.76, 0.86, 0.81, 1.0, 0.65, 0.09),
    "heldout/heldout-2.yaml": ((180, 48), 0.73, 0.85, 0.79, 1.0, 0.28, 0.06),
}


@pytest.fixture(scope="module")
def indexes(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder, service: SearchService
) -> dict[str, SearchService]:
    built = {"questions-dev.yaml": service}  # the development corpus is indexed once
    return built | {
        name: build_for(name, tmp_path_factory.mktemp("eval"), real_embedder) for name in FLOORS if name not in built
    }


def assert_above(report: EvalReport, floors: Floors) -> None:
    (answerable, unanswerable), top1, top3, mrr, offtopic, in_domain, abstained = floors
    assert report.answerable >= answerable and report.unanswerable >= unanswerable
    assert report.top1 >= top1
    assert report.top3 >= top3
    assert report.mrr >= mrr
    assert report.offtopic_abstained >= offtopic
    assert report.in_domain_abstained >= in_domain
    assert report.answerable_abstained <= abstained


@pytest.mark.parametrize("name", FLOORS)
def test_quality_stays_above_its_floors(indexes: dict[str, SearchService], name: str) -> None:
    assert_above(run(indexes[name], name), FLOORS[name])


# The same, served as the bot serves by default: the 8-bit reranker on top, on the same index.
RERANKED_FLOORS: dict[str, Floors] = {"heldout/heldout-1.yaml": ((170, 49), 0.78, 0.87, 0.82, 1.0, 0.60, 0.10)}


@pytest.mark.parametrize("name", RERANKED_FLOORS)
def test_quality_with_the_reranker_stays_above_its_floors(
    indexes: dict[str, SearchService], export_dir: Path, name: str
) -> None:
    first = indexes[name]
    reranker = OnnxReranker(export_dir, read_adapter(artefact_path("reranker")))
    served = SearchService(first.knowledge_dir, first.data_dir, first.embedder, reranker=reranker)
    assert_above(run(served, name), RERANKED_FLOORS[name])


def test_every_gold_sentence_is_in_its_article() -> None:
    """The question files themselves: a gold that is not verbatim in its article can never be hit."""
    for question_file in sorted(EVAL.glob("questions-*.yaml")):
        eval_set = load_eval_set(question_file)
        files = corpus_files(question_file, eval_set)
        for q in eval_set.questions:
            if q.answerable:
                (path,) = [p for p in files if p.stem == q.article]
                text = path.read_text(encoding="utf-8")
                assert q.gold and all(part in text for part in q.gold), (question_file.name, q.question)
            else:
                assert q.kind in ("offtopic", "in_domain"), (question_file.name, q.question)


def test_training_and_held_out_files_pass_their_checks(capsys: pytest.CaptureFixture[str]) -> None:
    """tests/eval/verify.py over every training and held-out file: golds verbatim in exactly one
    paragraph, every article given an event, no event both trained on and held out."""
    from tests.eval.verify import main

    files = sorted(str(p) for p in [*(EVAL / "train").glob("*.yaml"), *(EVAL / "heldout").glob("*.yaml")])
    assert len(files) >= 16
    assert main(files) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "heldout-1.yaml" in out and "own-8.yaml" in out
