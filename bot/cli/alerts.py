"""`pactbot alerts`: the Discord channels pact events are posted in."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Annotated

import typer

from bot.cli.common import CliError, read_settings
from bot.settings import Settings
from index.pacts.countries import UnknownCountryError

alerts_app = typer.Typer(help="Pact alerts: which Discord channels the bot posts pact events in.")


@contextlib.contextmanager
def _alert_errors() -> Iterator[None]:
    from index.pacts.pact_alerts import AlertError
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
    from index.pacts.pact_alerts import AlertBook, country_code

    settings = read_settings()
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
    from index.pacts.pact_alerts import AlertBook, country_code

    settings = read_settings()
    with _alert_errors():
        sub = AlertBook(settings.data_dir).remove(_alert_channel(channel, settings), country_code(country), agreement)
    print(f"removed: {sub.line()}")


@alerts_app.command("list")
def alerts_list(as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one per alert.")] = False) -> None:
    """Every channel's pact alerts, with any that are paused and why."""
    from index.pacts.pact_alerts import AlertBook

    with _alert_errors():
        subs = AlertBook(read_settings().data_dir).subscriptions()
    for sub in subs:
        print(sub.model_dump_json() if as_json else sub.line())
    if not subs and not as_json:
        print("no pact alerts; add one with `pactbot alerts add --country C --channel ID`")
