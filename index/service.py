"""The search service the console chat, the CLI and the Discord bot share.

It loads the model once, serves the current index version, and swaps in a new version as one
reference assignment after a rebuild, so questions in flight finish on the version they started.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from index.answering.answer import Answer, Explanation, answer_question, explain_question
from index.answering.candidates import HybridSearcher
from index.answering.ranker import Ranker, load_ranker
from index.glossary import GLOSSARY_FILE, Expander, load_glossary
from index.ingest.articles import DEFAULT_MAX_BYTES
from index.models.batching import BatchingEncoder
from index.models.embedder import Embedder
from index.models.reranker import Reranker
from index.pacts.agreements import (
    Agreement,
    AgreementMention,
    AgreementsAnswer,
    agreements_of,
    countries_in,
    summarise,
    timeline,
)
from index.pacts.countries import Country, country, resolve
from index.pacts.memberships import complete_memberships
from index.storage.build import BuildReport, update_index
from index.storage.memory import return_freed_memory
from index.storage.store import IndexData, StoreError, current_name, load_current

log = logging.getLogger(__name__)


class ModelMismatchError(StoreError):
    """The index's vectors come from another embedding model: they cannot be searched."""


class SearchService:
    def __init__(
        self,
        knowledge_dir: Path,
        data_dir: Path,
        embedder: Embedder,
        max_article_bytes: int = DEFAULT_MAX_BYTES,
        ranker: Ranker | None = None,
        reranker: Reranker | None = None,
    ) -> None:
        self.knowledge_dir = knowledge_dir
        self.reranker = reranker  # reads question and candidate together (index/models/reranker.py)
        self.ranker = ranker or load_ranker()  # index/answering/ranker.json unless given (tests give their own)
        self.data_dir = data_dir
        self.embedder = embedder
        self.max_article_bytes = max_article_bytes
        # Questions asked at the same time share the model's next call (index/models/batching.py).
        self._questions = BatchingEncoder(embedder)
        self._searcher: HybridSearcher | None = None
        self._reload_lock = threading.Lock()
        # Held while this process updates the index, so that it does not also load, as news from
        # elsewhere, the version it is writing.
        self._updating = threading.Lock()
        self._seen: str | None = None  # the CURRENT pointer as last read
        # The served version's agreement mentions with memberships completed, worked out once per
        # version (37 ms at 10k passages) rather than on every lookup.
        self._completed: tuple[IndexData, list[AgreementMention]] | None = None

    @property
    def searcher(self) -> HybridSearcher:
        if self._searcher is None:
            self.reload()
        assert self._searcher is not None
        return self._searcher

    def reload(self) -> None:
        """Load the current index version and the glossary, and start serving them."""
        self._seen = current_name(self.data_dir)
        self._serve(load_current(self.data_dir))

    def refresh(self) -> bool:
        """Serve the current version if one was published since this service last looked (by
        `pactbot index` or another bot process): True when it did. Cheap when nothing changed
        (one small file read), so it can run every few seconds. Versions are immutable and only
        named in CURRENT once complete (index/storage/store.py), so a half-written one is never read;
        one that fails its checksums raises, and the version being served stays."""
        name = current_name(self.data_dir)
        if name is None or name == self._seen or self._searcher is None:
            return False
        if not self._updating.acquire(blocking=False):
            return False  # this process is building: it serves what it builds
        try:
            self._seen = name  # once per publication, even if it cannot be loaded
            if name == self._searcher.data.manifest.version:
                return False
            self._serve(load_current(self.data_dir))
        finally:
            self._updating.release()
        return True

    def _serve(self, data: IndexData) -> None:
        with self._reload_lock:
            built_with = (data.manifest.model, data.manifest.dimension)
            if built_with != (self.embedder.name, self.embedder.dimension):
                raise ModelMismatchError(
                    f"the index was built with {built_with[0]} ({built_with[1]} dimensions) but Pactbot now uses "
                    f"{self.embedder.name} ({self.embedder.dimension}); rebuild it with `pactbot index`"
                )
            glossary = load_glossary(self.knowledge_dir / GLOSSARY_FILE)
            expander = Expander(glossary, data.manifest.acronyms)
            self._searcher = HybridSearcher(data, self._questions, expander, self.reranker)
            log.info("serving index version %s (%d passages)", data.manifest.version, len(data.passages))
        return_freed_memory()

    def warm_up(self) -> None:
        """Load the index and the models now, so that the first question is as fast as the rest
        (a model is otherwise loaded by the first question that needs it). The reranker loads on
        a thread of its own meanwhile: ONNX Runtime builds a model without holding the GIL, so
        both models load in 0.4 s instead of 0.6 s."""
        with ThreadPoolExecutor(1) as pool:
            reranker = self.reranker
            loading = pool.submit(reranker.score, "warm-up", ["warm-up"]) if reranker is not None else None
            self.searcher  # noqa: B018
            self.embedder.encode(["warm-up"])
            if loading is not None:
                loading.result()

    def ask(self, question: str, k: int = 3) -> Answer:
        return answer_question(self.searcher, question, k, self.ranker)

    def explain(self, question: str, k: int = 3) -> Explanation:
        """The answer with what was scored and why (`pactbot ask --explain`)."""
        return explain_question(self.searcher, question, k, ranker=self.ranker)

    def agreements(self, query: str, partner: str | None = None) -> AgreementsAnswer:
        """The agreements of the country `query` names (with `partner`), from the served index.
        Raises UnknownCountryError for a name that is no country."""
        country = resolve(query)
        other = resolve(partner) if partner else None
        mentions = self._mentions()
        found = agreements_of(country.iso3, mentions, self.searcher.articles, other.iso3 if other else None)
        steps = timeline(found, mentions) if other else []
        return AgreementsAnswer(query=query, country=country, partner=other, agreements=found, timeline=steps)

    def pact_map(self, query: str | None = None) -> tuple[str | None, list[Agreement]]:
        """What a pact map shows: one country's agreements and those among its partners, or all."""
        mentions, articles = self._mentions(), self.searcher.articles
        if query is None:
            return None, summarise(mentions, articles)
        iso3 = resolve(query).iso3
        partners = {p for m in mentions if iso3 in m.parties for p in m.parties}
        shown = [m for m in mentions if set(m.parties) <= partners]
        return iso3, summarise(shown, articles)

    def countries(self) -> list[Country]:
        """The countries that are party to some indexed agreement."""
        return [country(iso3) for iso3 in countries_in(self._mentions())]

    def _mentions(self) -> list[AgreementMention]:
        """The served index's agreement mentions, each named agreement with all its members. Worked
        out when served rather than stored: a later article that adds a member changes earlier
        articles' mentions, which an update takes as they were."""
        data, completed = self.searcher.data, self._completed
        if completed is None or completed[0] is not data:
            completed = self._completed = (data, complete_memberships(data.agreements))
        return completed[1]

    def rebuild(self, show_progress: bool | None = None) -> BuildReport:
        """Update the index from the knowledge directory, then serve the new version."""
        with self._updating:
            served = self._searcher.data if self._searcher else None
            report, built = update_index(
                self.knowledge_dir, self.data_dir, self.embedder, self.max_article_bytes, show_progress, served
            )
            if built is not None:
                self._seen = built.manifest.version
                self._serve(built)  # as written and checksummed: no need to read it back
            elif self._searcher is None or report.version != self._searcher.data.manifest.version:
                self.reload()
        return report
