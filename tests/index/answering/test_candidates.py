"""The partial ranking the lexical search uses ranks exactly like a full stable sort."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from index.answering.candidates import top_rows
from index.service import SearchService
from index.storage.build import build_index
from tests.conftest import FIXTURE_ARTICLES
from tests.fakes import HashEmbedder

# Few distinct values, so that ties (common in BM25 scores: many passages score 0) are tested.
scores = arrays(np.float32, st.integers(1, 60), elements=st.sampled_from([0.0, 0.5, 1.0, 2.5, 7.0]))


@given(scores, st.integers(1, 70))
def test_top_rows_is_a_stable_sort_cut_short(values: np.ndarray, n: int) -> None:
    expected = np.argsort(-values, kind="stable")[:n]
    np.testing.assert_array_equal(top_rows(values, n), expected)


def test_the_per_passage_word_cache_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("index.answering.candidates.CACHED_PASSAGES", 3)
    build_index(FIXTURE_ARTICLES, tmp_path / "data", HashEmbedder())
    searcher = SearchService(FIXTURE_ARTICLES, tmp_path / "data", HashEmbedder()).searcher
    rows = range(len(searcher.data.passages))
    assert len(rows) > 3
    words = [searcher.stems_of(row) for row in rows]
    assert searcher.stems_of.cache_info().currsize == 3 and searcher.pairs_of.cache_info().currsize == 0
    # What it evicts it works out again, the same.
    assert searcher.stems_of(0) == words[0] and words[0]
