"""The fitted ranker and abstention, the third step of a question's path.

Two linear models read from a small JSON file (index/answering/ranker.json, written by `pactbot fit`,
index/answering/fit.py): one orders a question's candidate sentences (fitted pairwise: the sentence that
answers against each that does not), one gives the chance that the best of them answers at all
(logistic, fitted on answerable against unanswerable questions). Linear, so the file stays
small and readable and answering needs no learning library; JSON, never pickle, so loading a
model file cannot run code.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field, model_validator

MODEL_FILE = Path(__file__).with_name("ranker.json")

# What abstention reads of a question's ranked candidates; index/answering/ranker.json names them.
QUESTION_FEATURES = (
    "best_score",  # the ranker's score of the best sentence
    "margin",  # how far it is ahead of the second
    "best_dense",  # the highest sentence similarity among the candidates
    "best_passage_dense",  # the highest passage similarity
    "best_coverage",  # the best sentence's coverage of the question's terms
    "best_names_in_article",  # share of the question's names that the best sentence's article has
    "kind_missing",  # the question asks for a kind of answer that the best sentence does not hold
    "kind_missing_top3",  # ... that none of the best three holds
    "unknown_names",  # the question has capitalised words that no article contains
    "unknown_terms",  # share of the question's words that no article (nor the glossary) has, any case
    "unmatched_terms",  # share of the question's words found in no candidate passage
    "missing_idf",  # the rarest question word the best sentence's passage lacks, as a share of the rarest
)


class RankerError(ValueError):
    """The model file is unusable; the message says what to do."""


class LinearModel(BaseModel):
    """w · (x - mean) / scale + bias, over the named features."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float = 0.0

    @model_validator(mode="after")
    def _same_lengths(self) -> LinearModel:
        if not len(self.features) == len(self.mean) == len(self.scale) == len(self.weights):
            raise ValueError("features, mean, scale and weights must have one entry per feature")
        return self

    def scores(self, rows: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        z = (rows - np.asarray(self.mean)) / np.asarray(self.scale)
        return np.asarray(z @ np.asarray(self.weights) + self.bias, dtype=np.float64)


# What the reranked path's abstention reads: the above, of the final order, and the reranker's view.
RERANK_QUESTION_FEATURES = (
    *QUESTION_FEATURES,
    "best_rerank",  # the reranker's logit for the best sentence it read
    "rerank_margin",  # how far that is ahead of its second
)
# What orders the reranked candidates: the first stage's score and the reranker's logit.
RERANK_FEATURES = ("first_stage", "rerank")


class Gates(BaseModel):
    """Two fitted gates: is the question about what is indexed, and does the best sentence answer."""

    on_topic: LinearModel  # question features -> log-odds that the question is about what is indexed
    topic_threshold: float  # abstain when that chance is below this
    answerable: LinearModel  # ... -> log-odds that the best sentence answers, for questions on topic
    threshold: float  # abstain when that chance is below this

    def chances(self, row: npt.NDArray[np.float64]) -> tuple[float, float]:
        """The chance that the question is on topic, and that the best sentence answers it."""
        z = row.reshape(1, -1)
        topic, answers = (float(m.scores(z)[0]) for m in (self.on_topic, self.answerable))
        return 1.0 / (1.0 + math.exp(-topic)), 1.0 / (1.0 + math.exp(-answers))


class Rerank(Gates):
    """The second stage: the reranker reads the first stage's best `candidates`; a linear model
    over RERANK_FEATURES orders every candidate; gates over RERANK_QUESTION_FEATURES abstain."""

    candidates: int
    order: LinearModel


class Ranker(Gates):
    """The model file: how candidates are ordered, and when the bot abstains (the first stage's
    gates, inherited)."""

    fitted_on: list[str] = Field(default_factory=list)  # the question files, as given to `pactbot fit`
    questions: int = 0  # how many questions the ranker was fitted on
    order: LinearModel  # sentence features -> score (higher answers better)
    rerank: Rerank | None = None  # used where a reranker serves

    def check(self, sentence_features: tuple[str, ...]) -> Ranker:
        models = [self.order, self.on_topic, self.answerable]
        expected = [sentence_features, QUESTION_FEATURES, QUESTION_FEATURES]
        if self.rerank is not None:
            models += [self.rerank.order, self.rerank.on_topic, self.rerank.answerable]
            expected += [RERANK_FEATURES, RERANK_QUESTION_FEATURES, RERANK_QUESTION_FEATURES]
        if [tuple(m.features) for m in models] != expected:
            raise RankerError(
                "index/answering/ranker.json was fitted on other features than these; refit it with `make fit`"
            )
        return self


@cache
def load_ranker(path: Path = MODEL_FILE) -> Ranker:
    from index.answering.features import SENTENCE_FEATURES

    try:
        return Ranker.model_validate_json(path.read_bytes()).check(SENTENCE_FEATURES)
    except FileNotFoundError:
        raise RankerError(f"{path} is missing; refit it with `make fit`") from None
    except ValueError as exc:
        if isinstance(exc, RankerError):
            raise
        raise RankerError(
            f"{path} is not a ranker model ({exc.__class__.__name__}); refit it with `make fit`"
        ) from None
