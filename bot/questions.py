"""Slash commands for everyone: /ask, /sources, /about."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.context import Bot, bot_of
from bot.embeds import NO_PINGS, about_embed, answer_embed, sources_pages
from bot.feedback import FeedbackView
from index.answering.answer import Answer

log = logging.getLogger(__name__)

# Interaction token expired (50027) or its webhook unknown (10015): the answer goes to the channel.
EXPIRED = {50027, 10015}
ALREADY_ACKNOWLEDGED = 40060


def answer_message(bot: Bot, answer: Answer) -> dict[str, Any]:
    """What every answer is sent with, wherever it goes: its embed, the vote buttons, and no
    pings (a quote may contain @everyone)."""
    return {"embed": answer_embed(answer), "view": FeedbackView(bot.feedback), "allowed_mentions": NO_PINGS}


async def one_question_at_a_time(interaction: discord.Interaction) -> bool:
    wait = bot_of(interaction).cooldowns.retry_after(interaction.user.id)
    if wait:
        raise app_commands.CommandOnCooldown(app_commands.Cooldown(1, wait), wait)
    return True


@app_commands.command(name="ask", description="Ask about defence pacts; I answer with quotes from news articles.")
@app_commands.describe(question="Your question, in plain English", private="Show the answer only to you")
@app_commands.check(one_question_at_a_time)
async def ask(
    interaction: discord.Interaction, question: app_commands.Range[str, 2, 300], private: bool = False
) -> None:
    try:
        await interaction.response.defer(ephemeral=private, thinking=True)
    except discord.HTTPException as exc:
        if exc.code != ALREADY_ACKNOWLEDGED:
            raise
        # Discord carried out the deferral but answered with a 5xx; discord.py's retry then got
        # 40060. The "thinking" message is there to fill in.
        log.warning("the deferral was acknowledged despite an error; answering it all the same")
    bot = bot_of(interaction)
    answer = await bot.answer(question)
    reply = answer_message(bot, answer)
    try:
        message: discord.Message = await interaction.edit_original_response(**reply)
    except discord.HTTPException as exc:
        if exc.code not in EXPIRED or private or not isinstance(interaction.channel, discord.abc.Messageable):
            raise
        # Too late to answer the interaction itself (Discord allows 15 minutes): post instead.
        log.warning("interaction token expired; answering in the channel instead")
        message = await interaction.channel.send(**reply)
    await bot.remember(message.id, answer)


class Pager(discord.ui.View):
    """◀ ▶ buttons over a list of embeds."""

    def __init__(self, pages: list[discord.Embed]) -> None:
        super().__init__(timeout=600)
        self.pages = pages
        self.page = 0

    async def _show(self, interaction: discord.Interaction, step: int) -> None:
        self.page = (self.page + step) % len(self.pages)
        await interaction.response.edit_message(embed=self.pages[self.page], view=self)

    @discord.ui.button(emoji="◀", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
        await self._show(interaction, -1)

    @discord.ui.button(emoji="▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
        await self._show(interaction, 1)


@app_commands.command(name="sources", description="List the articles I quote from.")
async def sources(interaction: discord.Interaction) -> None:
    await interaction.response.defer(ephemeral=True)
    pages = sources_pages(bot_of(interaction).service.searcher.data.manifest)
    if len(pages) > 1:
        await interaction.followup.send(embed=pages[0], view=Pager(pages), ephemeral=True)
    else:
        await interaction.followup.send(embed=pages[0], ephemeral=True)


@app_commands.command(name="about", description="What Pactbot is, and how much it has read.")
async def about(interaction: discord.Interaction) -> None:
    await interaction.response.defer(ephemeral=True)
    await interaction.followup.send(
        embed=about_embed(bot_of(interaction).service.searcher.data.manifest), ephemeral=True
    )


COMMANDS: tuple[app_commands.Command[Any, ..., None], ...] = (ask, sources, about)
