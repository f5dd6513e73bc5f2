"""The checked-in artefacts: LoRA adapters and heads over the bundled MiniLM, as safetensors.

One file per model (`encoder.safetensors`, `reranker.safetensors` beside this module). A
low-rank pair `NAME.lora_A` (r x in) and `NAME.lora_B` (out x r) adds `B @ A * alpha / r` to the
base weight `NAME.weight`; any other tensor (the reranker's classifier) replaces the base
parameter of its name outright. The metadata says which model it is for and how it was made.
safetensors, never pickle: loading an artefact cannot run code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from index.files import file_sha256

ARTEFACT_DIR = Path(__file__).parent
Kind = Literal["encoder", "reranker"]
LORA_A, LORA_B = ".lora_A", ".lora_B"


class AdapterError(ValueError):
    """The artefact is unusable; the message says what to do."""


@dataclass(frozen=True)
class Adapter:
    path: Path
    kind: Kind
    sha256: str
    alpha: float
    rank: int
    tensors: dict[str, npt.NDArray[np.float32]] = field(repr=False)
    metadata: dict[str, str] = field(repr=False)

    def deltas(self) -> Iterator[tuple[str, npt.NDArray[np.float32]]]:
        """(parameter name, what to add to it) for each low-rank pair."""
        scale = self.alpha / self.rank
        for name in sorted(self.tensors):
            if name.endswith(LORA_A):
                module = name.removesuffix(LORA_A)
                down, up = self.tensors[name], self.tensors[module + LORA_B]
                yield f"{module}.weight", (up @ down * scale).astype(np.float32)

    def replaced(self) -> Iterator[tuple[str, npt.NDArray[np.float32]]]:
        """(parameter name, its new value) for the tensors trained whole (heads)."""
        for name in sorted(self.tensors):
            if not name.endswith((LORA_A, LORA_B)):
                yield name, self.tensors[name]


def artefact_path(kind: Kind) -> Path:
    return ARTEFACT_DIR / f"{kind}.safetensors"


@cache
def read_adapter(path: Path) -> Adapter:
    from safetensors import SafetensorError, safe_open
    from safetensors.numpy import load_file

    try:
        with safe_open(str(path), framework="numpy") as f:
            metadata = dict(f.metadata() or {})
        tensors = load_file(str(path))
        kind = metadata["kind"]
        alpha, rank = float(metadata["alpha"]), int(metadata["rank"])
    except FileNotFoundError:
        raise AdapterError(f"{path} is missing; train it with `pactbot train`") from None
    except (SafetensorError, OSError, KeyError, ValueError) as exc:
        raise AdapterError(f"{path} is not a Pactbot adapter ({exc}); train it again with `pactbot train`") from None
    if kind not in ("encoder", "reranker"):
        raise AdapterError(f"{path}: unknown kind {kind!r}")
    for name in tensors:
        if name.endswith(LORA_A) and name.removesuffix(LORA_A) + LORA_B not in tensors:
            raise AdapterError(f"{path}: {name} has no {LORA_B} partner")
    return Adapter(path, kind, file_sha256(path), alpha, rank, tensors, metadata)


def recipe(adapter: Adapter) -> dict[str, object]:
    """How the artefact was made, as `pactbot train` recorded it."""
    return dict(json.loads(adapter.metadata.get("recipe", "{}")))


def apply_adapter(module: object, adapter: Adapter) -> None:
    """Merge the adapter into a torch module's weights, in place (export and the torch reference)."""
    import torch

    assert isinstance(module, torch.nn.Module)
    with torch.no_grad():
        for name, delta in adapter.deltas():
            module.get_parameter(name).add_(torch.from_numpy(delta))
        for name, value in adapter.replaced():
            module.get_parameter(name).copy_(torch.from_numpy(value))
