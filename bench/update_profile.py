"""`python -m bench.update_profile 10000`: where adding one article to a built index spends its time.

Builds the benchmark's synthetic corpus with the served models, adds one benchmark article,
times the update unprofiled (a few rounds, the article added and removed again), then profiles
one more and prints each step of `update_index` (index/storage/build.py) with its share. The
steps are named here, not discovered: a renamed step prints no calls, and the smoke test fails.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

from bench.corpus import article, write_corpus
from bench.run import KNOWLEDGE, served

# The steps of an update, in the order update_index takes them (the functions' own names).
STEPS = (
    "scan_directory",  # every article file read and checksummed
    "_annotate",  # entities and dates of the new sentences
    "_vectors",  # embedding the new texts, the rest copied
    "find_acronyms",
    "find_initialisms",
    "find_agreements",
    "build_lexical_index",  # BM25 over every passage
    "graph_index",  # the HNSW graph, past vector_index.EXACT_UP_TO
    "write_version",
    "record_update",  # pact events: every agreement before against every one after
    "prune",
    "_serve",
)
ADDED = "added-1000000"

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def step_figures(stats: pstats.Stats, total: float) -> dict[str, dict[str, float]]:
    """Per step: its calls, and its cumulative seconds and share of `total`, summed over every
    function of that name."""
    table = stats.stats  # type: ignore[attr-defined]  # pstats keeps it undocumented but stable
    figures = {}
    for step in STEPS:
        rows = [row for key, row in table.items() if key[2] == step]
        seconds = sum(row[3] for row in rows)
        calls = sum(row[1] for row in rows)
        figures[step] = {"calls": calls, "s": round(seconds, 3), "share": round(seconds / total, 3)}
    return figures


@app.command()
def main(
    passages: Annotated[int, typer.Argument(help="Passages of the synthetic corpus.")] = 10_000,
    rounds: Annotated[int, typer.Option(help="Unprofiled updates timed before the profiled one.")] = 3,
    models_in: Annotated[
        Path | None, typer.Option("--models", help="Folder of the ONNX exports (made if missing); default a new one.")
    ] = None,
) -> None:
    """Prints one JSON object: the unprofiled update's seconds and each step's share."""
    with tempfile.TemporaryDirectory(prefix="pactbot-update-") as tmp:
        knowledge, data = Path(tmp) / "knowledge", Path(tmp) / "data"
        write_corpus(knowledge, passages, KNOWLEDGE)
        service, _ = served(knowledge, data, models_in or Path(tmp) / "models")
        service.rebuild(show_progress=False)
        added = knowledge / f"{ADDED}.md"
        text = article(10**6, random.Random(3))

        def add() -> float:
            added.write_text(text, encoding="utf-8")
            started = time.perf_counter()
            service.rebuild(show_progress=False)
            return time.perf_counter() - started

        walls = []
        for _ in range(rounds):
            walls.append(add())
            added.unlink()
            service.rebuild(show_progress=False)
        profile = cProfile.Profile()
        profiled = profile.runcall(add)
        steps = step_figures(pstats.Stats(profile), profiled)
    print(
        json.dumps(
            {
                "passages": len(service.searcher.data.passages),
                "update_s": round(statistics.median(walls), 3) if walls else None,
                "profiled_s": round(profiled, 3),
                "steps": steps,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    app()
