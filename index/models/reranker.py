"""The reranker: a cross-encoder that reads the question and a candidate sentence together and
scores how well the sentence answers (a logit; higher is better).

It is all-MiniLM-L6-v2 with a one-logit classification head, fine-tuned listwise by
`pactbot train` (index/models/train.py) and checked in as a LoRA adapter plus the head
(index/models/reranker.safetensors). As the encoder, it is merged into the bundled weights and
exported to ONNX once, into the data folder, on first use (torch imported only then); answering
runs it through ONNX Runtime and the `tokenizers` library. `TorchReranker` is the reference the
export is checked against.

The served export is that export quantized to 8-bit integers (ONNX Runtime's dynamic
quantization of the matrix products' weights, one scale per output channel): on one core of
the 2-core machine it reads 16 candidates of a real news question in about 55 ms instead of
135 ms, and puts the same one first as the exact export for 93 % of questions; docs/models.md
gives what it costs in answers. `quantized=False` serves the exact export.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt
from filelock import FileLock

from index.files import file_sha256
from index.models.adapters import Adapter, apply_adapter
from index.models.embedder import ModelFolder, bundled_model
from index.models.onnx_embedder import INPUTS, OPSET, ExportRecord, export_problem, padded_feed, record_path

if TYPE_CHECKING:
    import onnxruntime
    from sentence_transformers import CrossEncoder
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

# Tokens of a (question, sentence) pair, special tokens included: a question and a long news
# sentence fit; longer pairs lose the end of the sentence, as the trainer saw them.
MAX_PAIR_TOKENS = 192
# Pairs are read shortest first, two to a run: padding every pair to the longest of 16 cost more
# than reading them together saved (real news candidates: 250 ms all at once, 134 ms two at a time).
PAIRS_PER_RUN = 2
Scores = npt.NDArray[np.float32]


class Reranker(Protocol):
    name: str

    def score(self, question: str, sentences: Sequence[str]) -> Scores:
        """One logit per sentence: how well it answers the question."""
        ...


def load_cross_encoder(adapter: Adapter | None, seed: int = 0) -> CrossEncoder:
    """The bundled MiniLM as a one-logit cross-encoder (the head drawn from `seed`), with the
    adapter merged in when given."""
    import os

    import torch

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import transformers
    from sentence_transformers import CrossEncoder

    transformers.utils.logging.set_verbosity_error()  # the "classifier newly initialised" report
    transformers.utils.logging.disable_progress_bar()
    torch.manual_seed(seed)
    model = CrossEncoder(str(bundled_model().path), num_labels=1, device="cpu", max_length=MAX_PAIR_TOKENS)
    if adapter is not None:
        apply_adapter(model[0].model, adapter)
    model.eval()
    return model


def torch_logits(model: CrossEncoder, question: str, sentences: Sequence[str]) -> Scores:
    """The cross-encoder's logits for (question, sentence) pairs, in torch."""
    import torch

    if not sentences:
        return np.zeros(0, dtype=np.float32)
    tokens = model.tokenizer(
        [question] * len(sentences),
        list(sentences),
        padding=True,
        truncation="longest_first",
        max_length=MAX_PAIR_TOKENS,
        return_tensors="pt",
    )
    with torch.no_grad():
        inner: Any = model[0].model
        logits = inner(**tokens).logits[:, 0]
    return np.asarray(logits.numpy(), dtype=np.float32)


class TorchReranker:
    """The reference: sentence-transformers' CrossEncoder in PyTorch, with the adapter merged."""

    def __init__(self, adapter: Adapter) -> None:
        self.name = f"pactbot-reranker-{adapter.sha256[:12]}"
        self._model = load_cross_encoder(adapter)

    def score(self, question: str, sentences: Sequence[str]) -> Scores:
        return torch_logits(self._model, question, sentences)


def export_reranker(model: ModelFolder, target: Path, adapter: Adapter, quantized: bool = True) -> ExportRecord:
    """Export the cross-encoder with the adapter merged (inputs as the encoder's, output one
    logit per pair) to `target`, quantized to 8 bits unless told otherwise, atomically, with its
    record beside it."""
    import os

    import torch

    reference: Any = load_cross_encoder(adapter)[0].model

    class Logit(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner: Any = inner

        def forward(self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor) -> object:
            return self.inner(input_ids=ids, attention_mask=mask, token_type_ids=types).logits[:, 0]

    ids = torch.ones((2, 8), dtype=torch.int64)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    axes = {name: {0: "batch", 1: "sequence"} for name in INPUTS}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # as for the encoder: the equality test speaks for the graph
        torch.onnx.export(
            Logit(reference),
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            str(partial),
            input_names=list(INPUTS),
            output_names=["logits"],
            dynamic_axes={**axes, "logits": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )
    if quantized:
        _quantize(partial)
    os.replace(partial, target)
    record = ExportRecord(
        sha256=file_sha256(target),
        bytes=target.stat().st_size,
        weights_sha256=model.weights_sha256(),
        adapter_sha256=adapter.sha256,
        opset=OPSET,
    )
    record_path(target).write_text(record.model_dump_json(indent=1), encoding="utf-8")
    return record


def _without_advice(record: logging.LogRecord) -> bool:
    # ONNX Runtime's quantizer advises a pre-processing pass on the root logger; measured on the
    # reranker, it changed neither the speed nor the logits.
    return "pre-processing before quantization" not in record.getMessage()


def _quantize(path: Path) -> None:
    """Replace the float export at `path` by its 8-bit quantization: the matrix products' weights
    with one scale per output channel, their inputs quantized as each call's values range;
    attention's own products, which have no weights, stay in float. (One scale per tensor
    changed the best of 16 real news candidates for 15 % of questions, one per channel for 7 %.)"""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    exact = path.with_name(f"{path.name}.float")
    path.replace(exact)
    logging.root.addFilter(_without_advice)
    try:
        quantize_dynamic(exact, path, weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"])
    finally:
        logging.root.removeFilter(_without_advice)
        exact.unlink()


class OnnxReranker:
    """The cross-encoder through ONNX Runtime: the reference's logits, no torch import."""

    def __init__(
        self,
        export_dir: Path,
        adapter: Adapter,
        model: ModelFolder | None = None,
        threads: int = 1,
        quantized: bool = True,
    ) -> None:
        self.model = model or bundled_model()
        self.threads = threads
        self.adapter = adapter
        self.quantized = quantized
        self.name = f"pactbot-reranker-{adapter.sha256[:12]}"
        self.path = export_dir / f"{self.name}{'-int8' if quantized else ''}.onnx"
        self._session: onnxruntime.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._loading = threading.Lock()

    def load(self) -> onnxruntime.InferenceSession:
        with self._loading:
            if self._session is None:
                import onnxruntime
                from tokenizers import Tokenizer

                tokenizer = Tokenizer.from_file(str(self.model.path / "tokenizer.json"))
                tokenizer.enable_truncation(max_length=MAX_PAIR_TOKENS, strategy="longest_first")
                tokenizer.no_padding()
                self._tokenizer = tokenizer
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with FileLock(self.path.with_suffix(".lock"), timeout=600):
                    problem = export_problem(self.model, self.path, self.adapter)
                    if problem is not None:
                        log.warning("exporting the reranker to ONNX into %s (%s; once, about 10 s)", self.path, problem)
                        export_reranker(self.model, self.path, self.adapter, self.quantized)
                options = onnxruntime.SessionOptions()
                # One thread a call when serving, as the encoder: concurrent questions each get
                # a core. Scoring thousands of questions one after another (training) takes more.
                options.intra_op_num_threads = self.threads
                options.inter_op_num_threads = 1
                options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
                self._session = onnxruntime.InferenceSession(
                    str(self.path), options, providers=["CPUExecutionProvider"]
                )
            return self._session

    def score(self, question: str, sentences: Sequence[str]) -> Scores:
        session = self.load()
        assert self._tokenizer is not None
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        encodings = self._tokenizer.encode_batch([(question, s) for s in sentences])
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        logits = np.zeros(len(encodings), dtype=np.float32)
        for start in range(0, len(order), PAIRS_PER_RUN):
            run = order[start : start + PAIRS_PER_RUN]
            logits[run] = session.run(["logits"], padded_feed([encodings[i] for i in run]))[0]
        return logits


def reranker_for(encoder: str, data_dir: Path, trained: bool = True, quantized: bool = True) -> Reranker | None:
    """The reranker the settings choose (its export lives in the data folder, as the encoder's;
    8-bit unless told otherwise), or none for the stock model."""
    if not trained:
        return None
    from index.models.adapters import artefact_path, read_adapter

    adapter = read_adapter(artefact_path("reranker"))
    return (
        TorchReranker(adapter)
        if encoder == "torch"
        else OnnxReranker(data_dir / "models", adapter, quantized=quantized)
    )
