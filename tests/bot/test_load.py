"""Load through the fake Discord: many concurrent questions, acknowledged in time, loop never blocked."""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.client import PactBot
from index.models.embedder import Embedder
from index.service import SearchService
from tests.bot.discord_support import ANSWER_TIMEOUT, settings_for
from tests.bot.fake_discord import FakeDiscord, run_client
from tests.conftest import record_figure, scale

# Timed: run alone (`make test` runs the `timing` tests after the parallel part), so that the
# other workers' load does not count against the bot.
pytestmark = [pytest.mark.model, pytest.mark.timing]

QUESTIONS = [
    "When will Japan and the UK sign the defence pact?",
    "Who announced the AUKUS pact?",
    "What is the Reciprocal Access Agreement?",
    "What did Zack Cooper say about the access agreement?",
    "Which companies build the GCAP fighter?",
]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    # Frequent heartbeats, so a blocked event loop would show as discord.py's warning.
    async with FakeDiscord(heartbeat_interval_ms=500) as running:
        yield running


async def lag_monitor(stop: asyncio.Event, lags: list[float]) -> None:
    """How late the event loop wakes a 20 ms sleeper: its worst delay is the loop's blocking."""
    while not stop.is_set():
        started = time.monotonic()
        await asyncio.sleep(0.02)
        lags.append(time.monotonic() - started - 0.02)


async def test_concurrent_questions_are_all_acknowledged_in_time_and_answered(
    fake: FakeDiscord,
    folders: tuple[Path, Path],
    real_embedder: Embedder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(fake, *folders)
    service = SearchService(settings.knowledge_dir, settings.data_dir, real_embedder)
    service.searcher  # noqa: B018
    count = scale(ci=200, full=200)
    users = [fake.add_member(f"user{i}") for i in range(count)]
    caplog.set_level(logging.WARNING, logger="discord")
    client = PactBot(settings, service, guild_ready_timeout=0.05)
    async with run_client(client, fake, timeout=20):
        stop, lags = asyncio.Event(), list[float]()
        monitor = asyncio.create_task(lag_monitor(stop, lags))

        async def one(i: int) -> float:
            started = time.monotonic()
            handle = await fake.invoke_command("ask", {"question": QUESTIONS[i % len(QUESTIONS)]}, user=users[i])
            final = await handle.wait_for_final(timeout=ANSWER_TIMEOUT * 4)
            assert "[1]" in str(final.embeds[0].get("description", "")) or final.embeds[0].get("description")
            assert handle.response_delay is not None and handle.response_delay < 3.0
            return time.monotonic() - started

        started = time.monotonic()
        replies = sorted(await asyncio.gather(*(one(i) for i in range(count))))
        elapsed = time.monotonic() - started
        stop.set()
        await monitor
    acks = sorted(h.response_delay or 0.0 for h in fake.interactions.values() if h.name == "ask")
    p50, p95 = statistics.median(replies), replies[int(0.95 * (len(replies) - 1))]
    record_figure(
        "concurrent_questions",
        {
            "questions": count,
            "answered": len(replies),
            "reply_p50_s": round(p50, 2),
            "reply_p95_s": round(p95, 2),
            "ack_max_s": round(acks[-1], 3),
            "event_loop_max_lag_s": round(max(lags), 3),
            "questions_per_s": round(count / elapsed, 1),
        },
    )
    assert len(replies) == count and acks[-1] < 3.0
    assert not [r for r in caplog.records if "heartbeat blocked" in r.getMessage()]
    assert max(lags) < 1.0  # the loop is never held: encoding and search run in threads
