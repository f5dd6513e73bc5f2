"""Country lookups for everyone: /agreements and /pactmap, with country autocomplete."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.utils import escape_markdown

from bot.context import bot_of
from bot.embeds import ANSWER_COLOUR, DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT, FIELD_VALUE_LIMIT
from bot.errors import UserError
from bot.render import source_line
from index.citation import Citation, quoted
from index.pacts.agreements import Agreement, AgreementsAnswer, TimelineEntry, partner_names, status_label
from index.pacts.countries import UnknownCountryError, name_of, resolve
from index.text import clip, counted

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


def _status(agreement: Agreement) -> str:
    return (
        f"**{escape_markdown(agreement.name)}**: {status_label(agreement.status)} ({agreement.dated}) "
        f"· {agreement.evidence}"
    )


def _step(step: TimelineEntry) -> str:
    return f"**{step.dated}** {escape_markdown(step.name)}: {status_label(step.status)}"


def _quote(c: Citation) -> list[str]:
    return [
        f"> {quoted(escape_markdown(clip(c.quote, 300)))}",
        f"> — {escape_markdown(source_line(c).split('] ', 1)[1])}",
    ]


def _whole_lines(blocks: list[list[str]], limit: int) -> str:
    """Blocks of lines up to `limit` characters; a quote is never separated from its source."""
    text = ""
    for shown, block in enumerate(blocks):
        piece = "\n".join(block)
        if len(text) + len(piece) + 40 > limit:
            return text + f"\n…and {len(blocks) - shown} more."
        text += ("\n" if text else "") + piece
    return text


def agreements_embed(result: AgreementsAnswer) -> discord.Embed:
    """By partner, each agreement with its latest quote; for a pair, its timeline of quotes."""
    country = result.country
    title = f"Agreements of {country.name}" + (f" with {result.partner.name}" if result.partner else "")
    embed = discord.Embed(title=clip(title, 256), colour=ANSWER_COLOUR)
    if not result.agreements:
        embed.description = "No agreements of this kind were found in the indexed articles."
        return embed
    if result.partner:
        summary = [[_status(a)] for a in result.agreements]
        steps = [[_step(s), *_quote(s.citation)] for s in result.timeline]
        embed.description = _whole_lines([*summary, ["", "**Timeline**"], *steps], DESCRIPTION_LIMIT)
        return embed
    by_partner: dict[str, list[list[str]]] = {}
    for agreement in result.agreements:
        by_partner.setdefault(partner_names(agreement, country.iso3), []).append(
            [_status(agreement), *_quote(agreement.citations[-1])]
        )
    for shown, (partners, blocks) in enumerate(by_partner.items()):
        value = _whole_lines(blocks, FIELD_VALUE_LIMIT)
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
    # Names are checked before deferring, so a typo gets a private reply, not a public one.
    await asyncio.to_thread(_explained, lambda: [resolve(name) for name in (country, partner) if name])
    await interaction.response.defer(thinking=True)
    service = bot_of(interaction).service
    result = await asyncio.to_thread(_explained, lambda: service.agreements(country, partner))
    await interaction.followup.send(embed=agreements_embed(result))


@app_commands.command(name="pactmap", description="A map of agreements: countries linked by pacts, coloured by status.")
@app_commands.describe(country="Centre the map on this country (all countries if left out)")
@app_commands.autocomplete(country=country_choices)
async def pactmap(interaction: discord.Interaction, country: str | None = None) -> None:
    if country:
        await asyncio.to_thread(_explained, lambda: resolve(country))
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
        content=f"{counted(count, 'agreement')}{where}. Use `/agreements` for the quotes behind them.",
        file=discord.File(io.BytesIO(png), filename="pactmap.png"),
    )


COMMANDS: tuple[app_commands.Command[Any, ..., None], ...] = (agreements, pactmap)
