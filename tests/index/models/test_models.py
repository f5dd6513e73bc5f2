"""Pactbot's trained models: training moves the scores, the ONNX exports score as the torch
models do, a changed artefact is exported again, a damaged export or artefact is refused."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from index.models.adapters import ARTEFACT_DIR, AdapterError, artefact_path, read_adapter
from index.models.embedder import bundled_model
from index.models.onnx_embedder import OnnxEmbedder, export_problem
from index.models.pairs import Item, event_folds
from index.models.reranker import OnnxReranker, TorchReranker
from index.models.torch_embedder import MiniLMEmbedder
from index.models.train import Recipe, save_adapter, train_encoder, train_reranker

pytestmark = pytest.mark.model

# A tiny fixture: questions whose answering sentence shares few words with them, and wrong
# sentences that share more.
ITEMS = [
    Item(q, pos, tuple(negs), tuple(negs), event)
    for q, pos, negs, event in [
        (
            "when does the troop deal come into force",
            "The accord takes effect on 1 March once both parliaments have ratified it.",
            ["The troop deal was criticised by opposition lawmakers.", "Troops will train together in the north."],
            "a",
        ),
        (
            "who signed for the japanese side",
            "Foreign Minister Yoko Kamikawa put her name to the text in Manila.",
            ["The Japanese side said the talks were constructive.", "Japan signed a similar pact in 2022."],
            "a",
        ),
        (
            "how much is the submarine contract worth",
            "The order is valued at about 4.5 billion euros over ten years.",
            ["The submarine contract was signed on Tuesday.", "Submarines will be built in Lorient."],
            "b",
        ),
        (
            "why did the government cancel the purchase",
            "Officials said rising costs and delays had made the programme untenable.",
            ["The government announced the purchase in 2019.", "The purchase included 12 aircraft."],
            "c",
        ),
    ]
]
QUICK = Recipe(encoder_epochs=3, encoder_batch=4, reranker_epochs=3, reranker_questions=2, reranker_negatives=2)


def _margins_encoder(embedder: MiniLMEmbedder) -> float:
    total = 0.0
    for it in ITEMS:
        q, pos, neg = embedder.encode([it.question, it.positive, it.article_negatives[0]])
        total += float(q @ pos - q @ neg)
    return total / len(ITEMS)


def _margins_reranker(reranker: TorchReranker) -> float:
    total = 0.0
    for it in ITEMS:
        scores = reranker.score(it.question, [it.positive, *it.candidate_negatives])
        total += float(scores[0] - scores[1:].max())
    return total / len(ITEMS)


@pytest.fixture(scope="module")
def tiny_artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("artefacts")
    save_adapter(train_encoder(ITEMS, QUICK), "encoder", QUICK, folder / "encoder.safetensors", {"test": True})
    save_adapter(train_reranker(ITEMS, QUICK), "reranker", QUICK, folder / "reranker.safetensors", {"test": True})
    return folder


def test_training_a_few_steps_moves_the_scores_the_right_way(tiny_artefacts: Path) -> None:
    encoder = MiniLMEmbedder(read_adapter(tiny_artefacts / "encoder.safetensors"))
    stock = MiniLMEmbedder()
    assert encoder.name != stock.name
    assert _margins_encoder(encoder) > _margins_encoder(stock)
    # The stock head is random: the trained one must put each answering sentence first.
    reranker = TorchReranker(read_adapter(tiny_artefacts / "reranker.safetensors"))
    assert _margins_reranker(reranker) > 0


def test_training_is_seeded(tiny_artefacts: Path) -> None:
    again = train_encoder(ITEMS, QUICK)
    first = load_file(str(tiny_artefacts / "encoder.safetensors"))
    assert sorted(again) == sorted(first)
    assert all(np.allclose(again[name], first[name], atol=1e-6) for name in first)


def test_the_shipped_artefacts_are_small_safetensors() -> None:
    files = sorted(ARTEFACT_DIR.glob("*.safetensors"))
    assert [f.name for f in files] == ["encoder.safetensors", "reranker.safetensors"]
    assert sum(f.stat().st_size for f in files) <= 10 * 2**20
    for kind in ("encoder", "reranker"):
        adapter = read_adapter(artefact_path(kind))
        assert adapter.kind == kind
        assert adapter.metadata["base_weights_sha256"] == bundled_model().weights_sha256()


def test_onnx_encoder_gives_the_torch_vectors_of_the_shipped_encoder(tmp_path: Path) -> None:
    adapter = read_adapter(artefact_path("encoder"))
    texts = [it.question for it in ITEMS] + [it.positive for it in ITEMS] + ["", "x " * 400]
    onnx = OnnxEmbedder(tmp_path, adapter=adapter).encode(texts)
    torch = MiniLMEmbedder(adapter).encode(texts)
    assert np.abs(onnx - torch).max() < 1e-5


def test_onnx_reranker_gives_the_torch_logits_of_the_shipped_reranker(tmp_path: Path) -> None:
    adapter = read_adapter(artefact_path("reranker"))
    onnx, torch = OnnxReranker(tmp_path, adapter, quantized=False), TorchReranker(adapter)
    for it in ITEMS:
        sentences = [it.positive, *it.article_negatives, "word " * 300]
        assert np.abs(onnx.score(it.question, sentences) - torch.score(it.question, sentences)).max() < 1e-4
    assert onnx.score("anything", []).shape == (0,)


def test_the_served_8_bit_reranker_orders_as_the_exact_one(tmp_path: Path) -> None:
    adapter = read_adapter(artefact_path("reranker"))
    served, exact = OnnxReranker(tmp_path, adapter), OnnxReranker(tmp_path, adapter, quantized=False)
    assert served.path != exact.path
    for it in ITEMS:
        # Pairs of different lengths, read shortest first two at a time: each logit its own pair's.
        sentences = [it.positive, *it.article_negatives, *it.candidate_negatives, "word " * 300]
        quantized, logits = served.score(it.question, sentences), exact.score(it.question, sentences)
        assert quantized.shape == logits.shape and np.argmax(quantized) == np.argmax(logits)
        assert np.abs(quantized - logits).max() < 1.0  # they differ: 8 bits are not 32
    assert served.path.stat().st_size < 0.8 * exact.path.stat().st_size


def test_a_changed_artefact_is_exported_again(
    tiny_artefacts: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = read_adapter(tiny_artefacts / "encoder.safetensors")
    changed_path = tmp_path / "encoder.safetensors"
    tensors = load_file(str(first.path))
    name = sorted(tensors)[0]
    tensors[name] = tensors[name] + 0.01
    save_file(tensors, str(changed_path), metadata=first.metadata)
    changed = read_adapter(changed_path)
    exports = tmp_path / "models"
    embedder = OnnxEmbedder(exports, adapter=first)
    embedder.encode(["warm"])
    other = OnnxEmbedder(exports, adapter=changed)
    assert other.name != embedder.name  # an index built with the first is embedded again
    shutil.copyfile(embedder.path, other.path)
    shutil.copyfile(embedder.path.with_suffix(".json"), other.path.with_suffix(".json"))
    assert export_problem(bundled_model(), other.path, changed) == "it was exported with another trained artefact"
    with caplog.at_level(logging.WARNING):
        vectors = other.encode(["warm"])
    assert "another trained artefact" in caplog.text
    assert np.abs(vectors - MiniLMEmbedder(changed).encode(["warm"])).max() < 1e-5


def test_a_damaged_reranker_export_is_refused_and_exported_again(
    tiny_artefacts: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    adapter = read_adapter(tiny_artefacts / "reranker.safetensors")
    first = OnnxReranker(tmp_path, adapter)
    expected = first.score("q", ["a sentence"])
    with first.path.open("r+b") as handle:
        handle.seek(first.path.stat().st_size // 2)
        handle.write(b"\x00" * 64)
    assert export_problem(bundled_model(), first.path, adapter) == "its checksum does not match (damaged)"
    with caplog.at_level(logging.WARNING):
        again = OnnxReranker(tmp_path, adapter).score("q", ["a sentence"])
    assert "damaged" in caplog.text
    assert np.allclose(again, expected, atol=1e-5)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\x80\x04pickle", "is not a Pactbot adapter"), (b"", "is not a Pactbot adapter")],
)
def test_an_unreadable_artefact_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "encoder.safetensors"
    path.write_bytes(content)
    with pytest.raises(AdapterError, match=message):
        read_adapter(path)
    with pytest.raises(AdapterError, match="pactbot train"):
        read_adapter(tmp_path / "missing.safetensors")


def test_event_folds_keep_every_event_in_one_fold() -> None:
    events = ["a"] * 30 + ["b"] * 20 + ["c"] * 12 + ["d"] * 11 + ["e"] * 5 + ["f"] * 3
    folds = event_folds(events, 3)
    assert sorted(ev for fold in folds for ev in fold) == sorted(set(events))
    sizes = sorted(sum(events.count(ev) for ev in fold) for fold in folds)
    assert sizes[-1] - sizes[0] <= 12  # dealt largest first into the smallest fold
