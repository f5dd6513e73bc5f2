"""Country lookups for everyone: /agreements and /pactmap, with country autocomplete."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.utils import escape_markdown

from bot.embeds import ANSWER_COLOUR, EMBED_TOTAL_LIMIT, FIELD_VALUE_LIMIT, clip
from bot.errors import UserError
from bot.questions import bot_of
from bot.render import source_line
from index.agreements import Agreement, AgreementsAnswer, partner_names
from index.countries import UnknownCountryError, name_of

T = TypeVar("T")
MAX_FIELDS = 25
MAX_CHOICES = 25  # Discord's limit for autocomplete


async def country_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Countries that are party to an indexed agreement, matching what has been typed so far."""
    typed = current.strip().lower()
    countries = bot_of(interaction).service.countries()
    starts = [c for c in countries if c.name.lower().startswith(typed)]
    contains = [c for c in countries if typed in c.name.lower() and c not in starts]
    return [app_commands.Choice(name=c.name, value=c.name) for c in (starts + contains)[:MAX_CHOICES]]


def _agreement_lines(agreement: Agreement, timeline: bool) -> list[str]:
    date = agreement.date.isoformat() if agreement.date else "undated"
    head = f"**{escape_markdown(agreement.name)}**: {agreement.status or 'status unclear'} ({date})"
    citations = agreement.citations if timeline else agreement.citations[-1:]
    lines = [head]
    for c in citations:
        when = f"{c.published.isoformat()}: " if timeline and c.published else ""
        lines.append(f"> {when}“{escape_markdown(clip(c.quote, 300))}”")
        lines.append(f"> — {escape_markdown(source_line(c).split('] ', 1)[1])}")
    return lines


def _field_value(lines: list[str]) -> str:
    """Whole lines up to Discord's field limit: a quote is never separated from its source."""
    value = ""
    for line in lines:
        if len(value) + len(line) + 1 > FIELD_VALUE_LIMIT - 20:
            return value + "\n…"
        value += ("\n" if value else "") + line
    return value


def agreements_embed(result: AgreementsAnswer) -> discord.Embed:
    country = result.country
    title = f"Agreements of {country.name}" + (f" with {result.partner.name}" if result.partner else "")
    embed = discord.Embed(title=clip(title, 256), colour=ANSWER_COLOUR)
    if not result.agreements:
        embed.description = "No agreements of this kind were found in the indexed articles."
        return embed
    by_partner: dict[str, list[str]] = {}
    for agreement in result.agreements:
        partners = partner_names(agreement, country.iso3)
        by_partner.setdefault(partners, []).extend(_agreement_lines(agreement, timeline=result.partner is not None))
    for shown, (partners, lines) in enumerate(by_partner.items()):
        value = _field_value(lines)
        if shown == MAX_FIELDS - 1 or len(embed) + len(partners) + len(value) > EMBED_TOTAL_LIMIT - 200:
            embed.set_footer(text=f"…and {len(by_partner) - shown} more partners: choose one with the partner option.")
            break
        embed.add_field(name=clip(partners, 256), value=value, inline=False)
    return embed


def _explained(call: Callable[[], T]) -> T:
    """Run a country lookup; a name that is no country becomes a message for the user."""
    try:
        return call()
    except UnknownCountryError as exc:
        raise UserError(str(exc)) from None


@app_commands.command(name="agreements", description="A country's defence agreements, with the quotes behind them.")
@app_commands.describe(country="A country (name, code or capital)", partner="Only agreements with this country")
@app_commands.autocomplete(country=country_choices, partner=country_choices)
async def agreements(interaction: discord.Interaction, country: str, partner: str | None = None) -> None:
    await interaction.response.defer(thinking=True)
    service = bot_of(interaction).service
    result = await asyncio.to_thread(_explained, lambda: service.agreements(country, partner))
    await interaction.followup.send(embed=agreements_embed(result))


@app_commands.command(name="pactmap", description="A map of agreements: countries linked by pacts, coloured by status.")
@app_commands.describe(country="Centre the map on this country (all countries if left out)")
@app_commands.autocomplete(country=country_choices)
async def pactmap(interaction: discord.Interaction, country: str | None = None) -> None:
    await interaction.response.defer(thinking=True)
    service = bot_of(interaction).service

    def draw() -> tuple[bytes, int, str | None]:
        from bot.pactmap import draw_pact_map  # matplotlib: imported when first needed

        focus, found = service.pact_map(country)
        image = io.BytesIO()
        codes = {code for a in found for code in a.parties} | ({focus} if focus else set())
        names = {code: name_of(code) for code in codes}
        draw_pact_map(found, names, image, focus=focus)
        return image.getvalue(), len(found), focus

    png, count, focus = await asyncio.to_thread(_explained, draw)
    where = f" around {name_of(focus)}" if focus else ""
    await interaction.followup.send(
        content=f"{count} agreements{where}. Use `/agreements` for the quotes behind them.",
        file=discord.File(io.BytesIO(png), filename="pactmap.png"),
    )


COMMANDS: tuple[app_commands.Command[Any, ..., None], ...] = (agreements, pactmap)
