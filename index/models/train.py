"""Fitting Pactbot's encoder and reranker (`pactbot train`); needs the `train` extra (peft).

Both start from the bundled all-MiniLM-L6-v2 and learn low-rank adapters (LoRA, through
peft) on every linear layer of its transformer, so that what is checked in is a few MB:

* **Encoder**: a bi-encoder trained with sentence-transformers' MultipleNegativesRankingLoss on
  (question, answering sentence, other sentences of its article) triples: each question must
  find its sentence among every other sentence of its batch and its own article's.
* **Reranker**: a cross-encoder (MiniLM with a one-logit head, trained whole) trained listwise:
  a softmax over the answering sentence and the answering path's best wrong candidates.

Plain loops over shuffled, seeded batches; CPU only, so the recipe runs on the 2-core machine.
"""

from __future__ import annotations

import json
import logging
import math
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel

from index.models.adapters import LORA_A, LORA_B, Kind
from index.models.embedder import bundled_model
from index.models.pairs import Item

log = logging.getLogger(__name__)

# The linear layers of the transformer's blocks (attention and feed-forward) take adapters.
TARGET_MODULES = r".*encoder\.layer\.\d+\..*(query|key|value|dense)$"
Progress = Callable[[str, int, int], object]  # (what, step, steps)


class Recipe(BaseModel):
    """Everything that decides what a training run makes; recorded in the artefact."""

    seed: int = 0
    rank: int = 16
    alpha: int = 32
    threads: int = 2
    encoder_epochs: int = 2
    encoder_batch: int = 32
    encoder_lr: float = 3e-4
    encoder_negatives: int = 1  # of the question's own article, per question
    reranker_epochs: int = 1
    reranker_questions: int = 4  # per batch
    reranker_negatives: int = 7  # per question: the path's candidates first, then article sentences
    reranker_lr: float = 3e-4
    head_lr: float = 1e-3


def _quiet() -> None:
    """Offline, by path, and no bars of the libraries' own beside `pactbot train`'s."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import transformers

    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()


def _lora(module: object, recipe: Recipe, trained_whole: Sequence[str] = ()) -> None:
    """Freeze `module` and give its target layers fresh adapters (peft's injection, in place)."""
    import torch
    from peft import LoraConfig, inject_adapter_in_model

    assert isinstance(module, torch.nn.Module)
    for parameter in module.parameters():
        parameter.requires_grad = False
    config = LoraConfig(r=recipe.rank, lora_alpha=int(recipe.alpha), lora_dropout=0.0, target_modules=TARGET_MODULES)
    inject_adapter_in_model(config, module)
    for name in trained_whole:
        module.get_parameter(name).requires_grad = True


def _adapter_tensors(module: object, trained_whole: Sequence[str] = ()) -> dict[str, npt.NDArray[np.float32]]:
    """The adapters (and whole-trained tensors) under the names index/models/adapters.py reads."""
    import torch

    assert isinstance(module, torch.nn.Module)
    out = {}
    for name, parameter in module.named_parameters():
        for marker, suffix in ((".lora_A.", LORA_A), (".lora_B.", LORA_B)):
            if marker in name:
                out[name.split(marker)[0] + suffix] = parameter.detach().numpy().astype(np.float32).copy()
    for name in trained_whole:
        out[name] = module.get_parameter(name).detach().numpy().astype(np.float32).copy()
    return out


def _schedule(optimizer: object, steps: int) -> object:
    """Linear warm-up over the first tenth, then linear decay to zero."""
    import torch

    assert isinstance(optimizer, torch.optim.Optimizer)
    warm = max(1, steps // 10)
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warm if s < warm else max(0.0, (steps - s) / max(1, steps - warm))
    )


def _negatives(item: Item, n: int, candidates_first: bool) -> list[str]:
    pool = [*item.candidate_negatives, *item.article_negatives] if candidates_first else [*item.article_negatives]
    pool = list(dict.fromkeys(s for s in pool if s != item.positive))
    if not pool:
        pool = list(item.candidate_negatives) or [""]
    return [pool[i % len(pool)] for i in range(n)]


def train_encoder(
    items: Sequence[Item], recipe: Recipe, progress: Progress | None = None
) -> dict[str, npt.NDArray[np.float32]]:
    """The encoder's adapters, trained on `items`."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    _quiet()
    torch.manual_seed(recipe.seed)
    torch.set_num_threads(recipe.threads)
    model = SentenceTransformer(str(bundled_model().path), device="cpu")
    inner = model[0].model
    _lora(inner, recipe)
    loss = MultipleNegativesRankingLoss(model)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=recipe.encoder_lr)
    batches = _batches(len(items), recipe.encoder_batch, recipe.encoder_epochs, recipe.seed)
    scheduler = _schedule(optimizer, len(batches))
    model.train()
    for step, batch in enumerate(batches):
        chosen = [items[i] for i in batch]
        columns = [[it.question for it in chosen], [it.positive for it in chosen]]
        negatives = [_negatives(it, recipe.encoder_negatives, candidates_first=False) for it in chosen]
        columns += [[n[k] for n in negatives] for k in range(recipe.encoder_negatives)]
        value = loss([model.preprocess(c) for c in columns], torch.zeros(0))
        value.backward()
        optimizer.step()
        scheduler.step()  # type: ignore[attr-defined]
        optimizer.zero_grad()
        if progress:
            progress("encoder", step + 1, len(batches))
    return _adapter_tensors(inner)


HEAD = ("classifier.weight", "classifier.bias")


def train_reranker(
    items: Sequence[Item], recipe: Recipe, progress: Progress | None = None
) -> dict[str, npt.NDArray[np.float32]]:
    """The reranker's adapters and head, trained listwise on `items`."""
    import torch

    from index.models.reranker import MAX_PAIR_TOKENS, load_cross_encoder

    torch.set_num_threads(recipe.threads)
    model = load_cross_encoder(None, seed=recipe.seed)
    inner: Any = model[0].model
    _lora(inner, recipe, HEAD)
    head = [inner.get_parameter(n) for n in HEAD]
    adapters = [p for n, p in inner.named_parameters() if p.requires_grad and n not in HEAD]
    optimizer = torch.optim.AdamW(
        [{"params": adapters, "lr": recipe.reranker_lr}, {"params": head, "lr": recipe.head_lr}]
    )
    batches = _batches(len(items), recipe.reranker_questions, recipe.reranker_epochs, recipe.seed)
    scheduler = _schedule(optimizer, len(batches))
    inner.train()
    width = 1 + recipe.reranker_negatives
    for step, batch in enumerate(batches):
        questions, sentences = [], []
        for i in batch:
            it = items[i]
            listed = [it.positive, *_negatives(it, recipe.reranker_negatives, candidates_first=True)]
            questions += [it.question] * width
            sentences += listed
        tokens = model.tokenizer(
            questions, sentences, padding=True, truncation="longest_first", max_length=MAX_PAIR_TOKENS,
            return_tensors="pt",
        )  # fmt: skip
        logits = inner(**tokens).logits[:, 0].view(len(batch), width)
        # The answering sentence is first in each list: a softmax over the list, its share raised.
        value = torch.nn.functional.cross_entropy(logits, torch.zeros(len(batch), dtype=torch.long))
        value.backward()  # type: ignore[no-untyped-call]
        optimizer.step()
        scheduler.step()  # type: ignore[attr-defined]
        optimizer.zero_grad()
        if progress:
            progress("reranker", step + 1, len(batches))
    inner.eval()
    return _adapter_tensors(inner, HEAD)


def _batches(n: int, size: int, epochs: int, seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    out = []
    for _ in range(epochs):
        order = list(range(n))
        rng.shuffle(order)
        out += [order[i : i + size] for i in range(0, n, size) if len(order[i : i + size]) == size or n < size]
    return out


def save_adapter(
    tensors: dict[str, npt.NDArray[np.float32]], kind: Kind, recipe: Recipe, path: Path, data: dict[str, object]
) -> None:
    """Write the artefact atomically, with what made it in its metadata."""
    import os

    from safetensors.numpy import save_file

    metadata = {
        "kind": kind,
        "alpha": str(recipe.alpha),
        "rank": str(recipe.rank),
        "base": bundled_model().name,
        "base_weights_sha256": bundled_model().weights_sha256(),
        "recipe": recipe.model_dump_json(),
        "data": json.dumps(data, sort_keys=True),
    }
    partial = path.with_name(f".{path.name}.partial")
    save_file({k: np.ascontiguousarray(v) for k, v in sorted(tensors.items())}, str(partial), metadata=metadata)
    os.replace(partial, path)


def steps_of(items: int, recipe: Recipe) -> tuple[int, int]:
    """Training steps of the encoder and the reranker for `items` questions."""
    return (
        recipe.encoder_epochs * math.ceil(items / recipe.encoder_batch),
        recipe.reranker_epochs * math.ceil(items / recipe.reranker_questions),
    )
