"""The partial ranking the lexical search uses ranks exactly like a full stable sort."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from index.candidates import top_rows

# Few distinct values, so that ties (common in BM25 scores: many passages score 0) are tested.
scores = arrays(np.float32, st.integers(1, 60), elements=st.sampled_from([0.0, 0.5, 1.0, 2.5, 7.0]))


@given(scores, st.integers(1, 70))
def test_top_rows_is_a_stable_sort_cut_short(values: np.ndarray, n: int) -> None:
    expected = np.argsort(-values, kind="stable")[:n]
    np.testing.assert_array_equal(top_rows(values, n), expected)
