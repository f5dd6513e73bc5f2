"""The Discord client: start-up, deliberate command sync, and questions asked in channels."""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import discord
from discord import app_commands

from bot import alerts, feeds, moderation, pacts, questions
from bot.context import UserCooldowns
from bot.embeds import NO_PINGS
from bot.errors import reply_error
from bot.feedback import FeedbackStore, FeedbackView
from bot.settings import Settings
from bot.sync import sync_if_changed
from index.answering.answer import Answer
from index.pacts.countries import resolve
from index.service import SearchService
from index.text import counted

log = logging.getLogger(__name__)

HELP = "Ask me about defence pacts: mention me with a question, or use `/ask`."
# Without the Message Content intent Discord sends a reply's text only when it mentions the bot.
ASKERS = 32  # questions searched at once
UNREADABLE_REPLY = "I cannot read replies that do not mention me: keep the @mention on when you reply to follow up."


class PactBot(discord.Client):
    def __init__(self, settings: Settings, service: SearchService, force_sync: bool = False, **options: Any) -> None:
        # discord.py warns at every start that voice needs PyNaCl and davey; Pactbot never speaks.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        intents = discord.Intents.default()
        # Message content is privileged; it is needed only to read every message in the
        # question channels. Mentions of the bot carry their content without it.
        intents.message_content = bool(settings.channel_ids)
        super().__init__(intents=intents, allowed_mentions=NO_PINGS, **options)
        self.settings = settings
        self.service = service
        self.force_sync = force_sync
        self.tree = app_commands.CommandTree(self)
        self.tree.error(reply_error)
        self.feedback = FeedbackStore(settings.data_dir)
        self.cooldowns = UserCooldowns(settings.cooldown_seconds)
        self.reindexing = asyncio.Lock()
        # Questions asked at once share the model's next call (index/models/batching.py), so they get
        # threads of their own: the default pool's six would let at most six share one.
        self._askers = ThreadPoolExecutor(max_workers=ASKERS, thread_name_prefix="pactbot-ask")
        self.synced: bool | None = None  # whether this start registered the slash commands
        self._announced = False

    async def setup_hook(self) -> None:
        # Runs once per process, before the gateway connects: reconnects do not come here.
        for command in (*questions.COMMANDS, *pacts.COMMANDS, *moderation.COMMANDS):
            self.tree.add_command(command)
        for group in (*feeds.COMMANDS, *alerts.COMMANDS):
            self.tree.add_command(group)
        self.add_view(FeedbackView(self.feedback))
        await asyncio.to_thread(resolve, "Japan")  # loads the country tables now, not on a first lookup
        self.synced = await sync_if_changed(self.tree, self.settings, force=self.force_sync)
        self.loop.create_task(self._follow_index(), name="pactbot-follow-index")
        self.loop.create_task(feeds.poll_forever(self), name="pactbot-poll-feeds")
        self.loop.create_task(alerts.post_forever(self), name="pactbot-post-alerts")

    async def _follow_index(self) -> None:
        """Serve a version that another process (`pactbot index`, another bot process) published:
        looked for every few seconds and loaded off the event loop, while questions go on being
        answered from the version being served."""
        while not self.is_closed():
            await asyncio.sleep(self.settings.reload_seconds)
            try:
                await asyncio.to_thread(self.service.refresh)
            except Exception:  # a damaged new version: keep serving this one, say why, look again later
                log.exception("could not load the newly published index version")

    def startup_line(self) -> str:
        """What a good start looks like, in one line."""
        manifest = self.service.searcher.data.manifest
        shards = f" ({counted(len(self.shards), 'shard')})" if isinstance(self, discord.AutoShardedClient) else ""
        commands = {True: "slash commands synced", False: "slash commands unchanged", None: "slash commands not synced"}
        return (
            f"Pactbot connected as {self.user} to {counted(len(self.guilds), 'server')}{shards}; index version "
            f"{manifest.version} ({counted(len(manifest.articles), 'article')}, "
            f"{counted(manifest.passage_count, 'passage')}); {commands[self.synced]}"
        )

    async def on_ready(self) -> None:
        # READY comes again after a reconnect that could not resume: the start is said once.
        if not self._announced:
            self._announced = True
            print(self.startup_line(), file=sys.stdout, flush=True)
        log.info("connected as %s to %d servers", self.user, len(self.guilds))

    async def answer(self, question: str) -> Answer:
        """Search off the event loop: encoding and ranking take milliseconds of CPU each."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._askers, self.service.ask, question, self.settings.top_k)

    async def close(self) -> None:
        await super().close()
        self._askers.shutdown(wait=False, cancel_futures=True)

    async def remember(self, message_id: int, answer: Answer) -> None:
        """Note which message answered what, so votes on it can be recorded."""
        await asyncio.to_thread(self.feedback.answered, message_id, answer)

    async def send_answer(self, answer: Answer, message: discord.Message) -> None:
        reply = await message.reply(**questions.answer_message(self, answer))
        await self.remember(reply.id, answer)

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user is None:
            return
        earlier = await self._earlier_question(message)
        addressed = (
            self.user in message.mentions or earlier is not None or message.channel.id in self.settings.channel_ids
        )
        if not addressed:
            return
        text = re.sub(rf"<@!?{self.user.id}>", "", message.content).strip()
        if not text:
            unreadable = not self.intents.message_content and self.user not in message.mentions
            await message.reply(UNREADABLE_REPLY if unreadable else HELP, allowed_mentions=NO_PINGS)
            return
        wait = self.cooldowns.retry_after(message.author.id)
        if wait:
            await message.reply(f"You are asking quickly: try again in {wait:.0f} s.", allowed_mentions=NO_PINGS)
            return
        # A reply to one of my answers is a follow-up: the earlier question gives it context
        # ("and with the Philippines?").
        question = f"{earlier} — {text}" if earlier else text
        try:
            await message.channel.typing()  # shows for 10 s or until the reply: long enough
        except discord.HTTPException as exc:  # only an indicator: answer all the same
            log.warning("could not show the typing indicator: %s", exc)
        answer = await self.answer(question)
        await self.send_answer(answer, message)

    async def _earlier_question(self, message: discord.Message) -> str | None:
        """The question of the answer `message` replies to, when it replies to one of mine."""
        if message.reference is None or message.reference.message_id is None:
            return None
        replied = message.reference.resolved
        if not isinstance(replied, discord.Message):
            try:
                replied = await message.channel.fetch_message(message.reference.message_id)
            except discord.HTTPException:
                return None
        if replied.author != self.user or not replied.embeds:
            return None
        return replied.embeds[0].title or None


class ShardedPactBot(PactBot, discord.AutoShardedClient):
    """The same bot over discord.py's sharding: the shards this process runs share one model,
    one index and one question batcher (PACTBOT_SHARD_COUNT, PACTBOT_SHARD_IDS)."""
