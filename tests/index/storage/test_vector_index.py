"""Large versions are searched through an HNSW graph stored with them; small ones exactly."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from index.service import SearchService
from index.storage import vector_index
from index.storage.build import build_index
from index.storage.store import GRAPH, CorruptIndexError, current_name, load_current, load_version, versions_dir
from tests.fakes import HashEmbedder

QUESTIONS = (
    "When will Japan and the UK sign the defence pact?",
    "What is the Reciprocal Access Agreement?",
    "What did experts say about the submarines?",
    "Which countries does AUKUS join?",
)


def test_small_versions_have_no_graph_and_are_searched_exactly(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    build_index(knowledge, data_dir, fake_embedder)
    data = load_current(data_dir)
    assert data.graph is None and GRAPH not in data.manifest.files
    assert isinstance(SearchService(knowledge, data_dir, fake_embedder).searcher._faiss, faiss.IndexFlatIP)


def test_past_the_threshold_the_graph_is_stored_checked_and_gives_the_exact_answers(
    knowledge: Path, tmp_path: Path, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    exact = SearchService(knowledge, tmp_path / "exact", fake_embedder)
    exact.rebuild(False)
    monkeypatch.setattr(vector_index, "EXACT_UP_TO", 10)
    graph = SearchService(knowledge, tmp_path / "graph", HashEmbedder())
    graph.rebuild(False)

    data = load_current(tmp_path / "graph")  # read back from disk, checksums verified
    assert isinstance(data.graph, faiss.IndexHNSWSQ) and data.graph.ntotal == len(data.passages) > 10
    assert GRAPH in data.manifest.files
    assert data.graph.hnsw.efSearch == vector_index.HNSW_EF_SEARCH
    for question in QUESTIONS:  # a few dozen passages: the graph finds the true neighbours
        assert graph.ask(question) == exact.ask(question)
    _, rows = data.graph.search(data.vectors[:5], 1)
    np.testing.assert_array_equal(rows[:, 0], np.arange(5))


def test_a_damaged_graph_is_detected(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vector_index, "EXACT_UP_TO", 10)
    build_index(knowledge, data_dir, fake_embedder)
    path = versions_dir(data_dir) / str(current_name(data_dir)) / GRAPH
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(CorruptIndexError, match=f"{GRAPH} does not match its checksum"):
        load_version(path.parent)


def test_the_graphs_candidates_are_rescored_exactly_and_cut_to_the_number_asked() -> None:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((2_000, 48)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    graph = vector_index.graph_index(vectors, show_progress=False)
    exact = vector_index.exact_index(vectors)
    agree = 0
    for query in vectors[:50] + 0.05 * rng.standard_normal((50, 48)).astype(np.float32):
        query = (query / np.linalg.norm(query)).astype(np.float32)
        scores, rows = vector_index.search(graph, query, 5, vectors)
        assert len(rows) == 5 and list(scores) == sorted(scores, reverse=True)
        np.testing.assert_allclose(scores, vectors[rows] @ query, rtol=1e-5)  # full-precision scores
        _, true_rows = vector_index.search(exact, query, 5)
        agree += len(set(rows) & set(true_rows))
    assert agree / (50 * 5) >= 0.99


def test_equal_similarities_come_in_row_order_from_exact_search_and_the_graph() -> None:
    rng = np.random.default_rng(3)
    unique = rng.standard_normal((300, 32)).astype(np.float32)
    vectors = np.vstack([unique, unique[::-1]])  # every vector twice, the copies in reverse order
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact, graph = vector_index.exact_index(vectors), vector_index.graph_index(vectors, show_progress=False)
    for query in vectors[:20]:
        _, exact_rows = vector_index.search(exact, query, 8)
        _, graph_rows = vector_index.search(graph, query, 8, vectors)
        assert list(exact_rows) == list(graph_rows)
        assert list(exact_rows) == sorted(exact_rows, key=lambda row: (-float(vectors[row] @ query), row))
