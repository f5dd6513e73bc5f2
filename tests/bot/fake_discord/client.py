"""The real discord.py client's side: pointing it at the fake, running it until ready, and
shortening its retry sleeps."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import discord
import discord.gateway
import discord.http
import discord.webhook.async_
import yarl

if TYPE_CHECKING:
    from tests.bot.fake_discord.fake import FakeDiscord


class RetrySleeps:
    """Stands in for ``asyncio`` in discord.py's REST modules: records each ``sleep`` and shortens it by ``scale``."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.requested: list[float] = []  # the waits discord.py asked for, in seconds, unscaled; not sleep(0)

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        if delay > 0:
            self.requested.append(delay)
        return await asyncio.sleep(delay * self.scale, result)


@contextlib.contextmanager
def short_retry_sleeps(scale: float = 0.01) -> Iterator[RetrySleeps]:
    """Shorten and record the sleeps of discord.py's REST layers (``discord.http``, ``discord.webhook.async_``).

    Those are the 429 ``retry_after`` waits and the 1, 3, 5, 7, 9 s back-off after a 5xx; ``scale=1`` only records.
    The gateway, the client and the test's own sleeps are not affected.
    """
    sleeps = RetrySleeps(scale)
    namespaces = (vars(discord.http), vars(discord.webhook.async_))
    saved = [namespace["asyncio"] for namespace in namespaces]
    for namespace in namespaces:
        namespace["asyncio"] = sleeps
    try:
        yield sleeps
    finally:
        for namespace, original in zip(namespaces, saved, strict=True):
            namespace["asyncio"] = original


@contextlib.contextmanager
def pointed_at(api_base: str, gateway_url: str) -> Iterator[None]:
    """Point discord.py's REST base (incl. webhooks and interaction callbacks) and gateway at other URLs."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


@contextlib.asynccontextmanager
async def run_client(client: discord.Client, fake: FakeDiscord, *, timeout: float = 5.0) -> AsyncIterator[None]:
    """Start ``client`` against ``fake`` and wait until on_ready; close it (and surface its crash) afterwards."""
    identified = fake.identify_count
    task = asyncio.create_task(client.start(fake.token), name="fake-discord-client")

    async def ready() -> None:
        await fake._wait_until(lambda: True if fake.identify_count > identified else None, timeout, "IDENTIFY")
        await client.wait_until_ready()

    waiter = asyncio.create_task(ready())
    done, _ = await asyncio.wait({task, waiter}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if waiter not in done:
        waiter.cancel()
        await client.close()
        if task in done:
            task.result()  # the client's own error
        task.cancel()
        raise TimeoutError(f"the client did not become ready within {timeout}s")
    waiter.result()
    failed = True
    try:
        yield
        failed = False
    finally:
        await client.close()
        try:
            await asyncio.wait_for(task, timeout)
        except Exception:
            if not failed:
                raise
