"""👍/👎 under every answer; votes kept as JSON lines in the data directory for quality work."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import secrets
import threading
from collections import OrderedDict
from functools import cached_property
from pathlib import Path
from typing import Literal

import discord
from pydantic import BaseModel

from index.answering.answer import Answer

log = logging.getLogger(__name__)

Vote = Literal["up", "down"]


class AnsweredQuestion(BaseModel):
    """What a vote refers to: the question and the passages cited for it."""

    message_id: int
    question: str
    passages: list[str]  # "article_id#paragraph"
    abstained: bool


class FeedbackStore:
    """Remembers which message answered what, and appends votes to `votes.jsonl`.

    User ids are stored as salted SHA-256 hashes: enough to tell repeat votes apart, not to
    identify anyone. The salt is made once per data directory.
    """

    def __init__(self, data_dir: Path, remember: int = 10_000) -> None:
        self.answers_path = data_dir / "answers.jsonl"
        self.votes_path = data_dir / "votes.jsonl"
        self._salt_path = data_dir / "vote-salt"
        self._recent: OrderedDict[int, AnsweredQuestion] = OrderedDict()
        self._remember = remember
        self._lock = threading.Lock()
        data_dir.mkdir(parents=True, exist_ok=True)

    @cached_property
    def _salt(self) -> bytes:
        if not self._salt_path.exists():
            self._salt_path.write_text(secrets.token_hex(16), encoding="utf-8")
        return self._salt_path.read_text(encoding="utf-8").strip().encode()

    def _append(self, path: Path, line: str) -> None:
        with self._lock, path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    def answered(self, message_id: int, answer: Answer) -> None:
        record = AnsweredQuestion(
            message_id=message_id,
            question=answer.question,
            passages=[f"{c.article_id}#{c.paragraph}" for c in answer.citations],
            abstained=answer.abstained,
        )
        self._recent[message_id] = record
        while len(self._recent) > self._remember:
            self._recent.popitem(last=False)
        self._append(self.answers_path, record.model_dump_json())

    def find(self, message_id: int) -> AnsweredQuestion | None:
        if message_id in self._recent:
            return self._recent[message_id]
        if not self.answers_path.exists():
            return None
        # An answer from before a restart: the log has it.
        with self.answers_path.open(encoding="utf-8") as lines:
            for line in lines:
                if f'"message_id":{message_id},' in line:
                    return AnsweredQuestion.model_validate_json(line)
        return None

    def vote(self, answered: AnsweredQuestion, vote: Vote, user_id: int) -> None:
        user = hashlib.sha256(self._salt + str(user_id).encode()).hexdigest()
        record = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "vote": vote,
            "user": user,
            "question": answered.question,
            "passages": answered.passages,
            "message_id": answered.message_id,
        }
        self._append(self.votes_path, json.dumps(record, ensure_ascii=False))


class FeedbackView(discord.ui.View):
    """The vote buttons. Persistent (fixed custom ids, no timeout): they work after a restart."""

    def __init__(self, store: FeedbackStore) -> None:
        super().__init__(timeout=None)
        self.store = store

    async def _record(self, interaction: discord.Interaction, vote: Vote) -> None:
        recorded = await asyncio.to_thread(self._store_vote, interaction, vote)
        if not recorded:
            text = "I no longer remember this answer, so I cannot record the vote."
        else:
            text = "Thanks, your vote was recorded." if vote == "up" else "Thanks, noted: this answer missed."
        await interaction.response.send_message(text, ephemeral=True)

    def _store_vote(self, interaction: discord.Interaction, vote: Vote) -> bool:
        answered = self.store.find(interaction.message.id) if interaction.message else None
        if answered is not None:
            self.store.vote(answered, vote, interaction.user.id)
        return answered is not None

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.secondary, custom_id="pactbot:vote:up")
    async def up(self, interaction: discord.Interaction, button: discord.ui.Button[FeedbackView]) -> None:
        await self._record(interaction, "up")

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary, custom_id="pactbot:vote:down")
    async def down(self, interaction: discord.Interaction, button: discord.ui.Button[FeedbackView]) -> None:
        await self._record(interaction, "down")
