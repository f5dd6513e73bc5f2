"""Many questions in one process: memory stays flat."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.answering.evaluate import load_eval_set
from index.models.embedder import Embedder
from index.service import SearchService
from tests.conftest import EVAL, FIXTURE_ARTICLES, SHIPPED, record_figure, scale

pytestmark = pytest.mark.model


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def test_memory_stays_flat_over_many_questions(tmp_path: Path, real_embedder: Embedder) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for path in [*SHIPPED, *FIXTURE_ARTICLES.iterdir()]:
        shutil.copyfile(path, knowledge / path.name)
    service = SearchService(knowledge, tmp_path / "data", real_embedder)
    service.rebuild(show_progress=False)
    questions = [
        q.question
        for name in ("questions-dev.yaml", "questions-test.yaml")
        for q in load_eval_set(EVAL / name).questions
    ]
    warm_up, count = 300, scale(ci=1000, full=10_000)
    for i in range(warm_up):  # caches and allocator pools reach their working size
        service.ask(questions[i % len(questions)] + f" ({i})")
    before = rss_mb()
    for i in range(count):
        service.ask(questions[i % len(questions)] + f" ({i})")  # every question text is new
    growth = rss_mb() - before
    record_figure("memory_growth", f"{growth:+.1f} MB over {count} questions (from {before:.0f} MB)")
    assert growth < 40
