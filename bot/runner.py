"""Starting the Discord bot, and syncing its slash commands on request."""

from __future__ import annotations

import asyncio
import logging

import discord
import yarl

from bot.client import PactBot
from bot.settings import Settings
from index.service import SearchService

log = logging.getLogger(__name__)


def point_at(settings: Settings) -> None:
    """Use another Discord-compatible server (the tests' fake) when the settings name one."""
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def _token(settings: Settings) -> str:
    if settings.discord_token is None:
        raise ValueError("DISCORD_TOKEN is not set")
    return settings.discord_token.get_secret_value()


def run_bot(settings: Settings, service: SearchService) -> None:
    """Run until interrupted. The index must be loaded already, so the first question is fast."""
    point_at(settings)
    client = PactBot(settings, service)
    # log_handler=None: logging was configured once, by the command line.
    client.run(_token(settings), log_handler=None)


async def _sync(settings: Settings, service: SearchService) -> None:
    async with PactBot(settings, service, force_sync=True) as client:
        await client.login(_token(settings))  # setup_hook runs here and syncs


def sync_commands(settings: Settings, service: SearchService) -> None:
    point_at(settings)
    asyncio.run(_sync(settings, service))
