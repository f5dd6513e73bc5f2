"""The on-disk index: immutable versions in a data directory, switched atomically.

Layout::

    DATA_DIR/CURRENT                 name of the version being served
    DATA_DIR/versions/<name>/        manifest.json, passages.jsonl, vectors.npy, bm25/...
    DATA_DIR/build.lock              held by whoever is building, across processes

A version is written in a temporary folder, checked, renamed into place, and only then named in
CURRENT with os.replace; a build that fails or is killed midway leaves CURRENT as it was. The
live version is never modified, so readers need no lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import bm25s
import faiss
import numpy as np
from filelock import FileLock, Timeout
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from index.files import file_sha256
from index.ingest.articles import ArticleEntry
from index.ingest.passages import PASSAGE_JSON, Passage, sentence_starts
from index.models.embedder import HalfVectors, Vectors
from index.pacts.agreements import MENTION_JSON, AgreementMention
from index.storage.vector_index import read_graph

log = logging.getLogger(__name__)

# 2: agreements.jsonl; 3: manifest.json.sha256; 4: float16 sentence vectors; 5: sentence facts
# (index/models/annotate.py), and sentences embedded without the title
FORMAT = 5
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.json.sha256"  # the manifest's own checksum: it lists the others
PASSAGES = "passages.jsonl"
VECTORS = "vectors.npy"
SENTENCE_VECTORS = "sentence_vectors.npy"
AGREEMENTS = "agreements.jsonl"
BM25_DIR = "bm25"
GRAPH = "vectors.hnsw"  # only in versions large enough to search approximately (index/storage/vector_index.py)
KEEP_VERSIONS = 2  # the live one and the one before it, to fall back on


class StoreError(RuntimeError):
    """The index cannot be used; the message says what to do."""


class NoIndexError(StoreError):
    pass


class CorruptIndexError(StoreError):
    pass


class BuildInProgressError(StoreError):
    pass


class Manifest(BaseModel):
    format: int = FORMAT
    version: str
    created: dt.datetime
    model: str
    dimension: int
    max_tokens: int
    passage_count: int
    articles: list[ArticleEntry]
    acronyms: dict[str, str] = Field(default_factory=dict)  # defined in the text: "Long Form (ABBR)"
    initialisms: dict[str, str] = Field(default_factory=dict)  # initials of capitalised names: "EDCA" -> long form
    agreements_sha256: str = ""  # of the glossary and corrections the agreements were read with
    files: dict[str, str] = Field(default_factory=dict)  # relative path -> sha256

    def same_text(self, text_sha256: str, other_than: str | None = None) -> str | None:
        """The file of an indexed article (other than the article `other_than`) with this text,
        if any: the same text under another name is the same article."""
        return next((a.file for a in self.articles if a.text_sha256 == text_sha256 and a.id != other_than), None)


@dataclass(frozen=True)
class IndexData:
    """One loaded, verified version of the index."""

    path: Path
    manifest: Manifest
    passages: list[Passage]
    vectors: Vectors  # one row per passage
    sentence_vectors: HalfVectors  # one row per sentence, passages in order (see sentence_starts)
    bm25: bm25s.BM25
    agreements: list[AgreementMention]
    graph: faiss.Index | None = None  # the HNSW graph over `vectors`, for large versions


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def versions_dir(data_dir: Path) -> Path:
    return data_dir / "versions"


def current_name(data_dir: Path) -> str | None:
    try:
        return (data_dir / "CURRENT").read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def build_lock(data_dir: Path) -> FileLock:
    """A lock that fails at once when another process or thread is already building."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(data_dir / "build.lock", timeout=0, thread_local=False)


def acquire_build_lock(data_dir: Path) -> FileLock:
    lock = build_lock(data_dir)
    try:
        lock.acquire()
    except Timeout:
        raise BuildInProgressError("another index build is running; try again when it has finished") from None
    return lock


def write_version(
    data_dir: Path,
    manifest: Manifest,
    passages: list[Passage],
    vectors: Vectors,
    sentence_vectors: HalfVectors,
    bm25: bm25s.BM25,
    agreements: list[AgreementMention],
    graph: faiss.Index | None = None,
) -> Path:
    """Write a complete new version and make it the current one. Call with the build lock held."""
    root = versions_dir(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{manifest.version}"
    tmp.mkdir()
    try:
        _write_jsonl(tmp / PASSAGES, PASSAGE_JSON, passages)
        np.save(tmp / VECTORS, np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
        np.save(tmp / SENTENCE_VECTORS, np.ascontiguousarray(sentence_vectors, dtype=np.float16), allow_pickle=False)
        bm25.save(str(tmp / BM25_DIR), allow_pickle=False, show_progress=False)
        _write_jsonl(tmp / AGREEMENTS, MENTION_JSON, agreements)
        if graph is not None:
            faiss.write_index(graph, str(tmp / GRAPH))
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        for path in files:
            _fsync(path)
        manifest.files = {p.relative_to(tmp).as_posix(): file_sha256(p) for p in files}
        (tmp / MANIFEST).write_text(manifest.model_dump_json(indent=1), encoding="utf-8")
        (tmp / MANIFEST_SUM).write_text(file_sha256(tmp / MANIFEST) + "\n", encoding="utf-8")
        _fsync(tmp / MANIFEST)
        _fsync(tmp / MANIFEST_SUM)
        final = root / manifest.version
        os.replace(tmp, final)
        _fsync(root)
        pointer = data_dir / "CURRENT.tmp"
        pointer.write_text(manifest.version + "\n", encoding="utf-8")
        _fsync(pointer)
        os.replace(pointer, data_dir / "CURRENT")
        _fsync(data_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("index version %s is now current", manifest.version)
    return final


Record = TypeVar("Record")


def _write_jsonl(path: Path, adapter: TypeAdapter[Record], records: Sequence[Record]) -> None:
    with path.open("wb") as out:
        out.writelines(adapter.dump_json(record) + b"\n" for record in records)


def new_version_name() -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{secrets.token_hex(3)}"


def prune(data_dir: Path, keep: int = KEEP_VERSIONS) -> None:
    """Delete old versions and the leftovers of killed builds. Call with the build lock held."""
    root = versions_dir(data_dir)
    if not root.exists():
        return
    live = current_name(data_dir)
    for leftover in root.glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    names = sorted((p.name for p in root.iterdir() if not p.name.startswith(".")), reverse=True)
    kept = [n for n in names if n == live][:1] + [n for n in names if n != live][: keep - 1]
    for name in names:
        if name not in kept:
            shutil.rmtree(root / name, ignore_errors=True)


def _read_manifest(path: Path) -> Manifest:
    try:
        raw = (path / MANIFEST).read_bytes()
    except FileNotFoundError:
        raise CorruptIndexError(f"{path.name}: the manifest is missing") from None
    try:
        manifest = Manifest.model_validate_json(raw)
    except ValidationError:
        manifest = None
    if manifest is not None and manifest.format != FORMAT:
        raise CorruptIndexError(f"{path.name}: written in index format {manifest.format}, this Pactbot reads {FORMAT}")
    try:
        expected = (path / MANIFEST_SUM).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise CorruptIndexError(f"{path.name}: the manifest's checksum is missing") from None
    if hashlib.sha256(raw).hexdigest() != expected or manifest is None:
        raise CorruptIndexError(f"{path.name}: the manifest does not match its checksum")
    return manifest


def _verify(path: Path, manifest: Manifest) -> None:
    expected = {PASSAGES, VECTORS, SENTENCE_VECTORS, AGREEMENTS}
    missing = expected - manifest.files.keys()
    if missing:
        raise CorruptIndexError(f"{path.name}: the manifest does not list {', '.join(sorted(missing))}")
    for name, digest in manifest.files.items():
        file = path / name
        if not file.is_file():
            raise CorruptIndexError(f"{path.name}: {name} is missing")
        if file_sha256(file) != digest:
            raise CorruptIndexError(f"{path.name}: {name} does not match its checksum")


def map_vectors(path: Path) -> tuple[Vectors, HalfVectors]:
    """A version's passage and sentence vectors, memory-mapped: read as questions need them,
    and, being clean copies of the files, dropped by the kernel under memory pressure rather
    than swapped. Versions are never modified, so the mapping stays valid; pruning a version
    only unlinks its files."""
    vectors = np.load(path / VECTORS, mmap_mode="r", allow_pickle=False)
    sentence_vectors = np.load(path / SENTENCE_VECTORS, mmap_mode="r", allow_pickle=False)
    if vectors.dtype != np.float32 or sentence_vectors.dtype != np.float16:
        raise CorruptIndexError(f"{path.name}: the vectors are not of the expected types")
    return vectors, sentence_vectors


def load_version(path: Path) -> IndexData:
    """Load one version, verifying every file against the manifest's checksums."""
    manifest = _read_manifest(path)
    _verify(path, manifest)
    with (path / PASSAGES).open(encoding="utf-8") as lines:
        passages = [PASSAGE_JSON.validate_json(line) for line in lines]
    vectors, sentence_vectors = map_vectors(path)
    bm25 = bm25s.BM25.load(str(path / BM25_DIR), allow_pickle=False)
    with (path / AGREEMENTS).open(encoding="utf-8") as lines:
        agreements = [MENTION_JSON.validate_json(line) for line in lines]
    graph = read_graph(path / GRAPH) if GRAPH in manifest.files else None
    sentences = int(sentence_starts(passages)[-1])
    if (
        (graph is not None and graph.ntotal != len(passages))
        or len(passages) != manifest.passage_count
        or vectors.shape != (len(passages), manifest.dimension)
        or sentence_vectors.shape != (sentences, manifest.dimension)
    ):
        raise CorruptIndexError(f"{path.name}: the vectors, passages and manifest disagree on their sizes")
    return IndexData(path, manifest, passages, vectors, sentence_vectors, bm25, agreements, graph)


def load_current(data_dir: Path) -> IndexData:
    """The current version, or the newest older one that verifies when the current one is damaged."""
    live = current_name(data_dir)
    root = versions_dir(data_dir)
    if live is None or not root.exists():
        raise NoIndexError(f"no index in {data_dir}; build it with `pactbot index`")
    others = sorted((p.name for p in root.iterdir() if not p.name.startswith(".") and p.name != live), reverse=True)
    problems = []
    for name in [live, *others]:
        try:
            data = load_version(root / name)
        except (CorruptIndexError, OSError, ValueError) as exc:
            log.error("index version %s is unusable: %s", name, exc)
            problems.append(str(exc))
            continue
        if name != live:
            log.warning("serving the previous index version %s; rebuild with `pactbot index`", name)
        return data
    raise CorruptIndexError(f"the index in {data_dir} cannot be used ({problems[0]}); rebuild it with `pactbot index`")
