"""Questions asked together share one model call, and each gets its own vectors back."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from index.models.batching import BatchingEncoder
from index.models.embedder import ProgressCallback, Vectors
from tests.fakes import HashEmbedder


class SlowEmbedder(HashEmbedder):
    """Holds its first call until released, so that other callers pile up behind it."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.batch_sizes: list[int] = []
        self.failing_call = 0  # the 1-based call that raises; 0 for none

    def encode(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Vectors:
        self.release.wait(timeout=10)
        self.batch_sizes.append(len(texts))
        if len(self.batch_sizes) == self.failing_call:
            raise RuntimeError("model failed")
        return super().encode(texts, progress)


def wait_for_queue(encoder: BatchingEncoder, waiting: int) -> None:
    """Until `waiting` callers queue behind the one inside the model."""
    for _ in range(1000):
        with encoder._lock:
            if encoder._busy and len(encoder._waiting) == waiting:
                return
        threading.Event().wait(0.005)
    raise AssertionError(f"{waiting} callers never queued")


def test_a_lone_question_is_one_call_with_the_same_vector() -> None:
    plain = HashEmbedder()
    encoder = BatchingEncoder(HashEmbedder())
    vectors = encoder.encode(["When was the pact signed?"])
    assert encoder.batches == 1
    np.testing.assert_array_equal(vectors, plain.encode(["When was the pact signed?"]))


def test_questions_arriving_during_a_call_share_the_next_one() -> None:
    model = SlowEmbedder()
    encoder = BatchingEncoder(model)
    questions = [f"question number {i} about pact {i}" for i in range(21)]
    with ThreadPoolExecutor(max_workers=21) as pool:
        first = pool.submit(encoder.encode, [questions[0]])
        wait_for_queue(encoder, 0)  # the first caller leads and is held inside the model
        rest = [pool.submit(encoder.encode, [q]) for q in questions[1:]]
        wait_for_queue(encoder, 20)
        model.release.set()
        results = [first.result(timeout=10)] + [f.result(timeout=10) for f in rest]
    assert model.batch_sizes == [1, 20]
    expected = HashEmbedder().encode(questions)
    for row, vectors in enumerate(results):
        np.testing.assert_array_equal(vectors, expected[row : row + 1])


def test_batches_are_capped_and_every_caller_is_served() -> None:
    model = SlowEmbedder()
    encoder = BatchingEncoder(model, max_batch=8)
    with ThreadPoolExecutor(max_workers=30) as pool:
        first = pool.submit(encoder.encode, ["first"])
        wait_for_queue(encoder, 0)
        rest = [pool.submit(encoder.encode, [f"text {i}", f"other {i}"]) for i in range(25)]
        wait_for_queue(encoder, 25)
        model.release.set()
        assert first.result(timeout=10).shape == (1, 256)
        assert all(f.result(timeout=10).shape == (2, 256) for f in rest)
    assert max(model.batch_sizes) <= 8
    assert sum(model.batch_sizes) == 51


def test_a_model_error_reaches_everyone_in_its_batch_and_later_callers_are_served() -> None:
    model = SlowEmbedder()
    model.failing_call = 2
    encoder = BatchingEncoder(model)
    with ThreadPoolExecutor(max_workers=4) as pool:
        first = pool.submit(encoder.encode, ["one"])
        wait_for_queue(encoder, 0)
        failing = [pool.submit(encoder.encode, [text]) for text in ("two", "three")]
        wait_for_queue(encoder, 2)
        model.release.set()
        assert first.result(timeout=10).shape == (1, 256)
        for future in failing:
            with pytest.raises(RuntimeError, match="model failed"):
                future.result(timeout=10)
    assert model.batch_sizes == [1, 2]
    assert encoder.encode(["four"]).shape == (1, 256)
    assert not encoder._busy
