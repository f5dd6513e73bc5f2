"""Incremental, atomic index builds (with the fake embedder: these test bookkeeping, not quality)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.ingest.articles import ArticleInfo
from index.pacts.agreements import AgreementMention
from index.service import SearchService
from index.storage import build as build_module
from index.storage.build import build_index
from index.storage.store import (
    BuildInProgressError,
    CorruptIndexError,
    IndexData,
    NoIndexError,
    current_name,
    load_current,
    versions_dir,
)
from tests.conftest import ROOT, copy_index
from tests.fakes import HashEmbedder

NEW_ARTICLE = """---
title: Canada and Japan begin talks on a security information pact
publisher: Test Wire
published: 2024-03-01
---
Canada and Japan opened negotiations on a security of information agreement in Ottawa.
The talks are expected to last a year.
"""


def ids(data_dir: Path) -> set[str]:
    return {a.id for a in load_current(data_dir).manifest.articles}


def test_first_build_indexes_everything(knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder) -> None:
    report = build_index(knowledge, data_dir, fake_embedder)
    assert sorted(report.added) == sorted(ids(data_dir))
    assert len(report.added) == 4 and not report.rejected
    data = load_current(data_dir)
    assert len(data.passages) == report.passages == data.manifest.passage_count
    assert data.vectors.shape == (report.passages, fake_embedder.dimension)
    # Normalised rows: inner product is cosine similarity.
    assert np.allclose(np.linalg.norm(data.vectors, axis=1), 1.0, atol=1e-5)
    assert data.manifest.acronyms["RAA"] in {"Reciprocal Access Agreement", "Reciprocal Entry Settlement"}


def test_rebuild_without_changes_embeds_nothing_and_keeps_the_version(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    first = build_index(knowledge, data_dir, fake_embedder)
    fake_embedder.calls.clear()
    second = build_index(knowledge, data_dir, fake_embedder)
    assert not second.modified and second.embedded == 0 and fake_embedder.calls == []
    assert second.version == first.version == current_name(data_dir)


def test_an_index_copied_beside_a_copy_of_its_articles_is_up_to_date_there(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder, fake_built: Path
) -> None:
    # The suite copies one built index into each test that starts from one (`copy_index`): that
    # holds only while an index names no path of the folders it was built in.
    first = load_current(copy_index(fake_built, data_dir))
    again = build_index(knowledge, data_dir, fake_embedder)
    assert not again.modified and again.embedded == 0 and fake_embedder.calls == []
    assert again.version == first.manifest.version and again.passages == len(first.passages) > 0


def test_adding_one_article_embeds_only_its_passages(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    build_index(knowledge, data_dir, fake_embedder)
    before = load_current(data_dir)
    fake_embedder.calls.clear()
    (knowledge / "canada-japan.md").write_text(NEW_ARTICLE, encoding="utf-8")
    report = build_index(knowledge, data_dir, fake_embedder)
    assert report.added == ["canada-japan"] and not report.changed and not report.removed
    # Two one-sentence paragraphs: each passage with the title for context, and its sentence alone.
    assert len(fake_embedder.calls) == report.embedded == 4
    assert sum(call.startswith("Canada and Japan begin talks") for call in fake_embedder.calls) == 2
    after = load_current(data_dir)
    assert len(after.passages) == len(before.passages) + 2
    # Reused vectors are carried over exactly.
    old = {(p.article_id, p.paragraph, p.part): v for p, v in zip(before.passages, before.vectors, strict=True)}
    for passage, vector in zip(after.passages, after.vectors, strict=True):
        key = (passage.article_id, passage.paragraph, passage.part)
        if key in old:
            assert np.array_equal(old[key], vector)


def test_changing_an_article_re_embeds_it_and_removing_drops_its_passages(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    build_index(knowledge, data_dir, fake_embedder)
    aukus = knowledge / "aukus-submarines.md"
    aukus.write_text(aukus.read_text(encoding="utf-8") + "\nA late paragraph about AUKUS.\n", encoding="utf-8")
    report = build_index(knowledge, data_dir, fake_embedder)
    assert report.changed == ["aukus-submarines"]
    assert any(p.text == "A late paragraph about AUKUS." for p in load_current(data_dir).passages)

    aukus.unlink()
    report = build_index(knowledge, data_dir, fake_embedder)
    assert report.removed == ["aukus-submarines"] and report.embedded == 0
    data = load_current(data_dir)
    assert "aukus-submarines" not in ids(data_dir)
    assert all(p.article_id != "aukus-submarines" for p in data.passages)
    assert data.bm25.scores["num_docs"] == len(data.passages)


def test_a_bad_file_is_rejected_while_good_files_are_indexed(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    (knowledge / "broken.txt").write_bytes(b"\xff\xfe\x00garbage")
    (knowledge / "canada-japan.md").write_text(NEW_ARTICLE, encoding="utf-8")
    report = build_index(knowledge, data_dir, fake_embedder)
    assert [(Path(r.path).name, r.reason) for r in report.rejected] == [
        ("broken.txt", "binary file (contains NUL bytes)")
    ]
    assert "canada-japan" in ids(data_dir) and "broken" not in ids(data_dir)


def test_a_copy_of_an_indexed_article_is_refused_and_the_original_stays(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    build_index(knowledge, data_dir, fake_embedder)
    (knowledge / "aa-copy.md").write_bytes((knowledge / "gcap-fighter.md").read_bytes())
    report = build_index(knowledge, data_dir, fake_embedder)
    assert [(Path(r.path).name, r.reason) for r in report.rejected] == [
        ("aa-copy.md", "same text as gcap-fighter.md (already indexed)")
    ]
    assert not report.modified and not report.kept
    assert "gcap-fighter" in ids(data_dir) and "aa-copy" not in ids(data_dir)


def test_a_first_build_with_two_copies_indexes_the_first_in_name_order_once(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    (knowledge / "aa-copy.md").write_bytes((knowledge / "gcap-fighter.md").read_bytes())
    report = build_index(knowledge, data_dir, fake_embedder)
    assert [(Path(r.path).name, r.reason) for r in report.rejected] == [("gcap-fighter.md", "same text as aa-copy.md")]
    assert "aa-copy" in ids(data_dir) and "gcap-fighter" not in ids(data_dir)


def test_files_that_are_not_articles_are_reported_as_ignored(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    (knowledge / "scan.pdf").write_bytes(b"%PDF-1.4")
    report = build_index(knowledge, data_dir, fake_embedder)
    assert [Path(r.path).name for r in report.ignored] == ["scan.pdf"] and not report.rejected


def test_a_file_that_turns_bad_keeps_its_previous_version(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    build_index(knowledge, data_dir, fake_embedder)
    (knowledge / "gcap-fighter.md").write_bytes(b"")
    report = build_index(knowledge, data_dir, fake_embedder)
    assert report.kept == ["gcap-fighter"] and not report.removed
    assert "gcap-fighter" in ids(data_dir)


def test_another_model_means_embedding_everything_again(knowledge: Path, data_dir: Path) -> None:
    build_index(knowledge, data_dir, HashEmbedder())
    other = HashEmbedder()
    other.name = "another-model"
    report = build_index(knowledge, data_dir, other)
    assert report.embedded == len(other.calls) > 0
    assert load_current(data_dir).manifest.model == "another-model"


def test_a_failed_build_leaves_the_previous_version_serving(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build_index(knowledge, data_dir, fake_embedder)
    (knowledge / "canada-japan.md").write_text(NEW_ARTICLE, encoding="utf-8")

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("index.storage.store.np.save", disk_full)
    with pytest.raises(OSError, match="No space"):
        build_index(knowledge, data_dir, fake_embedder)
    assert current_name(data_dir) == first.version
    assert "canada-japan" not in ids(data_dir)
    assert not list(versions_dir(data_dir).glob(".tmp-*"))  # no half-written version left behind


def test_no_index_and_knowledge_dir_errors(tmp_path: Path, fake_embedder: HashEmbedder) -> None:
    with pytest.raises(NoIndexError, match="pactbot index"):
        load_current(tmp_path / "data")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        build_index(tmp_path / "missing", tmp_path / "data", fake_embedder)


def test_a_damaged_version_is_detected_and_the_previous_one_served(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    first = build_index(knowledge, data_dir, fake_embedder)
    (knowledge / "canada-japan.md").write_text(NEW_ARTICLE, encoding="utf-8")
    second = build_index(knowledge, data_dir, fake_embedder)
    vectors = versions_dir(data_dir) / str(second.version) / "vectors.npy"
    raw = bytearray(vectors.read_bytes())
    raw[-1] ^= 0xFF  # one flipped bit in the last vector
    vectors.write_bytes(bytes(raw))
    assert load_current(data_dir).manifest.version == first.version
    shutil.rmtree(versions_dir(data_dir) / str(first.version))
    with pytest.raises(CorruptIndexError, match="does not match its checksum"):
        load_current(data_dir)


def test_old_versions_are_pruned(knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder) -> None:
    for n in range(4):
        (knowledge / f"extra-{n}.txt").write_text(f"Extra article number {n} about pacts.\n", encoding="utf-8")
        build_index(knowledge, data_dir, fake_embedder)
    assert len(list(versions_dir(data_dir).iterdir())) == 2


def _subprocess(script: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *args], env=env, cwd=ROOT)


def _wait_for(path: Path, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, "the build process ended early"
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


# A build in another process that stops at a chosen point (while embedding, or while writing
# the new version's files) and signals that it got there.
SLOW_BUILD = """
    import sys, time
    from pathlib import Path
    import index.storage.store
    from index.storage.build import build_index
    from tests.fakes import HashEmbedder

    knowledge, data_dir, marker, phase = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]

    def stop_here(*args, **kwargs):
        marker.touch()
        time.sleep(600)

    if phase == "embedding":
        HashEmbedder.encode = stop_here
    else:
        index.storage.store._fsync = stop_here
    build_index(knowledge, data_dir, HashEmbedder())
"""


@pytest.mark.parametrize("phase", ["embedding", "writing"])
def test_a_build_killed_midway_leaves_the_previous_index_answering(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder, tmp_path: Path, phase: str
) -> None:
    first = build_index(knowledge, data_dir, fake_embedder)
    (knowledge / "canada-japan.md").write_text(NEW_ARTICLE, encoding="utf-8")
    marker = tmp_path / "reached"
    process = _subprocess(SLOW_BUILD, str(knowledge), str(data_dir), str(marker), phase)
    try:
        _wait_for(marker, process)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert current_name(data_dir) == first.version
    service = SearchService(knowledge, data_dir, fake_embedder)
    answer = service.ask("When will Japan and the UK sign the defence pact?")
    assert not answer.abstained and answer.citations
    # The lock died with the process, and the next build completes and cleans up.
    report = build_index(knowledge, data_dir, fake_embedder)
    assert report.added == ["canada-japan"]
    assert not list(versions_dir(data_dir).glob(".tmp-*"))


def test_a_second_build_is_refused_while_one_runs_in_another_process(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder, tmp_path: Path
) -> None:
    marker = tmp_path / "reached"
    process = _subprocess(SLOW_BUILD, str(knowledge), str(data_dir), str(marker), "embedding")
    try:
        _wait_for(marker, process)
        with pytest.raises(BuildInProgressError, match="another index build is running"):
            build_index(knowledge, data_dir, fake_embedder)
    finally:
        process.kill()
        process.wait(timeout=30)


def test_an_index_built_with_another_model_is_refused_at_load_with_a_clear_message(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    from index.service import ModelMismatchError

    build_index(knowledge, data_dir, fake_embedder)
    other = HashEmbedder()
    other.name, other.dimension = "another-model", 64
    with pytest.raises(
        ModelMismatchError,
        match=re.escape("built with hash-test (256 dimensions) but Pactbot now uses another-model (64); rebuild"),
    ):
        SearchService(knowledge, data_dir, other).reload()
    SearchService(knowledge, data_dir, other).rebuild()  # the rebuild re-embeds and then serves


def test_an_empty_knowledge_folder_gives_an_empty_index_that_abstains(
    tmp_path: Path, fake_embedder: HashEmbedder
) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    report = build_index(knowledge, tmp_path / "data", fake_embedder)
    assert report.passages == 0 and report.version
    service = SearchService(knowledge, tmp_path / "data", fake_embedder)
    assert service.ask("Who signed the pact?").abstained
    assert service.agreements("Japan").agreements == []


def test_a_service_update_reuses_what_it_serves_and_matches_a_build_from_scratch(
    knowledge: Path, tmp_path: Path, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = SearchService(knowledge, tmp_path / "data", fake_embedder)
    service.rebuild(False)
    (knowledge / "canada-japan.md").write_text(NEW_ARTICLE, encoding="utf-8")
    read: list[str] = []
    from index.pacts.agreement_reader import extract

    def counted_extract(entry: ArticleInfo, *rest: Any) -> list[AgreementMention]:
        read.append(entry.id)
        return extract(entry, *rest)

    loads: list[Path] = []

    def counted_load(path: Path) -> IndexData:
        loads.append(path)
        return load_current(path)

    monkeypatch.setattr(build_module, "extract", counted_extract)
    monkeypatch.setattr(build_module, "load_current", counted_load)
    service.rebuild(False)
    # The served version was the current one: not read back, and only the new article's
    # agreements were read; the new version is served as built.
    assert loads == [] and read == ["canada-japan"]
    served = service.searcher.data
    assert served.manifest.version == current_name(tmp_path / "data")

    scratch = tmp_path / "scratch"
    build_index(knowledge, scratch, HashEmbedder())
    fresh = load_current(scratch)
    assert served.passages == fresh.passages
    assert served.agreements == fresh.agreements
    np.testing.assert_array_equal(served.vectors, fresh.vectors)
    np.testing.assert_array_equal(served.sentence_vectors, fresh.sentence_vectors)
    assert any(m.article_id == "canada-japan" for m in served.agreements)


def test_an_update_starts_from_disk_when_another_process_built_meanwhile(
    knowledge: Path, data_dir: Path, fake_embedder: HashEmbedder
) -> None:
    service = SearchService(knowledge, data_dir, fake_embedder)
    service.rebuild(False)
    (knowledge / "canada-japan.md").write_text(NEW_ARTICLE, encoding="utf-8")
    build_index(knowledge, data_dir, HashEmbedder())  # as `pactbot index` would, beside the bot
    (knowledge / "canada-japan-2.md").write_text(NEW_ARTICLE.replace("Ottawa", "Tokyo"), encoding="utf-8")
    fake_embedder.calls.clear()
    report = service.rebuild(False)
    assert report.added == ["canada-japan-2"] and report.unchanged.count("canada-japan") == 1
    assert len(fake_embedder.calls) == 4  # its two passages and their two sentences
