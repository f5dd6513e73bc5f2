"""Helpers for the tests that run Pactbot against the fake Discord."""

from __future__ import annotations

from pathlib import Path

from bot.settings import Settings
from tests.bot.fake_discord import FakeDiscord

ANSWER_TIMEOUT = 30.0  # generous: the machines are shared; speed is measured in benchmarks


def settings_for(fake: FakeDiscord, knowledge: Path, data: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "DISCORD_TOKEN": fake.token,
        "knowledge_dir": knowledge,
        "data_dir": data,
        "guild_id": fake.guild_id,
        "moderator_role_ids": [fake.role("Moderator").id],
        "cooldown_seconds": 0,
        **overrides,
    }
    return Settings.model_validate(values)  # validation only: no environment, no .env
