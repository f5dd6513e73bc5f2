"""Moderator commands to follow news feeds (/feeds add, remove, list), and the bot's poll loop
that posts each poll's report. The feeds themselves live in the retrieval layer (index/web/feeds.py);
this module only turns commands into calls and reports into messages."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.context import bot_of
from bot.errors import UserError
from bot.moderation import fit_report, moderators_only
from index.web.feeds import FeedBook, FeedError, PollReport, poll_feeds

if TYPE_CHECKING:
    from bot.client import PactBot

log = logging.getLogger(__name__)

feeds = app_commands.Group(
    name="feeds",
    description="Moderators: follow news feeds; their new articles are indexed by themselves.",
    default_permissions=discord.Permissions(manage_guild=True),
    guild_only=True,
)


def _book(interaction: discord.Interaction) -> FeedBook:
    return FeedBook(bot_of(interaction).settings.data_dir)


@feeds.command(name="add", description="Follow an RSS or Atom feed; its newest few items are taken at the next poll.")
@app_commands.describe(url="The feed's link (http or https)", channel="Where its reports go (else the log channel)")
@app_commands.check(moderators_only)
async def feeds_add(interaction: discord.Interaction, url: str, channel: discord.TextChannel | None = None) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    bot = bot_of(interaction)
    channel_id = channel.id if channel is not None else None
    try:
        feed = await asyncio.to_thread(_book(interaction).add, url, channel_id, bot.settings.fetch_limits)
    except FeedError as exc:
        raise UserError(f"Not followed: {exc}.") from None
    log.info("%s followed feed %s", interaction.user, feed.url)
    where = f"<#{channel_id}>" if channel_id else "the log channel"
    minutes = f"{bot.settings.feed_interval_minutes:g}"
    title = f" ({feed.title})" if feed.title else ""
    await interaction.followup.send(
        fit_report(f"Following <{feed.url}>{title}. It is polled every {minutes} minutes; reports go to {where}."),
        ephemeral=True,
    )


@feeds.command(name="remove", description="Stop following a feed (the articles it brought stay indexed).")
@app_commands.describe(url="The feed's link, as /feeds list shows it")
@app_commands.check(moderators_only)
async def feeds_remove(interaction: discord.Interaction, url: str) -> None:
    try:
        feed = await asyncio.to_thread(_book(interaction).remove, url)
    except FeedError as exc:
        raise UserError(f"{exc}.") from None
    await interaction.response.send_message(fit_report(f"No longer following <{feed.url}>."), ephemeral=True)


@feeds.command(name="list", description="The feeds followed, and how each is doing.")
@app_commands.check(moderators_only)
async def feeds_list(interaction: discord.Interaction) -> None:
    try:
        followed = await asyncio.to_thread(_book(interaction).feeds)
    except FeedError as exc:
        raise UserError(f"{exc}.") from None
    text = "\n".join(f"• {f.line()}" for f in followed) or "No feeds followed; add one with /feeds add."
    await interaction.response.send_message(fit_report(text), ephemeral=True)


async def post_report(bot: PactBot, report: PollReport) -> None:
    """Post a poll's report to its feed's channel, else the log channel; always log it."""
    log.info("feed poll: %s", report.text().replace("\n", " | "))
    channel_id = report.channel_id or bot.settings.log_channel_id
    if not report.worth_posting or channel_id is None:
        return
    try:
        channel = bot.get_channel(channel_id) or await bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise TypeError(f"channel {channel_id} cannot take messages")
        await channel.send(fit_report(report.text()))
    except (discord.HTTPException, TypeError) as exc:  # a deleted channel or lost permission: logged
        log.warning("could not post the report of feed %s to channel %s: %s", report.feed, channel_id, exc)


async def poll_once(bot: PactBot) -> list[PollReport]:
    """One poll of every due feed, off the event loop, under the bot's reindex lock (items are
    indexed one by one; questions are answered meanwhile). Reports are posted as they come."""
    loop = asyncio.get_running_loop()
    posting: list[Future[None]] = []

    def on_report(report: PollReport) -> None:  # in the poll's thread
        posting.append(asyncio.run_coroutine_threadsafe(post_report(bot, report), loop))

    async with bot.reindexing:
        reports = await asyncio.to_thread(
            poll_feeds,
            bot.service,
            FeedBook(bot.settings.data_dir),
            bot.settings.fetch_limits,
            interval=bot.settings.feed_interval,
            on_report=on_report,
        )
    await asyncio.gather(*map(asyncio.wrap_future, posting))
    return reports


async def poll_forever(bot: PactBot) -> None:
    """Poll every PACTBOT_FEED_INTERVAL_MINUTES while the bot runs; a failed poll is logged and
    the next one comes on time."""
    while not bot.is_closed():
        await asyncio.sleep(bot.settings.feed_interval_minutes * 60)
        try:
            await poll_once(bot)
        except FeedError as exc:  # another poll (the CLI) is running, or the state file is damaged
            log.warning("feed poll skipped: %s", exc)
        except Exception:
            log.exception("feed poll failed")


COMMANDS: tuple[app_commands.Group, ...] = (feeds,)
