"""Encoding the questions that arrive together as one batch.

The model encodes 32 short questions in a fraction of the time 32 separate calls take (one
matrix product instead of 32, and the per-call overhead once), so when many people ask at once
the questions that wait for the model share its next call.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from index.models.embedder import Embedder, ProgressCallback, Vectors

# Texts per model call: past this the batch's time grows with its size and waiting stops paying.
MAX_BATCH = 64


@dataclass
class _Request:
    texts: Sequence[str]
    done: threading.Event = field(default_factory=threading.Event)
    vectors: Vectors | None = None
    error: BaseException | None = None
    lead: bool = False  # woken to encode the next batch, not because its vectors are ready


class BatchingEncoder:
    """An Embedder whose concurrent calls are encoded together; safe to share between threads.

    There is no worker thread: the first caller encodes in its own thread, so a lone question
    pays nothing for the batching. Callers arriving meanwhile queue up; when a batch is done its
    caller hands the lead to the oldest waiting one, which encodes everything queued by then.
    """

    def __init__(self, embedder: Embedder, max_batch: int = MAX_BATCH) -> None:
        self.embedder = embedder
        self.name = embedder.name
        self.dimension = embedder.dimension
        self.max_tokens = embedder.max_tokens
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Request] = []
        self._busy = False
        self.batches = 0  # model calls made, for tests and benchmarks

    def count_tokens(self, text: str) -> int:
        return self.embedder.count_tokens(text)

    def encode(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Vectors:
        request = _Request(texts)
        with self._lock:
            self._waiting.append(request)
            lead = not self._busy
            self._busy = True
        if not lead:
            request.done.wait()
        if lead or request.lead:
            self._encode_next_batch()
        if request.error is not None:
            raise request.error
        assert request.vectors is not None
        if progress:
            progress(len(texts))
        return request.vectors

    def _take_batch(self) -> list[_Request]:
        with self._lock:
            size = count = 0
            for request in self._waiting:
                if count and size + len(request.texts) > self.max_batch:
                    break
                size += len(request.texts)
                count += 1
            batch, self._waiting = self._waiting[:count], self._waiting[count:]
            return batch

    def _encode_next_batch(self) -> None:
        """Encode the queued requests (the caller's own first), then pass the lead on."""
        batch = self._take_batch()
        try:
            texts = [text for request in batch for text in request.texts]
            vectors = self.embedder.encode(texts)
            self.batches += 1
            start = 0
            for request in batch:
                request.vectors = vectors[start : start + len(request.texts)]
                start += len(request.texts)
        except BaseException as exc:  # every waiter must wake, or it waits forever
            for request in batch:
                request.error = exc
        finally:
            for request in batch:
                request.done.set()
            with self._lock:
                if self._waiting:
                    successor = self._waiting[0]
                    successor.lead = True
                    successor.done.set()
                else:
                    self._busy = False
