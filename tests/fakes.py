"""Test doubles: a tiny deterministic embedder, so index tests run in milliseconds."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from index.answering.features import SENTENCE_FEATURES
from index.answering.ranker import QUESTION_FEATURES, LinearModel, Ranker
from index.models.embedder import ProgressCallback, Vectors
from index.text import stems


class HashEmbedder:
    """Bag of stemmed words hashed into a small unit vector: texts sharing words are close.

    `calls` records every text embedded, so tests can check what a build re-embedded.
    """

    name = "hash-test"
    dimension = 256

    def __init__(self, max_tokens: int = 200) -> None:
        self.max_tokens = max_tokens
        self.calls: list[str] = []

    def encode(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Vectors:
        self.calls.extend(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in stems(text) or ["\u2205"]:
                bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
                out[row, bucket % self.dimension] += 1.0
            out[row] /= np.linalg.norm(out[row])
        if progress:
            progress(len(texts))
        return out

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def transparent_ranker() -> Ranker:
    """A ranker whose every decision can be worked out by hand: candidates ordered by sentence
    similarity plus coverage; on topic when the best sentence covers over half of the
    question's terms; never answering a question with names no article contains."""

    def model(features: tuple[str, ...], weights: dict[str, float], bias: float = 0.0) -> LinearModel:
        n = len(features)
        return LinearModel(
            features=list(features),
            mean=[0.0] * n,
            scale=[1.0] * n,
            weights=[weights.get(f, 0.0) for f in features],
            bias=bias,
        )

    return Ranker(
        order=model(SENTENCE_FEATURES, {"sentence_dense": 1.0, "coverage": 1.0}),
        on_topic=model(QUESTION_FEATURES, {"best_coverage": 20.0}, bias=-10.0),
        topic_threshold=0.5,
        answerable=model(QUESTION_FEATURES, {"unknown_names": -20.0}, bias=10.0),
        threshold=0.5,
    )
