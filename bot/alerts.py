"""Pact alerts on Discord: moderators subscribe channels (/alerts add, remove, list), the bot posts
each recorded pact event once to each channel that wants it, and anyone can read /digest.

Events are recorded by whichever process updates the index (index/pacts/pact_events.py); the bot looks
for new ones every PACTBOT_RELOAD_SECONDS (two file stats when nothing changed), claims them in
the posted log (index/pacts/pact_alerts.py) and sends them, paced to Discord's per-channel rate.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import logging
import time
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord import app_commands

from bot.alert_render import Outgoing, batch_messages, digest_pages
from bot.context import bot_of
from bot.embeds import NO_PINGS
from bot.errors import UserError
from bot.moderation import fit_report, moderators_only
from bot.pacts import country_choices
from bot.questions import Pager
from index.glossary import GLOSSARY_FILE, Glossary, GlossaryError, load_glossary
from index.pacts.countries import UnknownCountryError
from index.pacts.pact_alerts import AgreementNames, AlertBook, AlertError, country_code
from index.pacts.pact_events import PactEvent, events_book, load_events, select
from index.statefile import StateFileError
from index.text import counted

if TYPE_CHECKING:
    from bot.client import PactBot

log = logging.getLogger(__name__)

# Discord lets a bot send about 5 messages per 5 seconds to one channel; discord.py waits out a
# 429 when it gets one, and the poster keeps below the limit so that it does not get them.
SEND_WINDOW = 5.0
SENDS_PER_WINDOW = 5
RETRY_AFTER = 60.0  # seconds before a channel whose send failed for a passing reason is tried again
MAX_RETRY_AFTER = 1800.0
DIGEST_DAYS = 7

alerts = app_commands.Group(
    name="alerts",
    description="Moderators: post pact news (new agreements, members, status changes) in a channel.",
    default_permissions=discord.Permissions(manage_guild=True),
    guild_only=True,
)


def _book(interaction: discord.Interaction) -> AlertBook:
    return AlertBook(bot_of(interaction).settings.data_dir)


def _country(typed: str | None) -> str | None:
    try:
        return country_code(typed)
    except UnknownCountryError as exc:
        raise UserError(str(exc)) from None


def _channel_id(interaction: discord.Interaction, channel: discord.TextChannel | None) -> int:
    channel_id = channel.id if channel is not None else interaction.channel_id
    if channel_id is None:
        raise UserError("Choose the channel to post in.")
    return channel_id


@alerts.command(
    name="add", description="Post news of a country's or an agreement's pacts in a channel, as it is indexed."
)
@app_commands.describe(
    country="A country (name, code or capital): its new agreements, members, status changes",
    agreement="An agreement's name or acronym, e.g. Reciprocal Access Agreement, AUKUS",
    channel="Where to post (this channel if left out)",
)
@app_commands.autocomplete(country=country_choices)
@app_commands.check(moderators_only)
async def alerts_add(
    interaction: discord.Interaction,
    country: str | None = None,
    agreement: str | None = None,
    channel: discord.TextChannel | None = None,
) -> None:
    channel_id = _channel_id(interaction, channel)
    code = await asyncio.to_thread(_country, country)
    try:
        sub, resumed = await asyncio.to_thread(
            _book(interaction).add, channel_id, code, agreement, interaction.guild_id, str(interaction.user)
        )
    except AlertError as exc:
        raise UserError(f"Not added: {exc}.") from None
    log.info("%s subscribed channel %s to %s", interaction.user, channel_id, sub.what())
    again = "Resumed: " if resumed else ""
    await interaction.response.send_message(
        fit_report(
            f"{again}Pact events about {sub.what()} will be posted in <#{channel_id}> as they are indexed: new "
            "agreements, new members, status changes and dates, each with the sentence that reports it and its link."
        ),
        ephemeral=True,
    )


@alerts.command(name="remove", description="Stop posting pact news about a country or an agreement in a channel.")
@app_commands.describe(
    country="The country, as /alerts list shows it",
    agreement="The agreement, as /alerts list shows it",
    channel="The channel (this one if left out)",
)
@app_commands.autocomplete(country=country_choices)
@app_commands.check(moderators_only)
async def alerts_remove(
    interaction: discord.Interaction,
    country: str | None = None,
    agreement: str | None = None,
    channel: discord.TextChannel | None = None,
) -> None:
    channel_id = _channel_id(interaction, channel)
    code = await asyncio.to_thread(_country, country)
    try:
        sub = await asyncio.to_thread(_book(interaction).remove, channel_id, code, agreement)
    except AlertError as exc:
        raise UserError(f"Not removed: {exc}.") from None
    await interaction.response.send_message(
        fit_report(f"No longer posting pact events about {sub.what()} in <#{channel_id}>."), ephemeral=True
    )


@alerts.command(name="list", description="The pact alerts this server has, and where they are posted.")
@app_commands.check(moderators_only)
async def alerts_list(interaction: discord.Interaction) -> None:
    try:
        subs = await asyncio.to_thread(_book(interaction).subscriptions, interaction.guild_id)
    except StateFileError as exc:
        raise UserError(f"{exc}.") from None
    text = "\n".join(f"• {s.line()}" for s in subs) or "No pact alerts here; add one with /alerts add."
    await interaction.response.send_message(fit_report(text), ephemeral=True)


@app_commands.command(name="digest", description="The pact events of the last days, with the quotes behind them.")
@app_commands.describe(days="How many days back (7 if left out)", country="Only events this country is party to")
@app_commands.autocomplete(country=country_choices)
async def digest(
    interaction: discord.Interaction, days: app_commands.Range[int, 1, 3650] = DIGEST_DAYS, country: str | None = None
) -> None:
    # The name is checked before deferring, so a typo gets a private reply, not a public one.
    code = await asyncio.to_thread(_country, country)
    await interaction.response.defer(thinking=True)
    data_dir = bot_of(interaction).settings.data_dir

    def pages() -> list[discord.Embed]:
        today = dt.datetime.now(dt.UTC).date()
        chosen = select(load_events(data_dir), since=today - dt.timedelta(days=days), country=code)
        return digest_pages(chosen, days, code, today)

    try:
        found = await asyncio.to_thread(pages)
    except StateFileError as exc:
        raise UserError(f"{exc}.") from None
    if len(found) > 1:
        await interaction.followup.send(embed=found[0], view=Pager(found))
    else:
        await interaction.followup.send(embed=found[0])


class Poster:
    """Posts the recorded events to the channels subscribed to them, each once."""

    def __init__(self, bot: PactBot) -> None:
        self.bot = bot
        self.book = AlertBook(bot.settings.data_dir)
        self.events = events_book(bot.settings.data_dir)
        self._seen: object = None  # the files' signatures at the last pass
        self._sent: dict[int, collections.deque[float]] = {}  # per channel: monotonic times of recent sends
        self._retry_at: dict[int, float] = {}  # channels that failed for a passing reason: when to try again
        self._failures: collections.Counter[int] = collections.Counter()  # such failures in a row, per channel

    def _names(self) -> AgreementNames:
        try:
            glossary = load_glossary(self.bot.settings.knowledge_dir / GLOSSARY_FILE)
        except GlossaryError as exc:
            log.warning("alerts match agreement names without the glossary: %s", exc)
            glossary = Glossary()
        acronyms = self.bot.service.searcher.data.manifest.acronyms
        return AgreementNames(glossary, acronyms)

    def _claim(self) -> dict[int, list[PactEvent]]:
        events = load_events(self.bot.settings.data_dir)
        return self.book.claim(events, self._names(), resting=set(self._retry_at)) if events else {}

    async def run_once(self) -> int:
        """One pass: claim what is due and send it. Returns the number of events posted."""
        now = time.monotonic()
        due = [c for c, at in self._retry_at.items() if at <= now]
        signature = (self.events.signature(), self.book.signature())
        if signature == self._seen and not due:
            return 0
        self._seen = signature
        for channel_id in due:
            del self._retry_at[channel_id]
        batches = await asyncio.to_thread(self._claim)
        posted = await asyncio.gather(*(self._send_batch(c, b) for c, b in batches.items()))
        return sum(posted)

    async def _pace(self, channel_id: int) -> None:
        """Wait until a send to the channel keeps within SENDS_PER_WINDOW per SEND_WINDOW, counted
        from when earlier sends were answered (a send retried after a 429 arrives late)."""
        sent = self._sent.setdefault(channel_id, collections.deque(maxlen=SENDS_PER_WINDOW))
        if len(sent) == SENDS_PER_WINDOW:
            wait = sent[0] + SEND_WINDOW - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)

    async def _send_batch(self, channel_id: int, events: list[PactEvent]) -> int:
        pending = collections.deque(batch_messages(events))
        in_flight = False  # a send has begun and not returned: Discord may have the message
        posted = 0
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                raise TypeError(f"channel {channel_id} cannot take messages")
            while pending:
                message = pending[0]
                await self._pace(channel_id)
                in_flight = True
                await channel.send(content=message.content, embeds=message.embeds, allowed_mentions=NO_PINGS)
                in_flight = False
                self._sent[channel_id].append(time.monotonic())
                pending.popleft()
                posted += len(message.event_ids)
        except (discord.Forbidden, discord.NotFound, TypeError) as exc:
            await self._give_back(channel_id, pending)
            await self._lost(channel_id, exc)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            await self._give_back(channel_id, pending)
            wait = min(RETRY_AFTER * 2 ** self._failures[channel_id], MAX_RETRY_AFTER)
            self._failures[channel_id] += 1
            self._retry_at[channel_id] = time.monotonic() + wait
            log.warning("alerts to channel %s failed (%s); trying again in %.0f s", channel_id, exc, wait)
        except asyncio.CancelledError:
            # Shutting down: messages not begun are given back; one in flight may have reached
            # Discord, so it stays claimed (never twice rather than surely once).
            if in_flight:
                pending.popleft()
            self.book.unclaim(channel_id, [i for m in pending for i in m.event_ids])
            raise
        else:
            self._failures.pop(channel_id, None)
        if posted:
            log.info("posted %s to channel %s", counted(posted, "pact event"), channel_id)
        return posted

    async def _give_back(self, channel_id: int, pending: collections.deque[Outgoing]) -> None:
        await asyncio.to_thread(self.book.unclaim, channel_id, [i for m in pending for i in m.event_ids])

    async def _lost(self, channel_id: int, exc: Exception) -> None:
        """The channel is gone or closed to the bot: pause its alerts and say so, once."""
        reason = f"I can no longer post there ({exc})"
        log.warning("alerts to channel %s paused: %s", channel_id, reason)
        if not await asyncio.to_thread(self.book.pause, channel_id, reason):
            return  # paused already, by this process or another: reported then
        log_channel = self.bot.settings.log_channel_id
        if log_channel is None or log_channel == channel_id:
            return
        text = (
            f"Pact alerts to <#{channel_id}> are paused: {reason}. Give me View Channel, Send Messages and "
            "Embed Links there, then add the alerts again with /alerts add (or remove them)."
        )
        try:
            target = self.bot.get_channel(log_channel) or await self.bot.fetch_channel(log_channel)
            if isinstance(target, discord.abc.Messageable):
                await target.send(fit_report(text), allowed_mentions=NO_PINGS)
        except discord.HTTPException as report_exc:
            log.warning("could not report the paused alerts to the log channel %s: %s", log_channel, report_exc)


async def post_forever(bot: PactBot) -> None:
    """Post new events while the bot runs, looking every PACTBOT_RELOAD_SECONDS."""
    await bot.wait_until_ready()
    poster = Poster(bot)
    while not bot.is_closed():
        try:
            await poster.run_once()
        except StateFileError as exc:  # a damaged file: said once per change of it
            log.error("pact alerts: %s", exc)
        except Exception:
            log.exception("posting pact alerts failed")
        await asyncio.sleep(bot.settings.reload_seconds)


COMMANDS: tuple[app_commands.Group | app_commands.Command[Any, ..., None], ...] = (alerts, digest)
