"""The encoder the settings choose: ONNX Runtime (served) or the PyTorch reference."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from index.models.adapters import artefact_path, read_adapter
from index.models.embedder import Embedder
from index.models.onnx_embedder import OnnxEmbedder
from index.models.torch_embedder import MiniLMEmbedder

Encoder = Literal["onnx", "torch"]


def embedder_for(encoder: Encoder, data_dir: Path, trained: bool = True) -> Embedder:
    """The encoder the settings choose: ONNX Runtime (the default; its export lives in the data
    folder) or the PyTorch reference; Pactbot's fine-tuned encoder unless `trained` is False."""
    adapter = read_adapter(artefact_path("encoder")) if trained else None
    if encoder == "torch":
        return MiniLMEmbedder(adapter)
    return OnnxEmbedder(data_dir / "models", adapter=adapter)
