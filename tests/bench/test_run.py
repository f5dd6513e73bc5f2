"""A small run of the whole benchmark, so that it cannot rot; the real figures come from `make bench`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.corpus import questions, write_corpus
from bench.report import targets
from bench.run import app
from tests.conftest import KNOWLEDGE

pytestmark = pytest.mark.model


def test_corpora_and_questions_are_deterministic(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 100, KNOWLEDGE)
    write_corpus(tmp_path / "b", 100, KNOWLEDGE)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert all((tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes() for n in names)
    assert len([n for n in names if n.startswith("synthetic-")]) == 5
    assert questions(5) == questions(5) and len(set(questions(50))) > 40


def test_a_small_benchmark_runs_end_to_end(tmp_path: Path, export_dir: Path) -> None:
    # A smoke run: every measurement's path, with a few samples of each, on the suite's exports.
    # Past 30 passages the graph is used, so that its path and recall figure are run too.
    options = ["--smoke", "--sizes", "60", "--out", str(tmp_path), "--exact-up-to", "30", "--models", str(export_dir)]
    result = CliRunner().invoke(app, ["all", *options])
    assert result.exit_code == 0, result.output
    figures = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    size = figures["sizes"]["60"]
    assert size["passages"] >= 60 and size["ask"]["p50_ms"] > 0 and size["peer"]["p95_ms"] > 0
    assert 0 < size["serving"]["rss_mb"] <= size["serving"]["peak_rss_mb"]
    assert set(size["ask_interleaved"]) == {"onnx", "torch"} and size["ask_interleaved"]["torch"]["p50_ms"] > 0
    assert figures["floor"]["encode_one"]["p50_ms"] > 0 and figures["floor"]["torch"]["batch_texts_per_s"] > 0
    assert size["add_one_article"]["texts"] > 0 and set(size["questions_per_s"]) == {"1", "10", "50"}
    # Served as the bot's default (with the reranker, its own share timed), and without it beside.
    assert size["rerank"]["p50_ms"] > 0 and size["first_stage"]["ask"]["p95_ms"] > 0
    assert size["vector_index"] == "hnsw" and 0.5 <= size["graph_recall_at_10"] <= 1
    assert 0 < figures["quality"]["pactbot_top3"] <= 1 and figures["cold_start_s"] > 0
    assert set(figures["cli_s"]) == {
        "ask",
        "agreements",
        "sources",
        "index_unchanged",
        "bare_onnx",
        "bare_sentence_transformers",
    }
    assert figures["quality"]["same_answers_as_torch"].split("/")[1] != "0"
    markdown = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert (
        markdown.startswith("# Benchmark results")
        and "| indexing rate ≥ the faster bare batch encode (ONNX Runtime or PyTorch) |" in markdown
    )
    assert "With the reranker (served by default), the reranker's own p50 / p95: " in markdown
    assert "| HNSW recall@10 ≥ 0.99 where used (60 passages) |" in markdown
    assert len(targets(figures)) == 7  # the 10k and 100k targets need those sizes
    assert "| ONNX Runtime (serving; the floor) |" in markdown and "| PyTorch (sentence-transformers) |" in markdown
    assert (tmp_path / "latency.png").read_bytes().startswith(b"\x89PNG")
