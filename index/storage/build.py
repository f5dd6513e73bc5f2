"""Incremental index builds: embed only what is new or changed, drop what was removed."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from pathlib import Path

import bm25s
import numpy as np
from pydantic import BaseModel, Field
from tqdm import tqdm

from index.glossary import GLOSSARY_FILE, INITIALISMS_VERSION, Expander, find_acronyms, find_initialisms, load_glossary
from index.ingest.articles import DEFAULT_MAX_BYTES, Article, ArticleEntry, Rejection, scan_directory
from index.ingest.passages import Passage, sentence_starts, split_article
from index.models.annotate import annotate
from index.models.embedder import Embedder, HalfVectors, Vectors
from index.pacts.agreement_corrections import apply_corrections, load_corrections
from index.pacts.agreement_reader import READER_VERSION, extract
from index.pacts.agreements import AGREEMENTS_FILE, AgreementMention
from index.storage.memory import return_freed_memory
from index.storage.store import (
    CorruptIndexError,
    IndexData,
    Manifest,
    NoIndexError,
    acquire_build_lock,
    current_name,
    load_current,
    map_vectors,
    new_version_name,
    prune,
    write_version,
)
from index.storage.updates import record_update
from index.storage.vector_index import graph_index, needs_graph
from index.text import stems

log = logging.getLogger(__name__)

ENCODE_CHUNK = 4096  # texts embedded per call during a build


class BuildReport(BaseModel):
    """What a build did, for people: article ids by outcome and rejected files with reasons."""

    added: list[str] = Field(default_factory=list)
    changed: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    rejected: list[Rejection] = Field(default_factory=list)
    ignored: list[Rejection] = Field(default_factory=list)  # files in the folder that are not articles
    kept: list[str] = Field(default_factory=list)  # rejected now, previous good version still indexed
    warnings: list[str] = Field(default_factory=list)  # problems that did not stop the build
    embedded: int = 0  # texts (passages and sentences) embedded by this build
    passages: int = 0  # passages in the index afterwards
    version: str | None = None  # the version serving afterwards

    @property
    def modified(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def build_lexical_index(passages: list[Passage]) -> bm25s.BM25:
    bm25 = bm25s.BM25()
    # An empty token list would make bm25s drop the document and shift every id after it; an
    # empty collection gets one placeholder document, since bm25s cannot index none.
    bm25.index([stems(p.text) or ["\u2205"] for p in passages] or [["\u2205"]], show_progress=False)
    return bm25


def _entry(article: Article, passages: int) -> ArticleEntry:
    details = article.model_dump(exclude={"path", "paragraphs"})
    return ArticleEntry(**details, file=Path(article.path).name, passages=passages)


def _previous(data_dir: Path, embedder: Embedder, served: IndexData | None) -> IndexData | None:
    """The current version, if its passages and vectors can be reused with this embedder.

    `served` is the version a running service holds: when it is still the current one, it is
    used as it is rather than read and every checksum verified again.
    """
    try:
        current = current_name(data_dir)
        data = served if served is not None and served.manifest.version == current else load_current(data_dir)
    except NoIndexError:
        return None
    except CorruptIndexError as exc:
        log.warning("rebuilding from scratch: %s", exc)
        return None
    m = data.manifest
    if (m.model, m.dimension, m.max_tokens) != (embedder.name, embedder.dimension, embedder.max_tokens):
        log.info("embedding model changed (%s -> %s): every article is embedded again", m.model, embedder.name)
        return None
    return data


def find_agreements(
    entries: list[ArticleEntry],
    passages: list[Passage],
    expander: Expander,
    known: dict[str, list[AgreementMention]] | None = None,
) -> list[AgreementMention]:
    """Agreements in every article; those of articles in `known` (article id -> mentions read
    with the same expander) are taken from there rather than read again."""
    known = known or {}
    sentences: dict[str, list[tuple[int, str]]] = {}
    for passage in passages:
        if passage.article_id not in known:
            article = sentences.setdefault(passage.article_id, [])
            article += [(passage.paragraph, passage.sentence(i)) for i in range(len(passage.sentences))]
    found = []
    for entry in entries:
        found += known[entry.id] if entry.id in known else extract(entry, sentences.get(entry.id, []), expander)
    return found


def _reusable_agreements(
    previous: IndexData | None, unchanged: list[str], acronyms: dict[str, str], agreements_sha256: str
) -> dict[str, list[AgreementMention]]:
    """The previous version's agreements of unchanged articles, when they were read with the same
    glossary, corrections and acronyms; reading them again is most of the cost of adding one article."""
    if previous is None:
        return {}
    if (previous.manifest.agreements_sha256, previous.manifest.acronyms) != (agreements_sha256, acronyms):
        return {}
    known: dict[str, list[AgreementMention]] = {article_id: [] for article_id in unchanged}
    for mention in previous.agreements:
        if mention.article_id in known:
            known[mention.article_id].append(mention)
    return known


def embedding_text(title: str, text: str) -> str:
    """What the model reads for a passage: the article title gives it context ("the pact" in a
    paragraph is the pact the headline names)."""
    return f"{title}. {text}"


def texts_to_embed(title: str, passage: Passage) -> list[str]:
    """The passage with its title, then each of its sentences alone. A sentence is read without
    the title: the passage's vector already says what the article is about, and the sentence's
    own tells apart the sentences of one article (cross-validated on the labelled questions,
    top-1 rose from 62.5 % to 64.5 %; docs/how-it-answers.md)."""
    return [embedding_text(title, passage.text)] + [passage.sentence(j) for j in range(len(passage.sentences))]


def _vectors(
    embedder: Embedder,
    passages: list[Passage],
    reused_rows: list[int],
    previous: IndexData | None,
    titles: dict[str, str],
    show_progress: bool | None,
) -> tuple[Vectors, HalfVectors, int]:
    """Passage and sentence vectors: reused from `previous` where possible, embedded otherwise.
    Returns both matrices and the number of texts embedded."""
    starts = sentence_starts(passages)
    vectors = np.empty((len(passages), embedder.dimension), dtype=np.float32)
    sentence_vectors = np.empty((int(starts[-1]), embedder.dimension), dtype=np.float16)
    texts: list[str] = []
    targets: list[tuple[Vectors | HalfVectors, int]] = []  # (matrix, row) to fill with each embedded text
    if previous is not None:
        old_starts = sentence_starts(previous.passages)
    for i, (passage, row) in enumerate(zip(passages, reused_rows, strict=True)):
        first, count = int(starts[i]), len(passage.sentences)
        if row >= 0 and previous is not None:
            vectors[i] = previous.vectors[row]
            old = int(old_starts[row])
            sentence_vectors[first : first + count] = previous.sentence_vectors[old : old + count]
            continue
        fresh_texts = texts_to_embed(titles[passage.article_id], passage)
        texts += fresh_texts
        targets.append((vectors, i))
        targets += [(sentence_vectors, first + j) for j in range(len(fresh_texts) - 1)]
    if texts:
        # disable=None lets tqdm decide: a bar on a terminal, nothing in logs and pipes.
        disable = None if show_progress is None else not show_progress
        with tqdm(total=len(texts), desc="Embedding", unit="text", disable=disable) as bar:
            # In chunks, each stored before the next is encoded: a second copy of every vector
            # would cost 1.5 KB per text (330 MB at 100k passages) at the build's peak.
            for start in range(0, len(texts), ENCODE_CHUNK):
                fresh = embedder.encode(texts[start : start + ENCODE_CHUNK], progress=bar.update)
                for (matrix, row), vector in zip(targets[start : start + ENCODE_CHUNK], fresh, strict=True):
                    matrix[row] = vector
        return_freed_memory()
    return vectors, sentence_vectors, len(texts)


def _annotate(
    passages: list[Passage], reused_rows: list[int], published: dict[str, dt.date | None], show_progress: bool | None
) -> None:
    """Fill in what each new passage's sentences hold (index/models/annotate.py); reused ones kept theirs."""
    fresh = [p for p, row in zip(passages, reused_rows, strict=True) if row < 0]
    items = [(p.sentence(i), published.get(p.article_id)) for p in fresh for i in range(len(p.sentences))]
    if not items:
        return
    disable = None if show_progress is None else not show_progress
    facts = iter(tqdm(annotate(items), total=len(items), desc="Reading", unit="sentence", disable=disable))
    for passage in fresh:
        passage.facts = [next(facts) for _ in passage.sentences]


def build_index(
    knowledge_dir: Path,
    data_dir: Path,
    embedder: Embedder,
    max_bytes: int = DEFAULT_MAX_BYTES,
    show_progress: bool | None = None,
) -> BuildReport:
    """Bring the index in `data_dir` up to date with the articles in `knowledge_dir`.

    Raises BuildInProgressError when another build holds the lock. A rejected file is reported and,
    when an earlier good version of it is indexed, that version is kept: bad input loses nothing.
    """
    return update_index(knowledge_dir, data_dir, embedder, max_bytes, show_progress)[0]


def update_index(
    knowledge_dir: Path,
    data_dir: Path,
    embedder: Embedder,
    max_bytes: int = DEFAULT_MAX_BYTES,
    show_progress: bool | None = None,
    served: IndexData | None = None,
) -> tuple[BuildReport, IndexData | None]:
    """build_index for a running service: it starts from the version the service holds (when
    that is still the current one) and returns the new version, ready to serve, with the report;
    None when nothing changed."""
    if not knowledge_dir.is_dir():
        raise FileNotFoundError(f"knowledge directory {knowledge_dir} does not exist")
    with acquire_build_lock(data_dir):
        previous = _previous(data_dir, embedder, served)
        old_entries = {a.id: a for a in previous.manifest.articles} if previous else {}
        indexed = {a.id: a.text_sha256 for a in old_entries.values()}
        scan = scan_directory(knowledge_dir, max_bytes, indexed, data_files=(GLOSSARY_FILE, AGREEMENTS_FILE))
        articles, rejected = scan.articles, scan.rejected
        report = BuildReport(rejected=rejected, ignored=scan.ignored)

        # Keep the previous version of an article whose file is now rejected.
        new_ids = {a.id for a in articles}
        rejected_ids = {Path(r.path).stem for r in rejected} - new_ids
        report.kept = sorted(rejected_ids & old_entries.keys())

        old_rows: dict[str, list[int]] = {}
        if previous:
            for row, passage in enumerate(previous.passages):
                old_rows.setdefault(passage.article_id, []).append(row)

        passages: list[Passage] = []
        reused_rows: list[int] = []  # previous-version row per passage, -1 when it must be embedded
        entries: list[ArticleEntry] = []
        for article_id in report.kept:
            rows = old_rows.get(article_id, [])
            assert previous is not None
            passages += [previous.passages[r] for r in rows]
            reused_rows += rows
            entries.append(old_entries[article_id])
        for article in articles:
            old = old_entries.get(article.id)
            # The same bytes read the same way: a reader that now reads them differently (credit
            # lines left out of the text) changes the text's checksum, and the article is split again.
            same = old is not None and (old.sha256, old.text_sha256) == (article.sha256, article.text_sha256)
            if same and previous is not None:
                rows = old_rows.get(article.id, [])
                passages += [previous.passages[r] for r in rows]
                reused_rows += rows
                entries.append(_entry(article, len(rows)))
                report.unchanged.append(article.id)
                continue
            (report.changed if old else report.added).append(article.id)
            new = split_article(article, embedder.count_tokens, embedder.max_tokens)
            passages += new
            reused_rows += [-1] * len(new)
            entries.append(_entry(article, len(new)))
        report.removed = sorted(old_entries.keys() - new_ids - set(report.kept))
        report.passages = len(passages)

        glossary = load_glossary(knowledge_dir / GLOSSARY_FILE)
        corrections, problem = load_corrections(knowledge_dir / AGREEMENTS_FILE)
        if problem:
            report.warnings.append(problem)
        # The glossary (canonical names) and the corrections shape the agreements: when they
        # change, the agreements are read again, without embedding anything.
        agreements_input = (
            f"{READER_VERSION}.{INITIALISMS_VERSION}"
            + glossary.model_dump_json()
            + "".join(c.model_dump_json() for c in corrections)
        )
        agreements_sha256 = hashlib.sha256(agreements_input.encode()).hexdigest()
        if previous is not None and not report.modified and previous.manifest.agreements_sha256 == agreements_sha256:
            report.version = previous.manifest.version
            return report, None

        _annotate(passages, reused_rows, {e.id: e.published for e in entries}, show_progress)
        titles = {e.id: e.title for e in entries}
        vectors, sentence_vectors, report.embedded = _vectors(
            embedder, passages, reused_rows, previous, titles, show_progress
        )

        acronyms: dict[str, str] = {}
        initialisms: dict[str, str] = {}
        for text in [*titles.values(), *(p.text for p in passages)]:
            for abbr, long_form in find_acronyms(text).items():
                acronyms.setdefault(abbr, long_form)
            for abbr, long_form in find_initialisms(text).items():
                initialisms.setdefault(abbr, long_form)
        known = _reusable_agreements(previous, report.unchanged, acronyms, agreements_sha256)
        mentions = find_agreements(entries, passages, Expander(glossary, acronyms), known)
        agreements = apply_corrections(mentions, corrections)
        manifest = Manifest(
            version=new_version_name(),
            created=dt.datetime.now(dt.UTC),
            model=embedder.name,
            dimension=embedder.dimension,
            max_tokens=embedder.max_tokens,
            passage_count=len(passages),
            articles=sorted(entries, key=lambda e: e.id),
            acronyms=acronyms,
            initialisms=initialisms,
            agreements_sha256=agreements_sha256,
        )
        bm25 = build_lexical_index(passages)
        graph = graph_index(vectors, show_progress) if needs_graph(len(passages)) else None
        path = write_version(data_dir, manifest, passages, vectors, sentence_vectors, bm25, agreements, graph)
        # Before pruning: a build that started afresh compares with the version before it.
        record_update(data_dir, previous, manifest, agreements)
        prune(data_dir)
        report.version = manifest.version
        # Served from the files just written, memory-mapped like a loaded version (store.py).
        vectors, sentence_vectors = map_vectors(path)
        return report, IndexData(path, manifest, passages, vectors, sentence_vectors, bm25, agreements, graph)
