"""Starting the Discord bot, and syncing its slash commands on request.

A start that cannot go on (Discord unreachable, a rejected token, a gateway close the client
cannot recover from) ends in one line that says what and where, and a non-zero exit, so that a
service manager restarts it and a person sees the cause at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
import discord
import yarl

from bot.client import PactBot, ShardedPactBot
from bot.settings import Settings
from index.service import SearchService

log = logging.getLogger(__name__)

# Gateway close codes worth a hint (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
CLOSE_HINTS = {
    4004: "the token was rejected; check DISCORD_TOKEN",
    4010: "an invalid shard was sent; check PACTBOT_SHARD_IDS",
    4011: "Discord requires sharding for this many servers; set PACTBOT_SHARD_COUNT=auto",
    4012: "an invalid gateway API version",
    4013: "invalid intents",
    4014: "a privileged intent is not enabled; see the README",
}


class StartError(RuntimeError):
    """The bot could not start or had to stop; the message is the one line to show."""


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


def make_client(settings: Settings, service: SearchService, force_sync: bool = False, **options: Any) -> PactBot:
    """The plain client, or the sharded one when the settings ask for shards."""
    if not settings.sharded:
        return PactBot(settings, service, force_sync=force_sync, **options)
    count = settings.shard_count if isinstance(settings.shard_count, int) else None  # None: Discord's advice
    return ShardedPactBot(
        settings, service, force_sync=force_sync, shard_count=count, shard_ids=settings.shard_ids or None, **options
    )


def describe_failure(exc: BaseException) -> str | None:
    """The one line for a failure that ends the bot, or None for one that is a bug (traceback)."""
    host = yarl.URL(discord.http.Route.BASE).host or "Discord"
    if isinstance(exc, discord.LoginFailure):
        return f"Discord refused to log in ({exc}); check DISCORD_TOKEN"
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return (
            "Discord refused the Message Content intent that PACTBOT_CHANNEL_IDS needs: enable it under "
            "Bot → Privileged Gateway Intents in the Developer Portal, or unset PACTBOT_CHANNEL_IDS"
        )
    if isinstance(exc, discord.ConnectionClosed):
        hint = CLOSE_HINTS.get(exc.code or 0, exc.reason or "no reason given")
        return f"Discord closed the gateway connection (code {exc.code}): {hint}"
    if isinstance(exc, discord.GatewayNotFound):
        return f"cannot find Discord's gateway through {host} (Discord may be having an outage)"
    if isinstance(exc, aiohttp.ClientConnectorError):
        cause = exc.os_error.strerror or str(exc.os_error) or exc.__class__.__name__
        return f"cannot reach Discord at {exc.host}:{exc.port}: {cause}"
    if isinstance(exc, discord.HTTPException):
        return f"Discord at {host} answered {exc.status} {exc.response.reason}: {exc.text or 'no details'}"
    if isinstance(exc, aiohttp.ClientError | OSError | asyncio.TimeoutError):
        return f"cannot talk to Discord at {host}: {exc or exc.__class__.__name__}"
    return None


def _failures_in_one_line(run: Callable[[], object]) -> None:
    try:
        run()
    except Exception as exc:
        line = describe_failure(exc)
        if line is None:
            raise
        log.debug("the bot stopped", exc_info=exc)  # the traceback, for those who ask for DEBUG
        raise StartError(line) from None


def run_bot(settings: Settings, service: SearchService) -> None:
    """Run until interrupted. The index must be loaded already, so the first question is fast."""
    point_at(settings)
    client = make_client(settings, service)
    # log_handler=None: logging was configured once, by the command line.
    _failures_in_one_line(lambda: client.run(_token(settings), log_handler=None))


async def _sync(settings: Settings, service: SearchService) -> None:
    async with make_client(settings, service, force_sync=True) as client:
        await client.login(_token(settings))  # setup_hook runs here and syncs


def sync_commands(settings: Settings, service: SearchService) -> None:
    point_at(settings)
    _failures_in_one_line(lambda: asyncio.run(_sync(settings, service)))
