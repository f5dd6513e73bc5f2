"""The benchmark's results as a Markdown table, targets met or not, and a latency plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def _mark(met: bool) -> str:
    return "met" if met else "**not met**"


def targets(r: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for each target of the performance issue that this run measured."""
    floor, sizes = r["floor"], r["sizes"]
    rows = []
    encode = floor["encode_one"]["p50_ms"]
    if "10000" in sizes:
        ratio = sizes["10000"]["ask"]["p50_ms"] / encode
        rows.append(("answer p50 ≤ 1.5 × bare encode at 10k passages", f"{ratio:.2f} ×", ratio <= 1.5))
    if "100000" in sizes:
        p95 = sizes["100000"]["ask"]["p95_ms"]
        rows.append(("answer p95 ≤ 25 ms at 100k passages", f"{p95:.1f} ms", p95 <= 25))
        memory = sizes["100000"]["peak_rss_mb"]
        rows.append(("peak memory ≤ 1.5 GB at 100k passages (build and answer)", f"{memory:.0f} MB", memory <= 1536))
    largest = sizes[max(sizes, key=int)]
    share = largest["texts_per_s"] / floor["batch_texts_per_s"]
    rows.append(("indexing ≥ 90 % of the bare batch-encode rate", f"{share:.0%}", share >= 0.9))
    add = sizes["10000" if "10000" in sizes else max(sizes, key=int)]["add_one_article"]
    rows.append(
        (
            "adding one article ≤ its own embedding + 1 s",
            f"{add['total_s']:.2f} s vs {add['embedding_alone_s']:.2f} s + 1 s",
            add["total_s"] <= add["embedding_alone_s"] + 1,
        )
    )
    cold = r["cold_start_s"] / floor["import_and_load_s"]
    rows.append(("cold start ≤ 1.3 × bare import and load", f"{cold:.2f} ×", cold <= 1.3))
    with_qps = [s for s in sizes.values() if "questions_per_s" in s]
    if with_qps:
        qps = with_qps[0]["questions_per_s"]
        gain = qps["50"] / qps["1"]
        rows.append(("throughput at 50 askers ≥ 3 × one asker", f"{gain:.2f} ×", gain >= 3))
    recalls = {n: s["graph_recall_at_10"] for n, s in sizes.items() if s.get("graph_recall_at_10") is not None}
    if recalls:
        worst = min(recalls.values())
        where = ", ".join(f"{int(n):,}" for n in sorted(recalls, key=int))
        rows.append((f"HNSW recall@10 ≥ 0.99 where used ({where} passages)", f"{worst:.3f}", worst >= 0.99))
    return rows


def _search(size: dict[str, Any]) -> str:
    recall = size.get("graph_recall_at_10")
    return "exact" if recall is None else f"HNSW (recall@10 {recall:.3f})"


def markdown(r: dict[str, Any]) -> str:
    floor = r["floor"]
    lines = [
        "# Benchmark results",
        "",
        "Measured by `make bench` on the 2-core development machine (shared: figures vary by some per cent).",
        "",
        f"Bare model: import and load {floor['import_and_load_s']} s in a new process; one question encoded "
        f"in {floor['encode_one']['p50_ms']} ms (p50), {floor['encode_one']['p95_ms']} ms (p95); "
        f"batches of passages at {floor['batch_texts_per_s']} texts/s.",
        "",
        "| passages | search | build | texts/s | answer p50 | answer p95 | p50 / bare encode | peak memory "
        "| peak with a reindex | txtai p50 | txtai p95 | txtai index |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in sorted(r["sizes"].values(), key=lambda s: s["passages"]):
        peer = s.get("peer", {})
        lines.append(
            f"| {s['passages']:,} | {_search(s)} | {s['build_s']} s | {s['texts_per_s']} | {s['ask']['p50_ms']} ms | "
            f"{s['ask']['p95_ms']} ms | {s['ask']['p50_ms'] / floor['encode_one']['p50_ms']:.2f} × | "
            f"{s['peak_rss_mb']:.0f} MB | {s['peak_rss_reindex_mb']:.0f} MB | "
            f"{peer.get('p50_ms', '–')} ms | {peer.get('p95_ms', '–')} ms | "
            f"{peer.get('index_s', '–')} s |"
        )
    q = r["quality"]
    lines += [
        "",
        f"Cold start, process start to first answer at {r['cold_start_passages']:,} passages: {r['cold_start_s']} s.",
        "CLI wall times (s), and as a share of `ask`'s: "
        + ", ".join(f"{name} {t} ({t / r['cold_start_s']:.2f})" for name, t in r.get("cli_s", {}).items())
        + ".",
        "",
        f"Top-3 hit rate on the {q['questions']} answerable questions of `tests/eval/`: Pactbot "
        f"{q['pactbot_top3']:.1%} (a quoted sentence is the gold one); txtai {q['txtai_top3']:.1%} (one of "
        "its three passages holds the gold sentence: a looser test than Pactbot's).",
        "",
        "| target | measured | |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {target} | {measured} | {_mark(met)} |" for target, measured, met in targets(r)]
    with_qps = [s for s in r["sizes"].values() if "questions_per_s" in s]
    if with_qps:
        qps = with_qps[0]["questions_per_s"]
        lines += [
            "",
            f"Questions/s through the search service: 1 asker {qps['1']}, "
            f"10 askers {qps['10']}, 50 askers {qps['50']}.",
        ]
    return "\n".join(lines) + "\n"


def plot(r: dict[str, Any], path: Path) -> None:
    figure = Figure(figsize=(8, 5), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    sizes = sorted(r["sizes"].values(), key=lambda s: s["passages"])
    x = [s["passages"] for s in sizes]
    axes.plot(x, [s["ask"]["p50_ms"] for s in sizes], "o-", color="#0072B2", label="Pactbot p50")
    axes.plot(x, [s["ask"]["p95_ms"] for s in sizes], "o--", color="#0072B2", label="Pactbot p95")
    if all("peer" in s for s in sizes):
        axes.plot(x, [s["peer"]["p50_ms"] for s in sizes], "s-", color="#E69F00", label="txtai p50")
        axes.plot(x, [s["peer"]["p95_ms"] for s in sizes], "s--", color="#E69F00", label="txtai p95")
    axes.axhline(r["floor"]["encode_one"]["p50_ms"], color="#555555", linestyle=":", label="bare encode p50")
    axes.set_xscale("log")
    axes.set_xlabel("passages in the index")
    axes.set_ylabel("question to answer (ms)")
    axes.set_title("Answer latency against corpus size")
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, metadata={"Software": None})
