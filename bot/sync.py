"""Slash commands are synced deliberately: when their definitions changed, or when asked.

Syncing on every start (or worse, every reconnect) spends a rate-limited call and can briefly
hide the commands; instead a fingerprint of what was last synced is kept in the data directory.
"""

from __future__ import annotations

import hashlib
import json
import logging

import discord
from discord import app_commands

from bot.settings import Settings

log = logging.getLogger(__name__)


def fingerprint(tree: app_commands.CommandTree[discord.Client], guild: discord.Object | None) -> str:
    payload = sorted((c.to_dict(tree) for c in tree.get_commands(guild=guild)), key=lambda c: str(c["name"]))
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


async def sync_if_changed(
    tree: app_commands.CommandTree[discord.Client], settings: Settings, force: bool = False
) -> bool:
    """Sync to PACTBOT_GUILD_ID when set (instant, one server), globally otherwise."""
    guild = discord.Object(settings.guild_id) if settings.guild_id else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    scope = f"guild-{settings.guild_id}" if guild else "global"
    record = settings.data_dir / f"commands-{scope}.sha256"
    current = fingerprint(tree, guild)
    if not force and record.exists() and record.read_text(encoding="utf-8").strip() == current:
        log.info("slash commands unchanged (%s); not syncing", scope)
        return False
    synced = await tree.sync(guild=guild)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    record.write_text(current + "\n", encoding="utf-8")
    log.info("synced %d slash commands (%s)", len(synced), scope)
    return True
