"""`pactbot train` and its cross-validation by event: what is trained on what, and how it is scored.

* `train_artefacts` fits both models on every training question (or a seeded share of them) and
  writes the artefacts.
* `cross_validate_by_event` deals the events into folds; for each fold it trains both models on
  the other folds' questions, indexes every corpus with that fold's encoder, refits the linear
  ranker and gates on the other folds, and answers the fold's questions three ways: the stock
  MiniLM with the refitted ranker (the baseline), the fold's encoder with the refitted ranker,
  and that with the fold's reranker on top.
"""

from __future__ import annotations

import logging
import random
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from index.answering.answer import answer_gathered
from index.answering.evaluate import (
    EvalReport,
    EvalSet,
    QuestionResult,
    corpus_files,
    gather_corpus,
    report_of,
    result_of,
)
from index.answering.fit import Example, examples_of, fit
from index.answering.ranker import Ranker
from index.models.adapters import artefact_path, read_adapter
from index.models.embedder import Embedder
from index.models.pairs import Item, event_folds, items_of
from index.models.reranker import OnnxReranker, Reranker
from index.models.train import Progress, Recipe, save_adapter, train_encoder, train_reranker
from index.service import SearchService

log = logging.getLogger(__name__)

Files = Sequence[tuple[str, EvalSet, Path]]
METHODS = ("stock MiniLM", "Pactbot encoder", "Pactbot encoder + reranker")


@dataclass
class Corpora:
    """One knowledge folder per distinct corpus of the question files, copied once; indexed
    again (in a data folder of its own) for each encoder asked for."""

    root: Path
    folders: dict[tuple[str, ...], Path]

    def examples(self, files: Files, embedder: Embedder, reranker: Reranker | None, tag: str) -> list[Example]:
        """Every question of `files` with its candidates from an index built by `embedder`
        (in a data folder named `tag`), the reranker attached."""
        searchers = {}
        for key, knowledge in self.folders.items():
            service = SearchService(knowledge, self.root / tag / knowledge.name, embedder, reranker=reranker)
            service.rebuild(show_progress=False)
            searchers[key] = service.searcher
        examples = []
        for name, eval_set, path in files:
            searcher = searchers[tuple(str(p) for p in corpus_files(path, eval_set))]
            examples += examples_of(name, eval_set, searcher)
        return examples


@contextmanager
def corpora(files: Files) -> Iterator[Corpora]:
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pactbot-train-")))
        folders: dict[tuple[str, ...], Path] = {}
        for _, eval_set, path in files:
            key = tuple(str(p) for p in corpus_files(path, eval_set))
            if key not in folders:
                folder = root / "knowledge" / f"corpus-{len(folders)}"
                folder.mkdir(parents=True)
                gather_corpus(path, eval_set, folder)
                folders[key] = folder
        yield Corpora(root, folders)


def subset(items: list[Item], fraction: float, seed: int) -> list[Item]:
    if fraction >= 1.0:
        return items
    chosen = random.Random(seed).sample(range(len(items)), round(len(items) * fraction))
    return [items[i] for i in sorted(chosen)]


def training_items(examples: Sequence[Example], recipe: Recipe) -> list[Item]:
    """The training items, their wrong candidates ranked by a first stage fitted on the examples."""
    return items_of(examples, fit(examples, ["training"]), seed=recipe.seed)


def train_artefacts(
    items: list[Item], recipe: Recipe, out: Path, data: dict[str, object], progress: Progress | None = None
) -> dict[str, float]:
    """Train both models on `items` and write `encoder.safetensors` and `reranker.safetensors`
    into `out`; the seconds each took."""
    out.mkdir(parents=True, exist_ok=True)
    seconds = {}
    start = time.monotonic()
    save_adapter(train_encoder(items, recipe, progress), "encoder", recipe, out / "encoder.safetensors", data)
    seconds["encoder"] = time.monotonic() - start
    start = time.monotonic()
    save_adapter(train_reranker(items, recipe, progress), "reranker", recipe, out / "reranker.safetensors", data)
    seconds["reranker"] = time.monotonic() - start
    read_adapter.cache_clear()
    return seconds


def trained_models(folder: Path, export_dir: Path, threads: int = 2) -> tuple[Embedder, Reranker]:
    """The ONNX encoder and reranker of the artefacts in `folder` (exported into `export_dir`);
    the reranker on `threads` threads a call."""
    from index.models.onnx_embedder import OnnxEmbedder

    encoder = OnnxEmbedder(export_dir, adapter=read_adapter(folder / "encoder.safetensors"))
    return encoder, OnnxReranker(export_dir, read_adapter(folder / "reranker.safetensors"), threads=threads)


def shipped_models(export_dir: Path) -> tuple[Embedder, Reranker]:
    """The models as the bot serves them: one thread a reranker call."""
    return trained_models(artefact_path("encoder").parent, export_dir, threads=1)


def cross_validate_by_event(
    files: Files,
    recipe: Recipe,
    folds: int,
    k: int,
    base: Embedder,
    progress: Progress | None = None,
    say: Callable[[str], object] = print,
    out_of_fold: list[Example] | None = None,
) -> dict[str, dict[str, EvalReport]]:
    """Per method (METHODS), per question file: the figures of every question answered by models
    that never saw its event. `out_of_fold`, when given, receives every question with the
    candidates and reranker logits of the fold's models that never saw it: what the shipped
    ranker is fitted on, so that it weighs the models as they do on questions new to them."""
    results: dict[str, dict[int, QuestionResult]] = {m: {} for m in METHODS}
    with corpora(files) as found:
        stock = found.examples(files, base, None, "stock")
        events = [e.group for e in stock if e.question.answerable and e.question.article]
        dealt = event_folds(events, folds, recipe.seed)
        fold_of = {ev: j for j, evs in enumerate(dealt) for ev in evs}
        # Unanswerable questions are about no event: dealt round the folds.
        where = []
        spare = 0
        for e in stock:
            if e.question.answerable and e.question.article:
                where.append(fold_of[e.group])
            else:
                where.append(spare % folds)
                spare += 1
        for j in range(folds):
            say(f"fold {j + 1} of {folds}: {len(dealt[j])} events, {where.count(j)} questions")
            train = [e for e, f in zip(stock, where, strict=True) if f != j]
            _score(results[METHODS[0]], stock, where, j, fit(train, ["fold"]), k)
            items = training_items(train, recipe)
            folder = found.root / f"fold-{j}"
            seconds = train_artefacts(items, recipe, folder, {"fold": j}, progress)
            say(f"  trained on {len(items)} questions: " + ", ".join(f"{m} {s:.0f} s" for m, s in seconds.items()))
            encoder, reranker = trained_models(folder, found.root / "exports")
            tuned = found.examples(files, encoder, reranker, f"fold-{j}")
            tuned_train = [e for e, f in zip(tuned, where, strict=True) if f != j]
            ranker = fit(tuned_train, ["fold"])
            _score(results[METHODS[1]], tuned, where, j, ranker.model_copy(update={"rerank": None}), k)
            _score(results[METHODS[2]], tuned, where, j, ranker, k)
            if out_of_fold is not None:
                out_of_fold += [e for e, f in zip(tuned, where, strict=True) if f == j]
    reports: dict[str, dict[str, EvalReport]] = {}
    for method, by_index in results.items():
        reports[method] = {}
        for name, _, _ in files:
            picked = [by_index[i] for i, e in enumerate(stock) if e.source == name]
            reports[method][name] = report_of(picked)
        reports[method]["all"] = report_of([by_index[i] for i in range(len(stock))])
    return reports


def _score(
    into: dict[int, QuestionResult],
    examples: Sequence[Example],
    where: Sequence[int],
    fold: int,
    ranker: Ranker,
    k: int,
) -> None:
    for i, (e, f) in enumerate(zip(examples, where, strict=True)):
        if f == fold:
            into[i] = result_of(e.question, answer_gathered(e.searcher, e.gathered, ranker, k))


def held_out_figures(
    train_files: Files,
    held_files: Files,
    folder: Path | None,
    recipe: Recipe,
    k: int,
    base: Embedder,
    fraction: float = 1.0,
    progress: Progress | None = None,
    say: Callable[[str], object] = print,
) -> dict[str, dict[str, EvalReport]]:
    """Per method, per held-out file: its figures with models trained on `train_files` (a seeded
    share of their questions) and the ranker refitted on them. `folder` None trains afresh (in
    a temporary folder); otherwise the artefacts there are scored as they are."""
    files = [*train_files, *held_files]
    held = {name for name, _, _ in held_files}
    reports: dict[str, dict[str, EvalReport]] = {}
    with corpora(files) as found:
        stock = found.examples(files, base, None, "stock")
        train = [e for e in stock if e.source not in held]
        _held_reports(reports, METHODS[0], stock, held, fit(train, ["training"]), k)
        if folder is None:
            folder = found.root / "trained"
            items = subset(training_items(train, recipe), fraction, recipe.seed)
            seconds = train_artefacts(items, recipe, folder, {"fraction": fraction}, progress)
            say(f"trained on {len(items)} questions: " + ", ".join(f"{m} {s:.0f} s" for m, s in seconds.items()))
        encoder, reranker = trained_models(folder, found.root / "exports")
        tuned = found.examples(files, encoder, reranker, "tuned")
        ranker = fit([e for e in tuned if e.source not in held], ["training"])
        _held_reports(reports, METHODS[1], tuned, held, ranker.model_copy(update={"rerank": None}), k)
        _held_reports(reports, METHODS[2], tuned, held, ranker, k)
    return reports


def _held_reports(
    into: dict[str, dict[str, EvalReport]],
    method: str,
    examples: Sequence[Example],
    held: set[str],
    ranker: Ranker,
    k: int,
) -> None:
    by_file: dict[str, list[QuestionResult]] = {}
    for e in examples:
        if e.source in held:
            by_file.setdefault(e.source, []).append(
                result_of(e.question, answer_gathered(e.searcher, e.gathered, ranker, k))
            )
    into[method] = {name: report_of(found) for name, found in by_file.items()}
    into[method]["all held out"] = report_of([r for found in by_file.values() for r in found])
