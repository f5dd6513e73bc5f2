"""Fitting the ranker and abstention (index/answering/ranker.py) on labelled question files, and scoring
them by cross-validation by event: the questions about one pact (every article the file gives
that event; the article where it names none) are never in the fold that scores them, so a
figure says how the bot does on pacts it was not fitted to.

scikit-learn does the fitting (`pactbot fit`, `pactbot eval --cross-validate`); answering only
reads the JSON it writes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index.answering.answer import Gathered, answer_gathered, gather, rank, reranked_rows
from index.answering.candidates import HybridSearcher
from index.answering.evaluate import (
    EvalQuestion,
    EvalReport,
    EvalSet,
    QuestionResult,
    corpus_files,
    gather_corpus,
    report_of,
    result_of,
)
from index.answering.features import SENTENCE_FEATURES
from index.answering.ranker import (
    QUESTION_FEATURES,
    RERANK_FEATURES,
    RERANK_QUESTION_FEATURES,
    Gates,
    LinearModel,
    Ranker,
    Rerank,
)

FOLDS = 5
# Candidates the reranker reads, the first stage's best; each costs a model call (about 2.5 ms
# in 8 bits). On the development files (questions-dev, questions-news-fit) reading 10 ranked and
# abstained as well as 16 or 12, and 8 a little worse.
RERANK_CANDIDATES = 10
# Abstention is two fitted gates, each with the threshold of least cost on the fitted questions
# (as shares of each kind). Abstaining on a question the articles answer costs ABSTAIN_COST
# times as much as answering one they do not: the user asked something answerable and got
# nothing. The topic gate weighs answerable abstained against off-topic answered; the answer gate,
# fitted on the questions about pacts, answerable abstained against in-domain unanswerable answered.
ABSTAIN_COST = 3.0
# Strong regularisation keeps the gates steady from fold to fold (chosen by cross-validation
# by article among 0.03, 0.1 and 1: the same in-domain abstention for fewer answerable abstained).
GATE_C = 0.03
DECIMALS = 6  # of the weights in the file: refitting the same files writes the same bytes


@dataclass(frozen=True)
class Example:
    """One labelled question with its candidates gathered, ready to fit on or score."""

    source: str  # the question file, as given
    question: EvalQuestion
    searcher: HybridSearcher
    gathered: Gathered
    labels: npt.NDArray[np.bool_]  # per candidate: whether it holds a gold part
    event: str | None = None  # what the question's article is about, where its file says

    @property
    def group(self) -> str:
        """What a fold keeps together: the event, else the article."""
        return self.event or self.question.article or f"unanswerable: {self.question.question}"


def _labels(searcher: HybridSearcher, question: EvalQuestion, seen: Gathered) -> npt.NDArray[np.bool_]:
    passages = searcher.data.passages
    return np.array(
        [question.answered_by(passages[h.row].article_id, passages[h.row].sentence(h.sentence)) for h in seen.hits],
        dtype=bool,
    )


@contextmanager
def gathered_examples(
    files: Sequence[tuple[str, EvalSet, Path]], searcher_for: Callable[[Path | None], HybridSearcher]
) -> Iterator[list[Example]]:
    """Every question of the files with its candidates. `searcher_for(knowledge_dir)` indexes a
    corpus copied into a temporary folder (its index goes beside it, in `data`), or gives the
    configured index for None; files with the same corpus share one index."""
    with ExitStack() as stack:
        searchers: dict[tuple[str, ...], HybridSearcher] = {}
        examples = []
        for name, eval_set, path in files:
            key = tuple(str(p) for p in corpus_files(path, eval_set))
            if key not in searchers:
                if key:
                    knowledge = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pactbot-"))) / "knowledge"
                    knowledge.mkdir()
                    gather_corpus(path, eval_set, knowledge)
                    searchers[key] = searcher_for(knowledge)
                else:
                    searchers[key] = searcher_for(None)
            examples += examples_of(name, eval_set, searchers[key])
        yield examples


def examples_of(name: str, eval_set: EvalSet, searcher: HybridSearcher) -> list[Example]:
    """The set's questions with their candidates from `searcher`."""
    examples = []
    for q in eval_set.questions:
        seen = gather(searcher, q.question)
        event = eval_set.events.get(q.article) if q.article else None
        examples.append(Example(name, q, searcher, seen, _labels(searcher, q, seen), event))
    return examples


def _standardised(rows: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def _rounded(values: npt.NDArray[np.float64]) -> list[float]:
    return [round(float(v), DECIMALS) + 0.0 for v in values]  # + 0.0: no "-0.0" in the file


def fit_order(
    examples: Sequence[Example],
    rows: Sequence[npt.NDArray[np.float64]] | None = None,
    names: Sequence[str] = SENTENCE_FEATURES,
) -> LinearModel:
    """Candidate features (`rows`, one matrix per example; the sentence features by default) ->
    score, fitted pairwise: each answering candidate against each other candidate of its
    question, every question weighing the same."""
    from sklearn.linear_model import LogisticRegression

    features = rows if rows is not None else [e.gathered.features for e in examples]
    usable = [(e, x) for e, x in zip(examples, features, strict=True) if e.labels.any() and not e.labels.all()]
    if not usable:
        raise ValueError("no question has both an answering and a non-answering candidate to learn from")
    mean, scale = _standardised(np.vstack([x for _, x in usable]))
    diffs, weights = [], []
    for e, x in usable:
        z = (x - mean) / scale
        pairs = (z[e.labels][:, None, :] - z[~e.labels][None, :, :]).reshape(-1, z.shape[1])
        diffs.append(pairs)
        weights.append(np.full(len(pairs), 1.0 / len(pairs)))
    x = np.vstack([*diffs, *(-d for d in diffs)])
    y = np.concatenate([np.ones(sum(map(len, diffs))), np.zeros(sum(map(len, diffs)))])
    w = np.concatenate([*weights, *weights])
    model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=5000).fit(x, y, sample_weight=w)
    return LinearModel(
        features=list(names),
        mean=_rounded(mean),
        scale=_rounded(scale),
        weights=_rounded(model.coef_[0]),
    )


def _threshold(chances: npt.NDArray[np.float64], answerable: npt.NDArray[np.bool_]) -> float:
    """The threshold of least ABSTAIN_COST * (answerable abstained) + (unanswerable answered)."""
    best, best_cost = 0.5, float("inf")
    for t in np.unique(np.round(chances, 3)):
        abstained = chances < t
        cost = ABSTAIN_COST * abstained[answerable].mean() + (~abstained[~answerable]).mean()
        if cost < best_cost - 1e-12:
            best, best_cost = float(t), cost
    return round(best, 3)


def _gate(
    rows: npt.NDArray[np.float64], passes: npt.NDArray[np.bool_], names: Sequence[str] = QUESTION_FEATURES
) -> tuple[LinearModel, float]:
    """A logistic model of `passes` over question features, classes weighed equally, and its threshold."""
    from sklearn.linear_model import LogisticRegression

    if passes.all() or not passes.any():
        raise ValueError("abstention needs answerable, off-topic and in-domain unanswerable questions")
    mean, scale = _standardised(rows)
    model = LogisticRegression(C=GATE_C, class_weight="balanced", max_iter=5000).fit((rows - mean) / scale, passes)
    gate = LinearModel(
        features=list(names),
        mean=_rounded(mean),
        scale=_rounded(scale),
        weights=_rounded(model.coef_[0]),
        bias=round(float(model.intercept_[0]), DECIMALS),
    )
    chances = 1.0 / (1.0 + np.exp(-gate.scores(rows)))
    return gate, _threshold(chances, passes)


def _gates(examples: Sequence[Example], ranker: Ranker, names: Sequence[str]) -> Gates:
    """The two gates fitted on the question features `ranker` gives each example."""
    rows = np.vstack([rank(e.searcher, e.gathered, ranker).question_row for e in examples])
    answerable = np.array([e.question.answerable for e in examples])
    # Unanswerable questions without a kind count as in-domain: the harder case.
    offtopic = np.array([e.question.kind == "offtopic" for e in examples])
    on_topic, topic_threshold = _gate(rows, ~offtopic, names)
    answers, threshold = _gate(rows[~offtopic], answerable[~offtopic], names)
    return Gates(on_topic=on_topic, topic_threshold=topic_threshold, answerable=answers, threshold=threshold)


def fit(examples: Sequence[Example], names: Sequence[str]) -> Ranker:
    """The ranker and the two abstention gates fitted on `examples` (from the files `names`),
    and the reranked stage where the examples' index has a reranker."""
    order = fit_order(examples)
    half = Ranker(order=order, on_topic=_placeholder(), answerable=_placeholder(), topic_threshold=0.0, threshold=0.0)
    first = Ranker(
        fitted_on=list(names), questions=len(examples), order=order, **dict(_gates(examples, half, QUESTION_FEATURES))
    )
    if not any(e.searcher.reranker is not None for e in examples):
        return first
    rows = [
        reranked_rows(e.searcher, e.gathered, first.order.scores(e.gathered.features), RERANK_CANDIDATES)
        if e.gathered.hits
        else np.zeros((0, len(RERANK_FEATURES)))
        for e in examples
    ]
    second = fit_order(examples, rows, RERANK_FEATURES)
    placeholder = _placeholder(RERANK_QUESTION_FEATURES)
    staged = first.model_copy(
        update={
            "rerank": Rerank(
                candidates=RERANK_CANDIDATES,
                order=second,
                on_topic=placeholder,
                answerable=placeholder,
                topic_threshold=0.0,
                threshold=0.0,
            )
        }
    )
    gates = _gates(examples, staged, RERANK_QUESTION_FEATURES)
    return first.model_copy(update={"rerank": Rerank(candidates=RERANK_CANDIDATES, order=second, **dict(gates))})


def _placeholder(names: Sequence[str] = QUESTION_FEATURES) -> LinearModel:
    n = len(names)
    return LinearModel(features=list(names), mean=[0.0] * n, scale=[1.0] * n, weights=[0.0] * n)


def folds(examples: Sequence[Example], n: int = FOLDS) -> list[list[int]]:
    """Example indices per fold: all questions of an event (or of an article, where the file
    names no events) in one fold (the largest placed first, each in the smallest fold so far),
    unanswerable questions dealt round."""
    by_group: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        if e.question.article:
            by_group.setdefault(e.group, []).append(i)
    out: list[list[int]] = [[] for _ in range(n)]
    for group in sorted(by_group, key=lambda g: (-len(by_group[g]), g)):
        min(out, key=len).extend(by_group[group])
    for j, i in enumerate(i for i, e in enumerate(examples) if not e.question.article):
        out[j % n].append(i)
    return out


def cross_validate(examples: Sequence[Example], k: int = 3, n: int = FOLDS) -> dict[str, EvalReport]:
    """Per question file, its figures with each question answered by a ranker fitted without
    its fold, that is, without any question on its article."""
    results: dict[int, QuestionResult] = {}
    for fold in folds(examples, n):
        held = set(fold)
        ranker = fit([e for i, e in enumerate(examples) if i not in held], ["fold"])
        for i in fold:
            e = examples[i]
            results[i] = result_of(e.question, answer_gathered(e.searcher, e.gathered, ranker, k))
    reports = {}
    for source in dict.fromkeys(e.source for e in examples):
        reports[source] = report_of([results[i] for i, e in enumerate(examples) if e.source == source])
    return reports
