"""`pactbot`: build the index, ask questions, list sources, chat, evaluate; the bot's entry point.

One module per command group: `serving` (the main job, run, index, add, ask, sources, chat),
`evaluation` (eval, fit, train), `pacts` (agreements, map, events), and the `feeds` and `alerts`
sub-commands; `common` holds what they share. The app is assembled here, in the order
`pactbot --help` lists the commands. May import `bot` and `index`; nothing in `bot` outside this
package imports it.
"""

from __future__ import annotations

import sys

import typer

from bot.cli import alerts, evaluation, feeds, pacts, serving
from bot.cli.common import CliError
from index.answering.evaluate import EvalError
from index.glossary import GlossaryError
from index.ingest.articles import ArticleError
from index.storage.store import StoreError

app = typer.Typer(
    help="Pactbot: answers questions about defence pacts by quoting news articles, with citations.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.callback(invoke_without_command=True)(serving.main_job)
for group in (serving, evaluation, pacts):
    app.registered_commands += group.commands.registered_commands
app.add_typer(feeds.feeds_app, name="feeds")
app.add_typer(alerts.alerts_app, name="alerts")

__all__ = ["CliError", "app", "main"]


def main() -> None:
    try:
        app()
    except (CliError, StoreError, GlossaryError, ArticleError, EvalError, FileNotFoundError) as exc:
        print(f"pactbot: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
