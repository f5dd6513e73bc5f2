"""A country's agreements, the pact map and the pact events."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import CliError, open_service, read_settings
from bot.render import render_agreements
from index.pacts.countries import UnknownCountryError, name_of, resolve
from index.text import counted

# Registered on the `pactbot` app by bot/cli/__init__.py.
commands = typer.Typer()


@commands.command()
def agreements(
    country: Annotated[str, typer.Argument(help="A country: name, code, short form, demonym or capital.")],
    partner: Annotated[str | None, typer.Option("--partner", "-p", help="Only agreements with this country.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """A country's agreements found in the articles, by partner, each with the quotes behind it."""
    settings = read_settings()
    service = open_service(settings, need_index=True)
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


@commands.command("map")
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

    settings = read_settings()
    service = open_service(settings, need_index=True)
    try:
        focus, found = service.pact_map(country)
    except UnknownCountryError as exc:
        print(f"pactbot: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    names = {code: name_of(code) for code in {c for a in found for c in a.parties} | ({focus} if focus else set())}
    nodes = draw_pact_map(found, names, out, focus=focus)
    print(f"wrote {out.resolve()}: {counted(len(nodes), 'country', 'countries')}, {counted(len(found), 'agreement')}")


@commands.command("events")
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

    from index.pacts.pact_events import load_events, newest_first, select
    from index.statefile import StateFileError

    settings = read_settings()
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
