"""`pactbot`: build the index, ask questions, list sources, chat, evaluate; the bot's entry point."""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Annotated, Never, TextIO

import typer
from pydantic import BaseModel, ValidationError

from bot.console import chat as console_chat
from bot.render import render_agreements, render_explanation, render_plain
from bot.settings import Settings, configure_logging
from index.answer import Explanation, answer_gathered
from index.articles import ArticleError
from index.build import BuildReport
from index.countries import UnknownCountryError, name_of, resolve
from index.embedder import Embedder
from index.evaluate import (
    CountryReport,
    EvalError,
    EvalReport,
    QuestionResult,
    gather_corpus,
    load_eval_set,
    report_of,
    result_of,
    score_countries,
)
from index.fit import Example, fit, gathered_examples
from index.fit import cross_validate as cross_validate_by_event
from index.glossary import GlossaryError
from index.models.adapters import ARTEFACT_DIR
from index.models.reranker import Reranker
from index.ranker import MODEL_FILE, load_ranker
from index.service import SearchService
from index.store import StoreError, current_name, load_current
from index.text import counted

app = typer.Typer(
    help="Pactbot: answers questions about defence pacts by quoting news articles, with citations.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class CliError(Exception):
    """A problem to report on one line of standard error, then exit non-zero."""


def _settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if not first["loc"]:  # a rule about several settings: the message names them
            raise CliError(f"settings: {message}") from None
        raise CliError(f"setting {Settings.variable(str(first['loc'][0]))}: {message}") from None
    configure_logging(settings.log_level)
    return settings


def _service(
    settings: Settings,
    knowledge_dir: Path | None = None,
    data_dir: Path | None = None,
    need_index: bool = False,
) -> SearchService:
    """The search service; checks what can be checked before the model takes seconds to load."""
    knowledge = knowledge_dir or settings.knowledge_dir
    data = data_dir or settings.data_dir
    if not knowledge.is_dir():
        raise CliError(f"knowledge directory {knowledge} does not exist (set PACTBOT_KNOWLEDGE_DIR)")
    if need_index and current_name(data) is None:
        raise CliError(f"no index in {data}; build it with `pactbot index`")
    from index.encoders import embedder_for  # reads the model's configuration; loads it on first use
    from index.models.reranker import reranker_for

    trained = settings.models == "trained"
    return SearchService(
        knowledge,
        data,
        embedder_for(settings.encoder, data, trained),
        settings.max_article_bytes,
        reranker=reranker_for(settings.encoder, data, trained and settings.reranker),
    )


def _print_report(report: BuildReport, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    for label, ids in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
        for article_id in ids:
            print(f"{label}: {article_id}", file=out)
    for rejection in report.rejected:
        kept = " (its previous version stays indexed)" if Path(rejection.path).stem in report.kept else ""
        print(f"rejected: {rejection.path}: {rejection.reason}{kept}", file=sys.stderr)
    for ignored in report.ignored:
        print(f"ignored: {ignored.path}: {ignored.reason}", file=sys.stderr)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    state = "updated" if report.modified else "up to date"
    articles = len(report.added) + len(report.changed) + len(report.unchanged) + len(report.kept)
    print(
        f"index {state}: {counted(report.passages, 'passage')} from {counted(articles, 'article')}, "
        f"{counted(report.embedded, 'text')} embedded (version {report.version})",
        file=out,
    )


@app.callback(invoke_without_command=True)
def main_job(ctx: typer.Context) -> None:
    """With no command: bring the index up to date, then start the Discord bot when DISCORD_TOKEN
    is set, the console chat otherwise."""
    if ctx.invoked_subcommand is not None:
        return
    settings = _settings()
    service = _service(settings)
    report = service.rebuild()
    if report.modified or report.rejected:
        _print_report(report, sys.stderr)  # standard output is for answers
    if settings.discord_token is not None:
        _start_bot(settings, service)
    else:
        console_chat(service, settings.top_k)


def _start_bot(settings: Settings, service: SearchService) -> None:
    from bot.runner import StartError, run_bot  # imports discord.py; the console chat does without it

    service.warm_up()  # model and index loaded before the bot takes questions
    try:
        run_bot(settings, service)
    except StartError as exc:
        raise CliError(str(exc)) from None


@app.command()
def run() -> None:
    """Start the Discord bot (needs DISCORD_TOKEN), after bringing the index up to date."""
    settings = _settings()
    if settings.discord_token is None:
        raise CliError("DISCORD_TOKEN is not set; see .env.example")
    service = _service(settings)
    report = service.rebuild()
    if report.modified or report.rejected:
        _print_report(report, sys.stderr)
    _start_bot(settings, service)


@app.command("sync-commands")
def sync_commands_command() -> None:
    """Register the slash commands with Discord now (normally done only when they change)."""
    settings = _settings()
    if settings.discord_token is None:
        raise CliError("DISCORD_TOKEN is not set; see .env.example")
    from bot.runner import StartError, sync_commands

    try:
        sync_commands(settings, _service(settings))
    except StartError as exc:
        raise CliError(str(exc)) from None
    scope = f"server {settings.guild_id}" if settings.guild_id else "all servers (may take up to an hour to show)"
    print(f"slash commands synced to {scope}")


@app.command("index")
def index_command() -> None:
    """Build or update the index from the knowledge directory (only new or changed articles are embedded)."""
    service = _service(_settings())
    report = service.rebuild()
    _print_report(report)
    if report.rejected:
        raise typer.Exit(1)


def _questions(arguments: list[str]) -> list[str]:
    questions: list[str] = []
    for argument in arguments:
        if argument == "-":
            questions += [line.strip() for line in sys.stdin if line.strip()]
        elif argument.strip():
            questions.append(argument.strip())
    return questions


@app.command("add")
def add_command(urls: Annotated[list[str], typer.Argument(help="Links to news articles (http or https).")]) -> None:
    """Add articles by their links: fetch each page, extract its article, save it in the knowledge
    folder and index it. Exits 1 if any link was refused (each refusal is one line)."""
    from index.links import LinkError, add_link

    settings = _settings()
    service = _service(settings)
    service.rebuild(show_progress=False)  # the index the duplicate checks compare against
    refused = 0
    for url in urls:
        try:
            added = add_link(service, url, settings.fetch_limits)
        except LinkError as exc:
            refused += 1
            print(f"pactbot: {exc}", file=sys.stderr)
            continue
        print(f"added {added.summary()}")
    if refused:
        raise typer.Exit(1)


@app.command()
def ask(
    questions: Annotated[list[str], typer.Argument(help="Questions; '-' reads one per line from standard input.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per question per line.")] = False,
    k: Annotated[int | None, typer.Option("-k", min=1, max=10, help="Most citations per answer.")] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Also the candidates scored, each signal, the thresholds and the rule.")
    ] = False,
) -> None:
    """Answer questions by quoting the indexed articles."""
    settings = _settings()
    asked = _questions(questions)
    if not asked:
        raise CliError("no question given")
    service = _service(settings, need_index=True)
    for n, question in enumerate(asked):
        result = (
            service.explain(question, k or settings.top_k) if explain else service.ask(question, k or settings.top_k)
        )
        if as_json:
            print(result.model_dump_json())
        else:
            text = render_explanation(result) if isinstance(result, Explanation) else render_plain(result)
            print(("\n" if n else "") + text)


@app.command()
def sources(as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one per article.")] = False) -> None:
    """List the indexed articles."""
    settings = _settings()
    data = load_current(settings.data_dir)
    for a in data.manifest.articles:
        if as_json:
            print(a.model_dump_json())
        else:
            date = a.published.isoformat() if a.published else "undated"
            passages = counted(a.passages, "passage")
            print(f"{a.id}: {a.title} — {a.publisher or 'unknown publisher'}, {date} ({passages})")
    if not as_json:
        print(f"{counted(len(data.manifest.articles), 'article')}, index version {data.manifest.version}")


@app.command()
def chat() -> None:
    """Chat in the console: one question per line, answers as they would be posted in Discord."""
    settings = _settings()
    service = _service(settings, need_index=True)
    service.warm_up()  # before the first prompt, so the first answer is not slow
    console_chat(service, settings.top_k)


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
        return _service(settings, need_index=True)
    service = SearchService(knowledge, knowledge.parent / "data", embedder, reranker=reranker)
    service.rebuild(show_progress=False)
    return service


def _examples(settings: Settings, files: list[Path]) -> contextlib.AbstractContextManager[list[Example]]:
    """The questions of `files` with their candidates, one fresh index per corpus."""
    from index.encoders import embedder_for
    from index.models.reranker import reranker_for

    trained = settings.models == "trained"
    # The exports are kept beside the index.
    embedder = embedder_for(settings.encoder, settings.data_dir, trained)
    reranker = reranker_for(settings.encoder, settings.data_dir, trained and settings.reranker)
    sets = [(str(f), load_eval_set(f), f) for f in files]
    return gathered_examples(sets, lambda knowledge: _corpus_index(settings, embedder, knowledge, reranker).searcher)


@app.command("eval")
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
) -> None:
    """Score answers against question files: top-1, top-3, and abstention on answerable, off-topic
    and in-domain unanswerable questions. A file that names a corpus is scored on a fresh index
    of it; otherwise on the configured index."""
    settings = _settings()
    with _examples(settings, files) as examples:
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


@app.command("eval-countries")
def eval_countries_command(
    files: Annotated[list[Path], typer.Argument(help="Question files with `countries:` cases (YAML).")],
    as_json: Annotated[bool, typer.Option("--json", help="The full reports as JSON.")] = False,
) -> None:
    """Score country lookups against the files' country cases: partners found (recall), parties
    right (precision over the partners a case lists or rules out), and whether every agreement
    shown is cited. Each file's corpus is indexed afresh in a temporary folder."""
    from index.encoders import embedder_for

    settings = _settings()
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


@app.command("eval-dates")
def eval_dates_command(
    files: Annotated[list[Path], typer.Argument(help="Labelled date mentions (YAML); see tests/eval/dates/.")],
    as_json: Annotated[bool, typer.Option("--json", help="The full reports as JSON.")] = False,
) -> None:
    """Score date resolution against labelled mentions in real texts: right, a wrong date shown,
    or a date withheld where one was right. Needs the articles the files point at."""
    from index.date_eval import Outcome, evaluate_file

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


@app.command("fit")
def fit_command(
    files: Annotated[list[Path], typer.Argument(help="Question files to fit on (YAML); see `make fit`.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the model.")] = MODEL_FILE,
) -> None:
    """Fit the ranker and the abstention on labelled question files and write the model file."""
    settings = _settings()
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


@app.command("train")
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
    from index.encoders import embedder_for
    from index.models import workflow
    from index.models.train import Recipe

    try:
        import peft  # noqa: F401
    except ImportError:
        raise CliError("training needs the train extra: pip install -e '.[train]' (make train installs it)") from None
    settings = _settings()
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


@app.command()
def agreements(
    country: Annotated[str, typer.Argument(help="A country: name, code, short form, demonym or capital.")],
    partner: Annotated[str | None, typer.Option("--partner", "-p", help="Only agreements with this country.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """A country's agreements found in the articles, by partner, each with the quotes behind it."""
    settings = _settings()
    service = _service(settings, need_index=True)
    try:
        result = service.agreements(country, partner)
    except UnknownCountryError as exc:
        print(f"pactbot: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    if as_json:
        # The documented shape; a partner query adds "partner" and the pair's "timeline".
        print(result.model_dump_json(exclude={"partner", "timeline"} if result.partner is None else None))
    else:
        print(render_agreements(result))


@app.command("map")
def map_command(
    country: Annotated[
        str | None, typer.Argument(help="Centre the map on this country; all countries if left out.")
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The PNG file to write (default: pactmap.png in this folder).")
    ] = Path("pactmap.png"),
) -> None:
    """Draw countries as nodes and agreements as edges coloured by status, as a PNG."""
    from bot.pactmap import draw_pact_map

    settings = _settings()
    service = _service(settings, need_index=True)
    try:
        focus, found = service.pact_map(country)
    except UnknownCountryError as exc:
        print(f"pactbot: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    names = {code: name_of(code) for code in {c for a in found for c in a.parties} | ({focus} if focus else set())}
    nodes = draw_pact_map(found, names, out, focus=focus)
    print(f"wrote {out.resolve()}: {counted(len(nodes), 'country', 'countries')}, {counted(len(found), 'agreement')}")


feeds_app = typer.Typer(help="Follow news feeds (RSS, Atom): new items are fetched and indexed as links are.")
app.add_typer(feeds_app, name="feeds")


@contextlib.contextmanager
def _feed_errors() -> Iterator[None]:
    from index.feeds import FeedError

    try:
        yield
    except FeedError as exc:
        raise CliError(str(exc)) from None


@feeds_app.command("add")
def feeds_add(
    url: Annotated[str, typer.Argument(help="The feed's link (http or https).")],
    channel: Annotated[
        int | None, typer.Option("--channel", help="Discord channel id for this feed's reports (else the log channel).")
    ] = None,
) -> None:
    """Follow a feed: it is checked now, and its newest few items are taken at the next poll."""
    from index.feeds import FeedBook

    settings = _settings()
    with _feed_errors():
        feed = FeedBook(settings.data_dir).add(url, channel, settings.fetch_limits)
    print(f"following {feed.url}" + (f" ({feed.title})" if feed.title else ""))


@feeds_app.command("remove")
def feeds_remove(url: Annotated[str, typer.Argument(help="The feed's link, as `feeds list` shows it.")]) -> None:
    """Stop following a feed (the articles it brought stay indexed)."""
    from index.feeds import FeedBook

    with _feed_errors():
        feed = FeedBook(_settings().data_dir).remove(url)
    print(f"no longer following {feed.url}")


@feeds_app.command("list")
def feeds_list(as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one per feed.")] = False) -> None:
    """The feeds followed, with when each was last polled and how it is doing."""
    from index.feeds import FeedBook

    with _feed_errors():
        feeds = FeedBook(_settings().data_dir).feeds()
    for feed in feeds:
        if as_json:
            print(feed.model_dump_json(exclude={"seen", "etag", "last_modified"}))
        else:
            print(feed.line())
    if not feeds and not as_json:
        print("no feeds followed; add one with `pactbot feeds add URL`")


@feeds_app.command("poll")
def feeds_poll(
    every: Annotated[bool, typer.Option("--all", help="Also the feeds backing off after failures.")] = False,
) -> None:
    """Poll the followed feeds once now and add their new items (for cron, and tests). Exits 1 if
    a feed failed."""
    from index.feeds import FeedBook, PollReport, poll_feeds

    settings = _settings()
    service = _service(settings)
    service.rebuild(show_progress=False)  # the index the duplicate checks compare against
    failed = False

    def show(report: PollReport) -> None:
        nonlocal failed
        failed |= report.error is not None or report.disabled is not None
        print(report.text() if report.worth_posting else f"feed <{report.feed}>: nothing new", flush=True)

    with _feed_errors():
        reports = poll_feeds(
            service,
            FeedBook(settings.data_dir),
            settings.fetch_limits,
            interval=settings.feed_interval,
            due_only=not every,
            on_report=show,
        )
    if not reports:
        print("no feed due for a poll")
    if failed:
        raise typer.Exit(1)


@app.command("events")
def events_command(
    since: Annotated[
        str | None, typer.Option("--since", help="Only events reported on or after this day (YYYY-MM-DD).")
    ] = None,
    country: Annotated[str | None, typer.Option("--country", help="Only events this country is party to.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one per event.")] = False,
) -> None:
    """The pact events recorded as the index was updated (new agreements, new members, status
    changes, dates given), newest first, each with its quote and source."""
    import datetime as dt

    from index.pact_events import load_events, newest_first, select
    from index.statefile import StateFileError

    settings = _settings()
    try:
        day = dt.date.fromisoformat(since) if since else None
    except ValueError:
        raise CliError(f"--since {since!r} is not a date like 2024-01-31") from None
    try:
        code = resolve(country).iso3 if country else None
        chosen = newest_first(select(load_events(settings.data_dir), since=day, country=code))
    except UnknownCountryError as exc:
        print(f"pactbot: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    except StateFileError as exc:
        raise CliError(str(exc)) from None
    for event in chosen:
        if as_json:
            print(json.dumps(event.public(), ensure_ascii=False))
        else:
            c = event.citation
            print(event.line())
            print(f"    “{c.quote}”")
            print(f"      {c.title}" + (f" <{c.source}>" if c.source else "") + f", paragraph {c.paragraph}")
    if not chosen and not as_json:
        print("no pact events recorded" + (" that match" if since or country else ""))


alerts_app = typer.Typer(help="Pact alerts: which Discord channels the bot posts pact events in.")
app.add_typer(alerts_app, name="alerts")


@contextlib.contextmanager
def _alert_errors() -> Iterator[None]:
    from index.pact_alerts import AlertError
    from index.statefile import StateFileError

    try:
        yield
    except (AlertError, StateFileError) as exc:
        raise CliError(str(exc)) from None
    except UnknownCountryError as exc:
        print(f"pactbot: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None


def _alert_channel(channel: int | None, settings: Settings) -> int:
    found = channel or settings.log_channel_id
    if found is None:
        raise CliError("give --channel (a Discord channel id); PACTBOT_LOG_CHANNEL_ID is not set either")
    return found


_CHANNEL_HELP = "Discord channel id to post in (default: PACTBOT_LOG_CHANNEL_ID)."


@alerts_app.command("add")
def alerts_add(
    country: Annotated[str | None, typer.Option("--country", help="A country: its pact events.")] = None,
    agreement: Annotated[str | None, typer.Option("--agreement", help="An agreement's name or acronym.")] = None,
    channel: Annotated[int | None, typer.Option("--channel", help=_CHANNEL_HELP)] = None,
) -> None:
    """Post the pact events about a country or an agreement (or both) in a channel, from now on."""
    from index.pact_alerts import AlertBook, country_code

    settings = _settings()
    with _alert_errors():
        sub, resumed = AlertBook(settings.data_dir).add(
            _alert_channel(channel, settings), country_code(country), agreement, settings.guild_id, "pactbot alerts"
        )
    print(("resumed: " if resumed else "added: ") + sub.line())


@alerts_app.command("remove")
def alerts_remove(
    country: Annotated[str | None, typer.Option("--country", help="The country, as `alerts list` shows it.")] = None,
    agreement: Annotated[str | None, typer.Option("--agreement", help="The agreement, as listed.")] = None,
    channel: Annotated[int | None, typer.Option("--channel", help=_CHANNEL_HELP)] = None,
) -> None:
    """Stop posting the pact events about a country or an agreement in a channel."""
    from index.pact_alerts import AlertBook, country_code

    settings = _settings()
    with _alert_errors():
        sub = AlertBook(settings.data_dir).remove(_alert_channel(channel, settings), country_code(country), agreement)
    print(f"removed: {sub.line()}")


@alerts_app.command("list")
def alerts_list(as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one per alert.")] = False) -> None:
    """Every channel's pact alerts, with any that are paused and why."""
    from index.pact_alerts import AlertBook

    with _alert_errors():
        subs = AlertBook(_settings().data_dir).subscriptions()
    for sub in subs:
        print(sub.model_dump_json() if as_json else sub.line())
    if not subs and not as_json:
        print("no pact alerts; add one with `pactbot alerts add --country C --channel ID`")


def main() -> None:
    try:
        app()
    except (CliError, StoreError, GlossaryError, ArticleError, EvalError, FileNotFoundError) as exc:
        print(f"pactbot: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
