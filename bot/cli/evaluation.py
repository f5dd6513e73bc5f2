"""Measuring and training: `eval`, `eval-countries`, `eval-pair-classifier`, `eval-dates`, `fit`, `train`."""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Never

import typer
from pydantic import BaseModel

from bot.cli.common import CliError, open_service, read_settings
from bot.settings import Settings
from index.answering.answer import answer_gathered
from index.answering.evaluate import (
    CountryReport,
    EvalReport,
    QuestionResult,
    gather_corpus,
    load_eval_set,
    report_of,
    result_of,
    score_countries,
)
from index.answering.fit import Example, fit, gathered_examples
from index.answering.fit import cross_validate as cross_validate_by_event
from index.answering.ranker import MODEL_FILE, load_ranker
from index.models.adapters import ARTEFACT_DIR
from index.models.embedder import Embedder
from index.models.reranker import Reranker
from index.pacts.countries import resolve
from index.service import SearchService
from index.text import counted

# Registered on the `pactbot` app by bot/cli/__init__.py.
commands = typer.Typer()


def _print_json_reports(reports: Mapping[str, BaseModel]) -> None:
    """Reports by file, as one JSON object (`--json` of the eval commands)."""
    print(json.dumps({name: r.model_dump(mode="json") for name, r in reports.items()}, indent=1))


def _print_eval(reports: dict[str, EvalReport], each: bool) -> None:
    if each:
        for name, report in reports.items():
            print(f"{name}:")
            for result in report.results:
                if result.answerable:
                    mark = f"rank {result.rank}" if result.rank else ("ABSTAINED" if result.abstained else "miss")
                else:
                    mark = "abstained" if result.abstained else f"ANSWERED ({result.kind or 'unanswerable'})"
                print(f"{mark:>24}  {result.question}")
            print()
    width = max(len(name) for name in reports)
    print(
        f"{'questions':<{width}}  {'answerable':>10}  {'top-1':>6}  {'top-3':>6}  {'MRR':>5}  "
        f"{'off-topic abstained':>19}  {'in-domain abstained':>19}  {'answerable abstained':>20}"
    )
    for name, r in reports.items():
        print(
            f"{name:<{width}}  {r.answerable:>10}  {r.top1:>6.1%}  {r.top3:>6.1%}  {r.mrr:>5.3f}  "
            f"{r.offtopic_abstained:>12.1%} of {r.offtopic:<3}  {r.in_domain_abstained:>12.1%} of {r.in_domain:<3}  "
            f"{r.answerable_abstained:>20.1%}"
        )


def _corpus_index(
    settings: Settings, embedder: Embedder, knowledge: Path | None, reranker: Reranker | None = None
) -> SearchService:
    """A question file's corpus, copied into `knowledge`, indexed afresh beside it (in `data`);
    the configured index for a file that names no corpus (None)."""
    if knowledge is None:
        return open_service(settings, need_index=True)
    service = SearchService(knowledge, knowledge.parent / "data", embedder, reranker=reranker)
    service.rebuild(show_progress=False)
    return service


def _examples(
    settings: Settings, files: list[Path], exact_reranker: bool = False
) -> contextlib.AbstractContextManager[list[Example]]:
    """The questions of `files` with their candidates, one fresh index per corpus (the reranker
    the float export rather than the 8-bit one served, where `exact_reranker`)."""
    from index.models.encoders import embedder_for
    from index.models.reranker import reranker_for

    trained = settings.models == "trained"
    # The exports are kept beside the index.
    embedder = embedder_for(settings.encoder, settings.data_dir, trained)
    reranker = reranker_for(settings.encoder, settings.data_dir, trained and settings.reranker, not exact_reranker)
    sets = [(str(f), load_eval_set(f), f) for f in files]
    return gathered_examples(sets, lambda knowledge: _corpus_index(settings, embedder, knowledge, reranker).searcher)


@commands.command("eval")
def eval_command(
    files: Annotated[list[Path], typer.Argument(help="Question files (YAML); see tests/eval/.")],
    as_json: Annotated[bool, typer.Option("--json", help="The full reports as JSON.")] = False,
    each: Annotated[bool, typer.Option("--each", help="Also each question's outcome.")] = False,
    cross_validate: Annotated[
        bool,
        typer.Option(
            "--cross-validate", help="Refit the ranker without each event's questions (or article's) to score them."
        ),
    ] = False,
    exact_reranker: Annotated[
        bool, typer.Option(help="Rerank with the float export instead of the 8-bit one served (what 8 bits cost).")
    ] = False,
) -> None:
    """Score answers against question files: top-1, top-3, and abstention on answerable, off-topic
    and in-domain unanswerable questions. A file that names a corpus is scored on a fresh index
    of it; otherwise on the configured index."""
    settings = read_settings()
    with _examples(settings, files, exact_reranker) as examples:
        if cross_validate:
            reports = cross_validate_by_event(examples, settings.top_k)
        else:
            ranker = load_ranker()
            results: dict[str, list[QuestionResult]] = {str(f): [] for f in files}
            for e in examples:
                answer = answer_gathered(e.searcher, e.gathered, ranker, settings.top_k)
                results[e.source].append(result_of(e.question, answer))
            reports = {name: report_of(found) for name, found in results.items()}
    if as_json:
        _print_json_reports(reports)
    else:
        _print_eval(reports, each)


@commands.command("eval-countries")
def eval_countries_command(
    files: Annotated[list[Path], typer.Argument(help="Question files with `countries:` cases (YAML).")],
    as_json: Annotated[bool, typer.Option("--json", help="The full reports as JSON.")] = False,
) -> None:
    """Score country lookups against the files' country cases: partners found (recall), parties
    right (precision over the partners a case lists or rules out), and whether every agreement
    shown is cited. Each file's corpus is indexed afresh in a temporary folder."""
    from index.models.encoders import embedder_for

    settings = read_settings()
    embedder = embedder_for(settings.encoder, settings.data_dir, settings.models == "trained")
    reports: dict[str, CountryReport] = {}
    for file in files:
        eval_set = load_eval_set(file)
        with tempfile.TemporaryDirectory(prefix="pactbot-") as tmp:
            knowledge = Path(tmp) / "knowledge"
            if eval_set.corpus:
                knowledge.mkdir()
                gather_corpus(file, eval_set, knowledge)
            service = _corpus_index(settings, embedder, knowledge if eval_set.corpus else None)

            def partners_of(country: str, service: SearchService = service) -> tuple[set[str], int]:
                result = service.agreements(country)
                found = result.agreements
                partners = {p for a in found for p in a.parties if p != result.country.iso3}
                return partners, sum(not a.citations for a in found)

            reports[str(file)] = score_countries(eval_set.countries, partners_of, lambda name: resolve(name).iso3)
    if as_json:
        _print_json_reports(reports)
        return
    for name, report in reports.items():
        print(f"{name}:")
        for r in report.results:
            wrong = f"  WRONG: {', '.join(r.wrong)}" if r.wrong else ""
            missed = f"  missed: {', '.join(r.missed)}" if r.missed else ""
            other = f"  also shown: {', '.join(r.unjudged)}" if r.unjudged else ""
            print(f"  {r.country}: found {', '.join(r.found) or '-'}{missed}{wrong}{other}")
        print(
            f"  {counted(report.cases, 'case')}: partners found {report.recall:.1%}, parties right "
            f"{report.precision:.1%}, every agreement cited: {'yes' if report.every_agreement_cited else 'no'}"
        )


@commands.command("eval-pair-classifier")
def eval_pair_classifier_command(
    train: Annotated[list[Path], typer.Option("--train", help="Development files with `countries:` cases.")],
    test: Annotated[list[Path] | None, typer.Option("--test", help="Held-out files to score it on.")] = None,
) -> None:
    """An experiment beside the agreement reader: a classifier over (sentence, pair of countries)
    trained on the country cases of --train, cross-validated there with folds by article, then
    trained on all of it and scored on --test; each beside the rules measured the same way, and
    either of the two. The bot does not use it (docs/quality.md)."""
    from index.answering.pair_classifier import evaluate

    validated, held_out = evaluate(train, test or [])
    for title, figures in (("cross-validated, folds by article", validated), ("held out", held_out)):
        if figures.rules:
            print(f"{title}:")
        for name in figures.rules:
            print(f"  {name}:")
            for kind in ("rules", "classifier", "either"):
                r = getattr(figures, kind)[name]
                print(f"    {kind:<10} partners found {r.recall:.1%}, parties right {r.precision:.1%}")


@commands.command("eval-dates")
def eval_dates_command(
    files: Annotated[list[Path], typer.Argument(help="Labelled date mentions (YAML); see tests/eval/dates/.")],
    as_json: Annotated[bool, typer.Option("--json", help="The full reports as JSON.")] = False,
) -> None:
    """Score date resolution against labelled mentions in real texts: right, a wrong date shown,
    or a date withheld where one was right. Needs the articles the files point at."""
    from index.answering.date_eval import Outcome, evaluate_file

    reports = {str(file): evaluate_file(file) for file in files}
    if as_json:
        _print_json_reports(reports)
        return
    for name, report in reports.items():
        print(f"{name}:")
        for r in report.results:
            if r.outcome is not Outcome.RIGHT:
                m = r.mention
                print(f"  {r.outcome.upper()}: {m.file} paragraph {m.paragraph} {m.text!r}: {m.value} shown {r.shown}")
        print(
            f"  {counted(report.mentions, 'mention')}: {report.right} right, {report.wrong} wrong date shown, "
            f"{report.withheld} withheld; accuracy {report.accuracy:.1%} "
            f"({report.dated_right} of {report.dated} dated mentions right)"
        )


@commands.command("fit")
def fit_command(
    files: Annotated[list[Path], typer.Argument(help="Question files to fit on (YAML); see `make fit`.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the model.")] = MODEL_FILE,
) -> None:
    """Fit the ranker and the abstention on labelled question files and write the model file."""
    settings = read_settings()
    with _examples(settings, files) as examples:
        ranker = fit(examples, [f.as_posix() for f in files])
    out.write_text(ranker.model_dump_json(indent=1) + "\n", encoding="utf-8")
    print(
        f"fitted on {counted(ranker.questions, 'question')}: abstain below a chance of {ranker.threshold}; wrote {out}"
    )


def _training_progress() -> Callable[[str, int, int], object]:
    """A progress bar per model trained (on standard error)."""
    from tqdm import tqdm

    bars: dict[str, tqdm[Never]] = {}

    def update(what: str, step: int, steps: int) -> None:
        if what not in bars or bars[what].n >= steps:
            bars[what] = tqdm(total=steps, desc=f"training the {what}", unit="step", file=sys.stderr, leave=False)
        bars[what].update(step - bars[what].n)
        if step == steps:
            bars[what].close()

    return update


@commands.command("train")
def train_command(
    files: Annotated[list[Path], typer.Argument(help="Training question files (YAML); see `make train`.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the artefacts.")] = ARTEFACT_DIR,
    fraction: Annotated[
        float, typer.Option(help="Train on this seeded share of the questions.", min=0.01, max=1)
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Seed of the shuffles, the head and the folds.")] = 0,
    cross_validate: Annotated[
        int, typer.Option("--cross-validate", help="Score by cross-validation with this many folds by event.")
    ] = 0,
    held_out: Annotated[
        list[Path] | None, typer.Option("--held-out", help="Train, then score these files (never trained on).")
    ] = None,
    models: Annotated[
        Path | None,
        typer.Option("--models", help="With --held-out: score the artefacts in this folder, training none."),
    ] = None,
    ranker_out: Annotated[
        Path | None,
        typer.Option(
            "--ranker-out", help="With --cross-validate: fit the ranker on the out-of-fold candidates, write it here."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The reports as JSON.")] = False,
) -> None:
    """Train Pactbot's encoder and reranker on labelled question files (LoRA adapters over the
    bundled MiniLM; CPU, seeded) and write them to index/models/; refit the ranker after with
    `pactbot fit`. --cross-validate N and --held-out score the recipe instead, against the stock
    MiniLM, writing nothing. Needs the `train` extra."""
    from index.models import workflow
    from index.models.encoders import embedder_for
    from index.models.train import Recipe

    try:
        import peft  # noqa: F401
    except ImportError:
        raise CliError("training needs the train extra: pip install -e '.[train]' (make train installs it)") from None
    settings = read_settings()
    recipe = Recipe(seed=seed)
    sets = [(str(f), load_eval_set(f), f) for f in files]
    base = embedder_for("onnx", settings.data_dir, trained=False)
    progress = _training_progress()

    def say(line: str) -> None:
        print(line, file=sys.stderr)

    if cross_validate or held_out:
        if cross_validate:
            out_of_fold: list[Example] = []
            reports = workflow.cross_validate_by_event(
                sets, recipe, cross_validate, settings.top_k, base, progress, say, out_of_fold
            )
            if ranker_out is not None:
                ranker = fit(out_of_fold, [f.as_posix() for f in files])
                ranker_out.write_text(ranker.model_dump_json(indent=1) + "\n", encoding="utf-8")
                say(f"fitted the ranker on {counted(len(out_of_fold), 'out-of-fold question')}; wrote {ranker_out}")
        else:
            held = [(str(f), load_eval_set(f), f) for f in held_out or []]
            reports = workflow.held_out_figures(
                sets, held, models, recipe, settings.top_k, base, fraction, progress, say
            )
        if as_json:
            print(
                json.dumps(
                    {
                        m: {n: r.model_dump(mode="json", exclude={"results"}) for n, r in by.items()}
                        for m, by in reports.items()
                    },
                    indent=1,
                )
            )
            return
        for method, by_file in reports.items():
            print(f"{method}:")
            _print_eval(by_file, each=False)
            print()
        return
    with workflow.corpora(sets) as found:
        examples = found.examples(sets, base, None, "stock")
        items = workflow.training_items(examples, recipe)
    items = workflow.subset(items, fraction, seed)
    events = len({i.event for i in items})
    seconds = workflow.train_artefacts(
        items,
        recipe,
        out,
        {"questions": len(items), "events": events, "files": [f.as_posix() for f in files], "fraction": fraction},
        progress,
    )
    print(
        f"trained on {counted(len(items), 'question')} about {counted(events, 'event')}: "
        + ", ".join(f"{m} {s:.0f} s" for m, s in seconds.items())
        + f"; wrote {out / 'encoder.safetensors'} and {out / 'reranker.safetensors'}; refit the ranker with `make fit`"
    )
