"""The FAISS index over passage vectors: exact search up to a corpus size, an HNSW graph past it.

Exact search reads every vector for every question, so its cost grows with the corpus; an
HNSW graph visits a few thousand vectors whatever the size, at the price of sometimes missing
a neighbour. The graph is used only where its recall@10 against exact search was measured at
0.99 or more on real embeddings (bench/results.md gives it for each benchmark size).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

import faiss
import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from index.models.embedder import Vectors

# Measured on the 2-core machine with the model's vectors of the benchmark corpora, 300
# questions, one at a time:
#   exact search:  0.8 ms at 10k passages, 15.4 ms at 100k (p50)
#   HNSW, 32 neighbours, efConstruction 80: built in 0.5 s at 10k and 8.3 s at 100k;
#   efSearch 32 / 64 / 128: recall@10 0.992 / 0.999 / 1.000 at 10k, 0.995 / 0.999 / 1.000 at
#   100k; 0.10 / 0.19 / 0.35 ms at 100k.
# Exact search stays up to 20k passages (about 2 ms, scaling the 10k figure), where rebuilding a graph on every reindex
# would cost more than it saves; past that the graph, searched with efSearch 64: recall 0.999
# leaves a margin over the 0.99 floor for collections less uniform than the benchmark's.
EXACT_UP_TO = 20_000
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 64
# The graph keeps 8-bit codes of the vectors, a quarter of their full size (38 instead of 154 MB
# at 100k passages), and its candidates are scored again with the full-precision vectors. Codes
# that coarse misorder near neighbours, so it is asked for more candidates than wanted: measured
# on the 10k passages of the benchmark corpus, with 300 queries made from their sentence vectors
# (slightly perturbed), recall@10 of the re-scored top 12 was 0.999 with 8-bit codes and 32
# candidates, as with half precision; re-scoring only 10 candidates, 0.991.
GRAPH_SPEC = f"HNSW{HNSW_NEIGHBOURS},SQ8"
GRAPH_CANDIDATES = 32
LINK_SLICE = 10_000  # vectors added to the graph between progress-bar updates


def exact_index(vectors: Vectors) -> faiss.Index:
    # Inner product on unit-length vectors ranks by cosine similarity.
    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(vectors)
    return index


def graph_index(vectors: Vectors, show_progress: bool | None = None) -> faiss.Index:
    """The HNSW graph over the vectors, which it keeps as 8-bit codes (`GRAPH_SPEC`): it only
    finds the candidates, which `search` scores again with the version's full-precision vectors."""
    # The factory gives the IndexHNSWSQ itself (its constructor's stub wants an object for the
    # quantizer type that the binding does not take).
    index = cast(faiss.IndexHNSW, faiss.index_factory(vectors.shape[1], GRAPH_SPEC, faiss.METRIC_INNER_PRODUCT))
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    # The codes' range per dimension is learnt from a sample; re-scoring corrects what it clips.
    index.train(vectors[: min(len(vectors), LINK_SLICE)])
    index.hnsw.efSearch = HNSW_EF_SEARCH
    disable = None if show_progress is None else not show_progress
    # Linking is worth every core; the thread may have searched on one before (see `search`).
    faiss.omp_set_num_threads(len(os.sched_getaffinity(0)))
    # Added in slices only so that the bar moves: linking 100k vectors takes a while.
    with tqdm(total=len(vectors), desc="Linking", unit="vector", disable=disable) as bar:
        for start in range(0, len(vectors), LINK_SLICE):
            added = vectors[start : start + LINK_SLICE]
            index.add(added)
            bar.update(len(added))
    return index


def needs_graph(passages: int) -> bool:
    return passages > EXACT_UP_TO


def search(
    index: faiss.Index, vector: Vectors, n: int, exact: Vectors | None = None
) -> tuple[Vectors, npt.NDArray[np.int64]]:
    """The `n` nearest passages to one question vector: (similarities, rows), best first; exact
    search pads with -1 rows where the index holds fewer than `n`.
    With `exact` (the passages' full-precision vectors), a graph's `GRAPH_CANDIDATES` candidates
    are scored again with them and the best `n` kept, so its coarse codes never show in a score.
    Equal similarities come in row order both ways, so that exact search and the graph rank alike.

    On one OpenMP thread: one question is too little work to share, and FAISS's idle OpenMP
    threads spin after each search, taking the cores the model needs for the next question
    (answer p50 at 10k passages: 12.8 ms with two threads, 10.4 ms with one). The setting
    belongs to the calling thread, so it is made on every call (a cheap C call).
    """
    faiss.omp_set_num_threads(1)
    rescoring = exact is not None and isinstance(index, faiss.IndexHNSW)
    scores, rows = index.search(vector.reshape(1, -1), max(n, GRAPH_CANDIDATES) if rescoring else n)
    scores, rows = scores[0], rows[0]
    if rescoring and exact is not None:
        rows = np.sort(rows[rows >= 0])  # in row order: the memory-mapped file is read forward
        scores = np.asarray(exact[rows] @ vector, dtype=np.float32)
    order = np.lexsort((rows, -scores))[:n]  # best first, equal similarities in row order
    return scores[order], rows[order]


def read_graph(path: Path) -> faiss.Index:
    index = faiss.read_index(str(path))
    if not isinstance(index, faiss.IndexHNSW):
        raise ValueError(f"{path.name} holds a {type(index).__name__}, not an HNSW graph")
    index.hnsw.efSearch = HNSW_EF_SEARCH  # a search-time setting: the current one applies
    return index
