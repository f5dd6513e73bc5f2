"""Serving: the main job, the bot, the index, adding links, asking, listing sources, the console chat."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer

from bot.cli.common import CliError, open_service, read_settings
from bot.console import chat as console_chat
from bot.render import render_explanation, render_plain
from bot.settings import Settings
from index.answering.answer import Explanation
from index.service import SearchService
from index.storage.build import BuildReport
from index.storage.store import load_current
from index.text import counted

# Registered on the `pactbot` app by bot/cli/__init__.py.
commands = typer.Typer()


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


def main_job(ctx: typer.Context) -> None:
    """With no command: bring the index up to date, then start the Discord bot when DISCORD_TOKEN
    is set, the console chat otherwise."""
    if ctx.invoked_subcommand is not None:
        return
    settings = read_settings()
    service = open_service(settings)
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


@commands.command()
def run() -> None:
    """Start the Discord bot (needs DISCORD_TOKEN), after bringing the index up to date."""
    settings = read_settings()
    if settings.discord_token is None:
        raise CliError("DISCORD_TOKEN is not set; see .env.example")
    service = open_service(settings)
    report = service.rebuild()
    if report.modified or report.rejected:
        _print_report(report, sys.stderr)
    _start_bot(settings, service)


@commands.command("sync-commands")
def sync_commands_command() -> None:
    """Register the slash commands with Discord now (normally done only when they change)."""
    settings = read_settings()
    if settings.discord_token is None:
        raise CliError("DISCORD_TOKEN is not set; see .env.example")
    from bot.runner import StartError, sync_commands

    try:
        sync_commands(settings, open_service(settings))
    except StartError as exc:
        raise CliError(str(exc)) from None
    scope = f"server {settings.guild_id}" if settings.guild_id else "all servers (may take up to an hour to show)"
    print(f"slash commands synced to {scope}")


@commands.command("index")
def index_command() -> None:
    """Build or update the index from the knowledge directory (only new or changed articles are embedded)."""
    service = open_service(read_settings())
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


@commands.command("add")
def add_command(urls: Annotated[list[str], typer.Argument(help="Links to news articles (http or https).")]) -> None:
    """Add articles by their links: fetch each page, extract its article, save it in the knowledge
    folder and index it. Exits 1 if any link was refused (each refusal is one line)."""
    from index.web.links import LinkError, add_link

    settings = read_settings()
    service = open_service(settings)
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


@commands.command()
def ask(
    questions: Annotated[list[str], typer.Argument(help="Questions; '-' reads one per line from standard input.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per question per line.")] = False,
    k: Annotated[int | None, typer.Option("-k", min=1, max=10, help="Most citations per answer.")] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Also the candidates scored, each signal, the thresholds and the rule.")
    ] = False,
) -> None:
    """Answer questions by quoting the indexed articles."""
    settings = read_settings()
    asked = _questions(questions)
    if not asked:
        raise CliError("no question given")
    service = open_service(settings, need_index=True)
    service.warm_up()  # the index and both models loaded side by side
    for n, question in enumerate(asked):
        result = (
            service.explain(question, k or settings.top_k) if explain else service.ask(question, k or settings.top_k)
        )
        if as_json:
            print(result.model_dump_json())
        else:
            text = render_explanation(result) if isinstance(result, Explanation) else render_plain(result)
            print(("\n" if n else "") + text)


@commands.command()
def sources(as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one per article.")] = False) -> None:
    """List the indexed articles."""
    settings = read_settings()
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


@commands.command()
def chat() -> None:
    """Chat in the console: one question per line, answers as they would be posted in Discord."""
    settings = read_settings()
    service = open_service(settings, need_index=True)
    service.warm_up()  # before the first prompt, so the first answer is not slow
    console_chat(service, settings.top_k)
