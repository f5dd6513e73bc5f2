"""`python -m bench.profiles update|ask 10000`: where an update and an answer spend their time.

Each command builds the benchmark's synthetic corpus with the served models, times its work
unprofiled, then profiles it and prints each step with its share of the profiled time. The
steps are named here (file and function), not discovered: a renamed step shows no calls, and the
smoke test (tests/bench/test_profiles.py) fails.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from bench.corpus import article, questions, write_corpus
from bench.run import KNOWLEDGE, interleaved, percentiles, served, timed
from index.service import SearchService

# (what it is, file, function): the steps of `update_index` (index/storage/build.py) in order.
UPDATE_STEPS = (
    ("every article file read and checksummed", "index/ingest/articles.py", "scan_directory"),
    ("entities and dates of the new sentences", "index/storage/build.py", "_annotate"),
    ("the new texts embedded, the others' vectors copied", "index/storage/build.py", "_vectors"),
    ("acronyms of every passage", "index/glossary.py", "find_acronyms"),
    ("initialisms of every passage", "index/glossary.py", "find_initialisms"),
    ("agreements", "index/storage/build.py", "find_agreements"),
    ("BM25 over every passage", "index/storage/build.py", "build_lexical_index"),
    ("the HNSW graph (past vector_index.EXACT_UP_TO)", "index/storage/vector_index.py", "graph_index"),
    ("the version written", "index/storage/store.py", "write_version"),
    ("pact events: every agreement before and after summarised", "index/storage/updates.py", "record_update"),
    ("old versions pruned", "index/storage/store.py", "prune"),
    ("the new version served", "index/service.py", "_serve"),
)
# The steps of an answer (index/answering/answer.py: gather, then rank and decide); an "of
# which" step is part of the one before it.
ASK_STEPS = (
    ("the question read and encoded", "index/answering/candidates.py", "make_query"),
    ("of which the encoder's model call", "index/models/onnx_embedder.py", "_run"),
    ("passages: vector and BM25 search, fused", "index/answering/candidates.py", "passages"),
    ("of which the vector search", "index/storage/vector_index.py", "search"),
    ("the passages' sentences", "index/answering/candidates.py", "sentences"),
    ("sentence features", "index/answering/features.py", "sentence_features"),
    ("names no article has", "index/answering/candidates.py", "unknown_names"),
    ("ranking and the gates' chances", "index/answering/answer.py", "rank"),
    ("the decision and the quotes", "index/answering/answer.py", "_decide"),
)
MODELS_OPTION = typer.Option("--models", help="Folder of the ONNX exports (made if missing); default a new one.")

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def profiled(call: Callable[[], object], steps: tuple[tuple[str, str, str], ...]) -> dict[str, Any]:
    """`call` under cProfile: its seconds, and per step its calls, cumulative seconds and share."""
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.runcall(call)
    total = time.perf_counter() - started
    table = pstats.Stats(profile).stats  # type: ignore[attr-defined]  # undocumented but stable
    figures = {}
    for label, path, function in steps:
        rows = [row for key, row in table.items() if key[0].endswith(path) and key[2] == function]
        seconds = sum(row[3] for row in rows)
        calls = sum(row[1] for row in rows)
        figures[f"{path}:{function}"] = {
            "what": label,
            "calls": calls,
            "s": round(seconds, 3),
            "share": round(seconds / total, 3),
        }
    return {"profiled_s": round(total, 3), "steps": figures}


def built(tmp: Path, passages: int, models: Path | None, reranked: bool = True) -> tuple[SearchService, Path]:
    knowledge, data = tmp / "knowledge", tmp / "data"
    write_corpus(knowledge, passages, KNOWLEDGE)
    service, _ = served(knowledge, data, models or tmp / "models", reranked=reranked)
    service.rebuild(show_progress=False)
    return service, knowledge


@app.command()
def update(
    passages: Annotated[int, typer.Argument(help="Passages of the synthetic corpus.")] = 10_000,
    rounds: Annotated[int, typer.Option(help="Unprofiled updates timed before the profiled one.")] = 3,
    models: Annotated[Path | None, MODELS_OPTION] = None,
) -> None:
    """Adding one article: the update's median seconds unprofiled, then its steps (JSON)."""
    with tempfile.TemporaryDirectory(prefix="pactbot-profile-") as tmp:
        service, knowledge = built(Path(tmp), passages, models)
        added = knowledge / "added-1000000.md"
        text = article(10**6, random.Random(3))

        def add() -> None:
            added.write_text(text, encoding="utf-8")
            service.rebuild(show_progress=False)

        walls = []
        for _ in range(rounds):
            walls.append(timed(add)[1])
            added.unlink()
            service.rebuild(show_progress=False)
        figures = profiled(add, UPDATE_STEPS)
        size = len(service.searcher.data.passages)
    print(json.dumps({"passages": size, "update_s": round(statistics.median(walls), 3), **figures}, indent=1))


@app.command()
def ask(
    passages: Annotated[int, typer.Argument(help="Passages of the synthetic corpus.")] = 10_000,
    count: Annotated[int, typer.Option("--questions", help="Benchmark questions, each asked twice.")] = 300,
    models: Annotated[Path | None, MODELS_OPTION] = None,
) -> None:
    """The first stage's answer (the reranker off, as its targets are set): p50 against the bare
    encode of the same question, interleaved, then the steps of every answer profiled (JSON)."""
    with tempfile.TemporaryDirectory(prefix="pactbot-profile-") as tmp:
        service, _ = built(Path(tmp), passages, models, reranked=False)
        asked = questions(count)
        service.ask(asked[0])
        samples = interleaved({"answer": service.ask, "encode": lambda q: service.embedder.encode([q])}, asked)
        figures = profiled(lambda: [service.ask(q) for q in asked], ASK_STEPS)
    timings = {name: percentiles(seconds) for name, seconds in samples.items()}
    print(json.dumps({"questions": len(asked), **timings, **figures}, indent=1))


if __name__ == "__main__":
    app()
