"""The bundled model served through ONNX Runtime and the `tokenizers` library: no torch import.

Answering a question, starting a process and holding the model in memory all cost a fraction
of what PyTorch costs (docs/performance.md), with the same vectors: sentence-transformers
stays the reference implementation, and the exporter.

* **Export.** The model's transformer is exported to ONNX once, at full precision, into the
  data folder (`models/all-MiniLM-L6-v2.onnx`, never into git), the first time an embedder
  needs it; only then are torch and sentence-transformers imported. Beside it, a JSON record
  holds the file's SHA-256 and that of the weights it came from: a missing, damaged or stale
  export is exported again, with a message.
* **Tokens.** `tokenizer.json` from the model folder, with truncation at the model's window
  (`max_seq_length`, 256: the bundled file says 128) and padding to the longest text of each
  batch, as sentence-transformers does; texts are batched in order of length, as it does too,
  with a cap on a batch's padded tokens so that long texts do not fill memory.
* **Pooling and normalisation** as the model folder's sentence-transformers configuration says
  (`1_Pooling/config.json`, a Normalize module in `modules.json`), read, not assumed.
* **Threads.** Every model call runs on one intra-op thread. A question is encoded on the
  calling thread, so concurrent questions each get a core and never wait for each other's
  thread pool (one question's p95 stays tight while anything else runs); a long list of texts
  (an index build) is split into batches that `batch_workers` threads encode side by side.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from filelock import FileLock
from pydantic import BaseModel, ValidationError

from index.files import file_sha256
from index.models.adapters import Adapter
from index.models.embedder import ModelFolder, ProgressCallback, Vectors, bundled_model, encoder_name

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Encoding, Tokenizer

log = logging.getLogger(__name__)

OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "last_hidden_state"
# Most padded tokens in one model call (texts x the longest): batches of long texts get fewer
# texts. Measured on 2,200 benchmark passages (some cut to 256 tokens), peak memory and rate:
# 64 texts a call 1,688 MB and 163 texts/s; a budget of 8,192 tokens 1,039 MB, 233/s; 2,048
# 440-483 MB, 270-288/s; 1,024 349 MB, 297/s. Attention memory grows with texts x tokens².
TOKEN_BUDGET = 1024


class ExportRecord(BaseModel):
    """What was exported, from what: checked before the export is used."""

    sha256: str  # of the .onnx file
    bytes: int
    weights_sha256: str  # of the model folder's weights it was exported from
    adapter_sha256: str | None = None  # of the artefact merged into them, if any
    opset: int


def export_onnx(model: ModelFolder, target: Path, adapter: Adapter | None = None) -> ExportRecord:
    """Export the model's transformer (inputs input_ids, attention_mask, token_type_ids with
    dynamic batch and sequence axes; output the last hidden state) to `target`, atomically,
    and write its record beside it. Imports torch: only the first use pays for it."""
    import torch

    from index.models.torch_embedder import MiniLMEmbedder

    reference = MiniLMEmbedder(adapter).load()  # offline, by path, without progress bars; adapter merged
    transformer = reference[0].auto_model
    assert isinstance(transformer, torch.nn.Module)
    transformer.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, transformer: torch.nn.Module) -> None:
            super().__init__()
            self.run: Callable[..., Any] = transformer  # a submodule; typed, as attributes read as Tensor | Module

        def forward(self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor) -> object:
            return self.run(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state

    sample = reference.tokenizer(["a short text", "and a somewhat longer one"], padding=True, return_tensors="pt")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    axes = {name: {0: "batch", 1: "sequence"} for name in (*INPUTS, OUTPUT)}
    # The exporter warns that the legacy exporter is deprecated and that some shape checks are
    # traced as constants; the equality tests (tests/index/models/test_onnx_embedder.py) show the graph
    # gives the reference's vectors for every batch and length, so the warnings would only alarm.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState(transformer),
            tuple(sample[name] for name in INPUTS),
            str(partial),
            input_names=list(INPUTS),
            output_names=[OUTPUT],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter: the dynamo one needs onnxscript
        )
    os.replace(partial, target)
    record = ExportRecord(
        sha256=file_sha256(target),
        bytes=target.stat().st_size,
        weights_sha256=model.weights_sha256(),
        adapter_sha256=adapter.sha256 if adapter else None,
        opset=OPSET,
    )
    record_path(target).write_text(record.model_dump_json(indent=1), encoding="utf-8")
    return record


def record_path(target: Path) -> Path:
    return target.with_suffix(".json")


def link_exports(export_dir: Path, data_dir: Path) -> None:
    """Link every export in `export_dir`, with its record, into the data folder's models/, so
    that a process on `data_dir` uses them rather than export its own (about 10 s each). A
    process that finds an export unusable replaces the link, not the linked file."""
    models = data_dir / "models"
    models.mkdir(parents=True, exist_ok=True)
    for export in export_dir.glob("*.onnx"):
        for path in (export, record_path(export)):
            (models / path.name).symlink_to(path)


def export_problem(model: ModelFolder, target: Path, adapter: Adapter | None = None) -> str | None:
    """Why the export at `target` cannot be used (missing, damaged, from other weights or
    another artefact), or None."""
    if not target.exists():
        return "missing"
    try:
        record = ExportRecord.model_validate_json(record_path(target).read_bytes())
    except (OSError, ValidationError):
        return "its record is missing or unreadable"
    if record.weights_sha256 != model.weights_sha256():
        return "it was exported from other weights"
    if record.adapter_sha256 != (adapter.sha256 if adapter else None):
        return "it was exported with another trained artefact"
    if target.stat().st_size != record.bytes or file_sha256(target) != record.sha256:
        return "its checksum does not match (damaged)"
    return None


def padded_feed(encodings: Sequence[Encoding]) -> dict[str, npt.NDArray[np.int64]]:
    """The model's inputs for one call: the encodings padded to the longest of them (padding is
    0 in all three: the [PAD] id, the mask and the type)."""
    longest = max(len(e.ids) for e in encodings)
    feed = {name: np.zeros((len(encodings), longest), dtype=np.int64) for name in INPUTS}
    for row, e in enumerate(encodings):
        feed["input_ids"][row, : len(e.ids)] = e.ids
        feed["attention_mask"][row, : len(e.ids)] = e.attention_mask
        feed["token_type_ids"][row, : len(e.ids)] = e.type_ids
    return feed


class OnnxEmbedder:
    """all-MiniLM-L6-v2 through ONNX Runtime; the same name, dimension, window and vectors as
    `MiniLMEmbedder`, so an index built with either is served by the other."""

    batch_size = 64

    def __init__(
        self,
        export_dir: Path,
        model: ModelFolder | None = None,
        batch_workers: int | None = None,
        adapter: Adapter | None = None,
    ) -> None:
        self.model = model or bundled_model()
        self.adapter = adapter
        self.name = encoder_name(self.model, adapter)
        self.dimension = self.model.dimension
        self.max_tokens = self.model.max_seq_length - 2  # the window includes [CLS] and [SEP]
        self.path = export_dir / f"{self.name}.onnx"
        self.batch_workers = batch_workers or min(2, len(os.sched_getaffinity(0)))
        self._session: onnxruntime.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._counter: Tokenizer | None = None
        self._loading = threading.Lock()

    def load(self) -> onnxruntime.InferenceSession:
        """The session, made the first time it is needed (exporting the model first if there is
        no usable export); threads asking meanwhile wait for it."""
        with self._loading:
            if self._session is None:
                import onnxruntime

                self._load_tokenizers()
                self._ensure_export()
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = 1
                options.inter_op_num_threads = 1
                options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
                options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
                self._session = onnxruntime.InferenceSession(
                    str(self.path), options, providers=["CPUExecutionProvider"]
                )
            return self._session

    def _load_tokenizers(self) -> None:
        """One tokenizer as the model sees texts (truncated to its window; the file's fixed 128
        undone, and padding left to `_run`, which pads each batch to its longest), one that
        counts whole texts."""
        if self._tokenizer is not None:
            return
        from tokenizers import Tokenizer

        file = str(self.model.path / "tokenizer.json")
        tokenizer = Tokenizer.from_file(file)
        if (tokenizer.padding or {}).get("pad_id", 0) != 0:
            raise ValueError(f"{file}: padding with a token other than id 0 is not supported")
        tokenizer.enable_truncation(max_length=self.model.max_seq_length)
        tokenizer.no_padding()
        counter = Tokenizer.from_file(file)
        counter.no_truncation()
        counter.no_padding()
        self._tokenizer, self._counter = tokenizer, counter

    def _ensure_export(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(self.path.with_suffix(".lock"), timeout=600):  # one exporter per data folder
            problem = export_problem(self.model, self.path, self.adapter)
            if problem is not None:
                log.warning("exporting the embedding model to ONNX into %s (%s; once, about 10 s)", self.path, problem)
                export_onnx(self.model, self.path, self.adapter)

    def _run(self, encodings: Sequence[Encoding]) -> Vectors:
        """One model call: the encodings padded to the longest of them."""
        assert self._session is not None
        feed = padded_feed(encodings)
        (hidden,) = self._session.run([OUTPUT], feed)
        return self.model.pool(np.asarray(hidden, dtype=np.float32), feed["attention_mask"])

    def _batches(self, encodings: Sequence[Encoding]) -> Iterator[list[int]]:
        """Rows in order of length, longest first (as sentence-transformers orders them, so each
        batch pads to similar lengths), cut into batches of at most `batch_size` texts and
        TOKEN_BUDGET padded tokens: 64 texts of 256 tokens need 1.5 GB for their attention,
        and encode slower than sixteen calls of four."""
        order = sorted(range(len(encodings)), key=lambda i: -len(encodings[i].ids))
        batch: list[int] = []
        for i in order:
            longest = len(encodings[batch[0]].ids) if batch else len(encodings[i].ids)
            if batch and (len(batch) == self.batch_size or (len(batch) + 1) * longest > TOKEN_BUDGET):
                yield batch
                batch = []
            batch.append(i)
        if batch:
            yield batch

    def encode(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Vectors:
        self.load()
        assert self._tokenizer is not None
        encodings = self._tokenizer.encode_batch(list(texts))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        batches = list(self._batches(encodings))

        def encode_batch(rows: list[int]) -> None:
            out[rows] = self._run([encodings[i] for i in rows])
            if progress:
                progress(len(rows))

        if len(batches) <= 1:  # a question, or a few: on this thread
            for rows in batches:
                encode_batch(rows)
        else:
            with ThreadPoolExecutor(self.batch_workers, thread_name_prefix="pactbot-encode") as pool:
                list(pool.map(encode_batch, batches))
        return out

    def count_tokens(self, text: str) -> int:
        with self._loading:
            self._load_tokenizers()
        assert self._counter is not None
        return len(self._counter.encode(text, add_special_tokens=False).ids)
