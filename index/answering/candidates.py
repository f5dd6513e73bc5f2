"""Candidates for an answer, the first step of a question's path: passages found by meaning
(FAISS) and by wording (BM25), fused, and their sentences with what was measured of them.

The path goes on in index/answering/features.py (signals per sentence), index/answering/ranker.py (the fitted
order and the decision to abstain) and index/answering/quotes.py (what is quoted); index/answering/answer.py walks it.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from index.answering.about import read_articles
from index.answering.answer_type import AnswerType, asked_for
from index.answering.question_names import NameCheck
from index.glossary import Expander, Expansion
from index.ingest.articles import ArticleEntry
from index.ingest.passages import sentence_starts
from index.models.embedder import Embedder
from index.models.reranker import Reranker
from index.pacts.countries import country_keys
from index.storage import vector_index
from index.storage.store import IndexData
from index.text import stems

# Reciprocal rank fusion constant: the usual 60 keeps one list's top hit from drowning the other.
RRF_K = 60
# Expansion words count half: they widen recall, the user's own words decide.
EXPANSION_WEIGHT = 0.5


@dataclass(frozen=True)
class Query:
    text: str
    expansions: list[Expansion]
    vector: npt.NDArray[np.float32]
    terms: dict[str, float]  # stem -> BM25 weight (1 for the question's words, less for expansions)
    wants: AnswerType | None  # the kind of answer asked for ("when" -> a date), if any
    # The question's own terms for coverage: (stem, IDF, the glossary alternatives that also count).
    own: tuple[tuple[str, float, tuple[frozenset[str], ...]], ...] = ()


@dataclass(frozen=True)
class PassageHit:
    row: int
    dense: float  # cosine similarity of question and passage
    lexical: float  # BM25 score
    fused: float  # reciprocal-rank fusion of the two rankings


@dataclass(frozen=True)
class SentenceHit:
    row: int  # passage row
    sentence: int  # index of the sentence in the passage
    dense: float  # cosine similarity of question and sentence
    coverage: float  # IDF-weighted share of the question's terms that the sentence contains


def _pairs(words: list[str]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(words))


def question_pairs(question: str) -> set[tuple[str, str]]:
    """The question's pairs of consecutive stems: "sting ray", "trinity house"."""
    return _pairs(stems(question))


def top_rows(scores: npt.NDArray[np.float32], n: int) -> npt.NDArray[np.intp]:
    """Rows of the `n` highest scores, best first, ties in row order: a stable argsort's first
    `n`, without sorting every passage (the full sort took 0.45 ms at 10k passages)."""
    if n < len(scores):
        kth = np.partition(scores, len(scores) - n)[len(scores) - n]
        above = np.flatnonzero(scores > kth)
        ties = np.flatnonzero(scores == kth)[: n - len(above)]
        rows = np.concatenate([above, ties])
    else:
        rows = np.arange(len(scores))
    return rows[np.lexsort((rows, -scores[rows]))]


CACHED_PASSAGES = 20_000  # passages whose word sets are kept (about 1.5 kB each)


class HybridSearcher:
    """Searches one immutable index version; safe to share between threads."""

    def __init__(
        self, data: IndexData, embedder: Embedder, expander: Expander, reranker: Reranker | None = None
    ) -> None:
        self.data = data
        self.embedder = embedder
        self.expander = expander
        self.reranker = reranker
        # Exact search, or the version's HNSW graph when it is large (index/storage/vector_index.py).
        self._faiss = data.graph if data.graph is not None else vector_index.exact_index(data.vectors)
        bm25 = data.bm25
        self._vocab: dict[str, int] = bm25.vocab_dict
        indptr = np.asarray(bm25.scores["indptr"])
        doc_freq = np.diff(indptr).astype(np.float64)
        n = max(len(data.passages), 1)
        self._idf = np.log(1.0 + (n - doc_freq + 0.5) / (doc_freq + 0.5))
        self._rarest = float(self._idf.max(initial=1.0))
        # Citations need each article's details; looked up once per version, not per question.
        self.articles: dict[str, ArticleEntry] = {a.id: a for a in data.manifest.articles}
        # Per-passage word sets, worked out when a question first needs them. Bounded: a bot that
        # runs for weeks over 100k passages would otherwise come to hold every passage's.
        self.stems_of = functools.lru_cache(maxsize=CACHED_PASSAGES)(self._stems_of)
        self.pairs_of = functools.lru_cache(maxsize=CACHED_PASSAGES)(self._pairs_of)
        self.countries_of = functools.lru_cache(maxsize=CACHED_PASSAGES)(self._countries_of)
        self.article_countries = functools.lru_cache(maxsize=CACHED_PASSAGES // 10)(self._article_countries)
        self._sentence_starts = sentence_starts(data.passages)
        self.about = read_articles(data)
        self.names = NameCheck(
            self._vocab,
            (a.title for a in data.manifest.articles),
            data.manifest.initialisms,
            expander.known_words,
        )

    def make_query(self, question: str) -> Query:
        expansions = self.expander.expand(question) + self.names.expansions(question)
        phrases = [p for e in expansions for p in e.phrases]
        terms = dict.fromkeys(stems(" ".join(phrases)), EXPANSION_WEIGHT)
        terms.update(dict.fromkeys(stems(question), 1.0))
        # The question alone is embedded: glossary phrases appended to it made the text longer
        # to encode and changed no ranking on the development questions; BM25 gets them instead.
        vector = self.embedder.encode([question])[0]
        # Read once per question: coverage is worked out for every candidate sentence.
        own = tuple(
            (term, self.idf(term), tuple(alt for e in expansions if term in e.used for alt in e.alternatives))
            for term, weight in terms.items()
            if weight >= 1.0
        )
        return Query(question, expansions, vector, terms, asked_for(question), own)

    def _lexical_scores(self, query: Query) -> npt.NDArray[np.float32]:
        scores = np.zeros(len(self.data.passages), dtype=np.float32)
        for weight in {w for w in query.terms.values()}:
            ids = [self._vocab[t] for t, w in query.terms.items() if w == weight and t in self._vocab]
            if ids:
                scores += weight * self.data.bm25.get_scores_from_ids(ids)
        return scores

    def unknown_names(self, question: str) -> list[str]:
        """The names the question uses that no indexed article mentions (index/answering/question_names.py)."""
        return self.names.unknown(question)

    def passages(self, query: Query, n: int) -> list[PassageHit]:
        """The `n` best passages by fused rank."""
        total = len(self.data.passages)
        if total == 0:
            return []
        n = min(n, total)
        dense_scores, dense_rows = vector_index.search(self._faiss, query.vector, n, self.data.vectors)
        # FAISS pads with -1 when it has fewer than n results; those are not passages.
        dense = {int(r): float(s) for r, s in zip(dense_rows, dense_scores, strict=True) if r >= 0}
        lexical_all = self._lexical_scores(query)
        lexical_rows = top_rows(lexical_all, n)
        fused: dict[int, float] = {}
        for rank, row in enumerate(dense):
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank + 1)
        for rank, row in enumerate(int(r) for r in lexical_rows if lexical_all[r] > 0):
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(fused, key=lambda r: -fused[r])[:n]
        missing = [r for r in best if r not in dense]
        if missing:
            sims = self.data.vectors[missing] @ query.vector
            dense.update({r: float(s) for r, s in zip(missing, sims, strict=True)})
        return [PassageHit(row=r, dense=dense[r], lexical=float(lexical_all[r]), fused=fused[r]) for r in best]

    def idf(self, term: str) -> float:
        """The term's inverse document frequency; a term the index has never seen weighs as much
        as the rarest one it has."""
        return float(self._idf[self._vocab[term]]) if term in self._vocab else self._rarest

    def knows(self, term: str) -> bool:
        """Whether some passage has the stem `term`, or the glossary does."""
        return term in self._vocab or term in self.expander.known_words

    def coverage(self, query: Query, words: set[str]) -> float:
        """IDF-weighted share of the question's own terms found in `words`.

        A term also counts as found when the question used it in a glossary phrase and `words`
        holds one of that phrase's alternatives ("access agreement" found as "entry settlement").
        Terms the index has never seen weigh as much as the rarest known term: a question about
        "Vilnius" is not answered by a passage that merely mentions NATO.
        """
        total = matched = 0.0
        for term, idf, alternatives in query.own:
            total += idf
            if term in words or any(alt <= words for alt in alternatives):
                matched += idf
        return matched / total if total else 0.0

    def _stems_of(self, row: int) -> list[set[str]]:
        """The stems of each sentence of passage `row`, stop words kept (`stems_of`, cached)."""
        passage = self.data.passages[row]
        return [set(stems(passage.sentence(i), True)) for i in range(len(passage.sentences))]

    def _pairs_of(self, row: int) -> list[set[tuple[str, str]]]:
        """Each sentence's pairs of consecutive stems, stop words left out (`pairs_of`, cached)."""
        passage = self.data.passages[row]
        return [_pairs(stems(passage.sentence(i))) for i in range(len(passage.sentences))]

    def _countries_of(self, row: int) -> list[frozenset[str]]:
        """The countries each sentence of passage `row` names, as entity keys (`countries_of`, cached)."""
        passage = self.data.passages[row]
        return [country_keys(passage.sentence(i)) for i in range(len(passage.sentences))]

    def _article_countries(self, article_id: str) -> tuple[frozenset[str], frozenset[str]]:
        """The countries an article names anywhere, and in its title and first paragraph
        (`article_countries`, cached): read when a question first reaches the article, since
        reading every article's at load would take seconds on a large index."""
        entry = self.articles.get(article_id)
        lead = set(country_keys(entry.title)) if entry is not None else set()
        anywhere = set(lead)
        for row in self.about.rows.get(article_id, []):
            found = frozenset().union(*self.countries_of(row))
            anywhere |= found
            if self.data.passages[row].paragraph == 1:
                lead |= found
        return frozenset(anywhere), frozenset(lead)

    def sentences(self, query: Query, hits: list[PassageHit]) -> list[SentenceHit]:
        """Every sentence of the given passages, in passage order."""
        out = []
        for hit in hits:
            first = int(self._sentence_starts[hit.row])
            words = self.stems_of(hit.row)
            sims = self.data.sentence_vectors[first : first + len(words)] @ query.vector
            for i, (sentence_words, sim) in enumerate(zip(words, sims, strict=True)):
                out.append(SentenceHit(hit.row, i, float(sim), self.coverage(query, sentence_words)))
        return out
