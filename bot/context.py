"""What the command modules need of the bot, as a small interface: they depend on this, not on
the client module that registers them (which would make the two import each other)."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

import discord
from discord import app_commands

from bot.feedback import FeedbackStore
from bot.settings import Settings
from index.answering.answer import Answer
from index.service import SearchService


class UserCooldowns:
    """At most one question per user per `per` seconds, shared by /ask, mentions and replies."""

    def __init__(self, per: float) -> None:
        self.per = per
        self._buckets: dict[int, app_commands.Cooldown] = {}

    def retry_after(self, user_id: int) -> float:
        """0 when the user may ask now (and counts this question), else seconds to wait."""
        if self.per <= 0:
            return 0.0
        now = time.monotonic()
        if len(self._buckets) > 10_000:  # forget users who have not asked for a while
            self._buckets = {u: c for u, c in self._buckets.items() if c.get_tokens(now) < c.rate}
        bucket = self._buckets.setdefault(user_id, app_commands.Cooldown(1, self.per))
        return bucket.update_rate_limit(now) or 0.0


class Bot(Protocol):
    settings: Settings
    service: SearchService
    feedback: FeedbackStore
    cooldowns: UserCooldowns
    reindexing: asyncio.Lock

    async def answer(self, question: str) -> Answer:
        """The answer to `question`, searched off the event loop."""
        ...

    async def remember(self, message_id: int, answer: Answer) -> None:
        """Note which message answered what, so votes on it can be recorded."""
        ...


def bot_of(interaction: discord.Interaction) -> Bot:
    return interaction.client  # type: ignore[return-value]
