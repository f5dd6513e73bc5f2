"""The ONNX Runtime encoder against sentence-transformers, the reference: the same vectors, the
same token counts, the same answers; and its export, checked and rebuilt when damaged."""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.answering.evaluate import load_eval_set
from index.models.embedder import Embedder, ModelFolder, bundled_model
from index.models.onnx_embedder import OnnxEmbedder, export_problem
from index.service import SearchService
from tests.conftest import EVAL, FIXTURE_ARTICLES, SHARED, SHIPPED

pytestmark = pytest.mark.model

REALNEWS = SHARED / "realnews" / "articles"

ODD = [
    "",
    " ",
    "\n\t",
    "?",
    "AUKUS",
    "WHO SIGNED THE RECIPROCAL ACCESS AGREEMENT???",
    "Ünïcödé — “curly quotes” and emoji 🚀🛡️",
    "日本とフィリピンは防衛協定に署名した。",
    "وقعت اليابان والفلبين اتفاقية دفاعية",
    "x" * 5_000,  # one "word" far past the window
    " ".join(["defence"] * 600),  # 600 tokens: truncated at 256
    "1 2 3 4 5 6 7 8 9 10 2023-01-11 $4.5bn 30%",
    "a\x00b\x07c",
]


def varied_texts() -> list[str]:
    """Real sentences and paragraphs of every length (some past the 256-token window), and odd ones."""
    texts = list(ODD)
    for path in sorted(REALNEWS.glob("*.md")) + sorted(FIXTURE_ARTICLES.iterdir()):
        for paragraph in path.read_text(encoding="utf-8").splitlines():
            texts += [s for s in re.split(r"(?<=[.!?])\s+", paragraph) if s][:3]
            texts.append(paragraph)
    long_read = " ".join(texts[20:80])
    return [*texts[:400], long_read]


def test_onnx_vectors_match_sentence_transformers(real_embedder: Embedder, reference_embedder: Embedder) -> None:
    texts = varied_texts()
    assert len(texts) >= 300 and any(reference_embedder.count_tokens(t) > 256 for t in texts)
    onnx, torch = real_embedder.encode(texts), reference_embedder.encode(texts)
    cosines = (onnx * torch).sum(axis=1)
    assert cosines.min() >= 0.99999, texts[int(np.argmin(cosines))][:80]
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)
    # One at a time (no padding) gives the same vectors as in a batch.
    single = np.vstack([real_embedder.encode([t]) for t in texts[:40]])
    assert ((single * onnx[:40]).sum(axis=1)).min() >= 0.99999


def test_token_counts_match(real_embedder: Embedder, reference_embedder: Embedder) -> None:
    texts = varied_texts()[:150]
    assert [real_embedder.count_tokens(t) for t in texts] == [reference_embedder.count_tokens(t) for t in texts]


def test_answers_are_identical_to_the_reference_encoders(
    tmp_path: Path, real_embedder: Embedder, reference_embedder: Embedder
) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for path in [*SHIPPED, *FIXTURE_ARTICLES.iterdir()]:
        shutil.copyfile(path, knowledge / path.name)
    services = {}
    for name, embedder in (("onnx", real_embedder), ("torch", reference_embedder)):
        services[name] = SearchService(knowledge, tmp_path / name, embedder)
        services[name].rebuild(show_progress=False)
    questions = [q.question for q in load_eval_set(EVAL / "questions-dev.yaml").questions]
    for question in questions:
        onnx, torch = (services[n].ask(question) for n in ("onnx", "torch"))
        assert onnx.abstained == torch.abstained, question
        assert [(c.article_id, c.paragraph, c.quote) for c in onnx.citations] == [
            (c.article_id, c.paragraph, c.quote) for c in torch.citations
        ], question


def test_a_damaged_export_is_exported_again_with_a_message(
    tmp_path: Path, real_embedder: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    assert isinstance(real_embedder, OnnxEmbedder)
    real_embedder.load()
    model = bundled_model()
    copy = tmp_path / "models"
    shutil.copytree(real_embedder.path.parent, copy, ignore=shutil.ignore_patterns("*.lock"))
    target = copy / real_embedder.path.name
    adapter = real_embedder.adapter  # Pactbot's encoder: the artefact is part of what was exported
    assert export_problem(model, target, adapter) is None

    record = json.loads(target.with_suffix(".json").read_text())
    target.with_suffix(".json").write_text(json.dumps({**record, "weights_sha256": "0" * 64}))
    assert export_problem(model, target, adapter) == "it was exported from other weights"
    target.with_suffix(".json").write_text(json.dumps(record))

    with target.open("r+b") as f:  # one flipped byte in the middle of the weights
        f.seek(target.stat().st_size // 2)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0xFF]))
    assert export_problem(model, target, adapter) == "its checksum does not match (damaged)"
    with caplog.at_level(logging.WARNING, logger="index.models.onnx_embedder"):
        again = OnnxEmbedder(copy, adapter=adapter)
        vector = again.encode(["Who signed AUKUS?"])
    assert "damaged" in caplog.text and "exporting the embedding model to ONNX" in caplog.text
    assert export_problem(model, target, adapter) is None
    assert float((vector * real_embedder.encode(["Who signed AUKUS?"])).sum()) >= 0.99999

    target.unlink()
    assert export_problem(model, target) == "missing"


def test_pooling_and_normalisation_are_read_from_the_model_folder(tmp_path: Path) -> None:
    def folder(pooling: dict[str, bool], normalize: bool) -> ModelFolder:
        root = tmp_path / str(len(list(tmp_path.iterdir())))
        (root / "1_Pooling").mkdir(parents=True)
        (root / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 2, **pooling}))
        (root / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 128}))
        modules = [{"type": "sentence_transformers.models.Transformer"}]
        if normalize:
            modules.append({"type": "sentence_transformers.models.Normalize"})
        (root / "modules.json").write_text(json.dumps(modules))
        return ModelFolder.read(root, "test")

    hidden = np.array([[[3.0, 4.0], [1.0, 0.0], [9.0, 9.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]])  # the third token is padding
    mean = folder({"pooling_mode_mean_tokens": True}, normalize=False)
    assert mean.pooling == "mean_tokens" and mean.max_seq_length == 128 and not mean.normalize
    assert np.allclose(mean.pool(hidden, mask), [[2.0, 2.0]])
    cls = folder({"pooling_mode_cls_token": True}, normalize=True)
    assert np.allclose(cls.pool(hidden, mask), [[0.6, 0.8]])
    assert np.allclose(folder({"pooling_mode_max_tokens": True}, False).pool(hidden, mask), [[3.0, 4.0]])
    with pytest.raises(ValueError, match="expected one pooling mode"):
        folder({}, normalize=False)
    bundled = bundled_model()
    assert (bundled.pooling, bundled.normalize, bundled.max_seq_length) == ("mean_tokens", True, 256)
