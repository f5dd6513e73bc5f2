"""Pactbot under Discord's faults: rate limits (with and without ``Via``), 5xx, and a gateway drop mid-answer.

The real discord.py client of the bot runs against the fake Discord on 127.0.0.1, set up as in test_discord_e2e.py
(the index from tests/bot/conftest.py; its small fake/service/bot fixtures copied here); the fake injects the faults
with ``fail_next``. discord.py's REST retry sleeps are shortened with ``short_retry_sleeps`` (its 5xx back-off is 1, 3,
5, 7, 9 s) or kept short by small ``retry_after`` values.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import aiohttp
import discord
import pytest
from discord import app_commands

from bot.client import PactBot
from index.answering.answer import Answer
from index.models.embedder import Embedder
from index.service import SearchService
from tests.bot.discord_support import ANSWER_TIMEOUT, settings_for
from tests.bot.fake_discord import (
    CALLBACK_CHANNEL_MESSAGE,
    CALLBACK_DEFERRED_CHANNEL_MESSAGE,
    ERROR_ALREADY_ACKNOWLEDGED,
    ERROR_UNKNOWN_INTERACTION,
    FakeDiscord,
    InteractionHandle,
    RetrySleeps,
    StoredMessage,
    run_client,
    short_retry_sleeps,
)

model = pytest.mark.model
TIMEOUT = ANSWER_TIMEOUT
ORIGINAL = "/webhooks/*/messages/@original"  # PATCH: how /ask fills in its deferred "thinking" message
FOLLOWUP = "/webhooks/*"  # POST: a follow-up message (the bot's error line goes this way after a deferral)
CALLBACK = "/interactions/*/callback"  # POST: the interaction response (the defer)
ERROR_LINE = "Something went wrong on my side (error id "
BACKOFF = [1, 3, 5, 7, 9]  # discord.py's sleeps after each of five 5xx on an interaction webhook


# ---- set-up, as in test_discord_e2e.py -------------------------------------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as running:
        yield running


@pytest.fixture
def service(folders: tuple[Path, Path], real_embedder: Embedder) -> SearchService:
    service = SearchService(*folders, real_embedder)
    service.searcher  # noqa: B018  # loaded before the bot takes questions, as in production
    return service


@pytest.fixture
async def bot(fake: FakeDiscord, folders: tuple[Path, Path], service: SearchService) -> AsyncIterator[PactBot]:
    client = PactBot(settings_for(fake, *folders), service, guild_ready_timeout=0.05)
    async with run_client(client, fake, timeout=20):
        yield client


@pytest.fixture
def sleeps() -> Iterator[RetrySleeps]:
    """discord.py's REST retry sleeps, recorded and a hundred times shorter."""
    with short_retry_sleeps(0.01) as recorded:
        yield recorded


def description(message: StoredMessage) -> str:
    return str(message.embeds[0].get("description", "")) if message.embeds else ""


async def ask(fake: FakeDiscord, question: str = "Who announced the AUKUS pact?") -> InteractionHandle:
    return await fake.invoke_command("ask", {"question": question})


def acknowledged_in_time(handle: InteractionHandle) -> bool:
    return handle.response_delay is not None and handle.response_delay < 3.0


def statuses(fake: FakeDiscord, method: str, path: str, handle: InteractionHandle) -> list[int]:
    return [r.status for r in fake.find_requests(method, path) if r in handle.requests]


async def still_answers(fake: FakeDiscord, bot: PactBot) -> StoredMessage:
    """The bot is up and the next question gets a normal, cited answer."""
    assert not bot.is_closed() and bot.is_ready()
    handle = await ask(fake, "When will Japan and the UK sign the defence pact?")
    answer = await handle.wait_for_final(timeout=TIMEOUT)
    assert acknowledged_in_time(handle) and "[1]" in description(answer), handle.describe()
    return answer


async def until(check: Callable[[], object], timeout: float = TIMEOUT) -> None:
    """Wait until ``check()`` is true (for what the fake's own waits do not cover)."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.01)


def logged_error(caplog: pytest.LogCaptureFixture, status: int) -> bool:
    """The bot logged an unexpected error (with an id) caused by an HTTP error of ``status``."""
    for record in caplog.records:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, app_commands.CommandInvokeError):
            error = error.original
        if record.levelno == logging.ERROR and isinstance(error, discord.HTTPException) and error.status == status:
            return True
    return False


# ---- the fake's faults, as discord.py sees them ----------------------------------------------------------------


async def test_a_fault_answers_like_discord_and_fires_only_its_times(fake: FakeDiscord) -> None:
    limited = fake.fail_next("get", "/users/@me", 429, retry_after=0.25, is_global=True)
    banned = fake.fail_next("GET", "/users/@me", 429, via=False)
    broken = fake.fail_next("GET", "/gateway", 503, times=2, message="upstream connect error")
    done = fake.fail_next("POST", "/users/@me/channels", 502, processed=True)
    auth = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{fake.api_base}/users/@me", headers=auth) as first:
            assert first.status == 429 and await first.json() == {
                "message": "You are being rate limited.",
                "retry_after": 0.25,
                "global": True,
            }
            assert first.headers["Via"] == "1.1 google" and first.headers["Retry-After"] == "1"
            assert first.headers["X-RateLimit-Remaining"] == "0" and first.headers["X-RateLimit-Global"] == "true"
            assert first.headers["X-RateLimit-Reset-After"] == "0.250"
        async with session.get(f"{fake.api_base}/users/@me", headers=auth) as second:
            assert second.status == 429 and "Via" not in second.headers
            assert (await second.json())["retry_after"] == 0.05
        async with session.get(f"{fake.api_base}/users/@me", headers=auth) as third:
            assert third.status == 200
        for _ in range(3):
            async with session.get(f"{fake.api_base}/gateway") as response:
                last = response.status, await response.json()
        payload = {"recipient_id": str(fake.default_user.id)}
        async with session.post(f"{fake.api_base}/users/@me/channels", headers=auth, json=payload) as dm:
            assert dm.status == 502 and (await dm.json())["code"] == 0
    assert last[0] == 200 and [r.status for r in broken.fired] == [503, 503]
    assert broken.fired[0].response == {"message": "upstream connect error", "code": 0}
    assert [len(f.fired) for f in (limited, banned, broken, done)] == [1, 1, 2, 1]
    assert not fake.pending_faults and fake.find_requests("GET", "/users/@me")[2].fault is None
    assert fake.default_user.id in fake.dm_channels  # processed: carried out, then answered 502


# ---- the answer's edit of the deferred message -----------------------------------------------------------------


@model
@pytest.mark.parametrize(
    ("command", "method", "path", "expected"),
    [("ask", "PATCH", ORIGINAL, "[1] "), ("about", "POST", FOLLOWUP, "Embedding model")],
    ids=["ask-edits-the-deferral", "about-sends-a-follow-up"],
)
async def test_a_rate_limited_answer_is_retried_and_arrives(
    fake: FakeDiscord,
    bot: PactBot,
    caplog: pytest.LogCaptureFixture,
    command: str,
    method: str,
    path: str,
    expected: str,
) -> None:
    fault = fake.fail_next(method, path, 429, retry_after=0.05)
    with short_retry_sleeps(scale=1.0) as sleeps:  # only recorded: 0.05 s is short already
        handle = await (ask(fake) if command == "ask" else fake.invoke_command(command))
        answer = await handle.wait_for_final(timeout=TIMEOUT)
    assert acknowledged_in_time(handle) and handle.response_type == CALLBACK_DEFERRED_CHANNEL_MESSAGE
    assert expected in answer.text and answer is handle.original
    assert statuses(fake, method, path, handle) == [429, 200] and fault.exhausted
    assert sleeps.requested == [0.05]  # discord.py waited the body's retry_after, then retried
    assert any("rate limited" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert not logged_error(caplog, 429)
    await still_answers(fake, bot)


@model
async def test_a_cloudflare_429_costs_that_answer_only(
    fake: FakeDiscord, bot: PactBot, caplog: pytest.LogCaptureFixture
) -> None:
    """A 429 without ``Via`` is a Cloudflare ban to discord.py: it raises at once, no retry. The bot logs the
    error with an id and its error line fills the public "thinking" message; that answer is lost (with a real ban
    the error line would be refused too, and "thinking" would stay); the next question is answered."""
    fault = fake.fail_next("PATCH", ORIGINAL, 429, retry_after=0.05, via=False)
    handle = await ask(fake)
    final = await handle.wait_for_final(timeout=TIMEOUT)
    assert acknowledged_in_time(handle) and fault.exhausted
    assert statuses(fake, "PATCH", ORIGINAL, handle) == [429]  # not retried
    assert final is handle.original and not final.ephemeral and not final.embeds
    assert final.content.startswith(ERROR_LINE) and "429" not in final.content
    assert logged_error(caplog, 429)
    await still_answers(fake, bot)


@model
async def test_a_server_error_on_the_answer_is_retried(
    fake: FakeDiscord, bot: PactBot, sleeps: RetrySleeps, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail_next("PATCH", ORIGINAL, 500)
    handle = await ask(fake)
    answer = await handle.wait_for_final(timeout=TIMEOUT)
    assert acknowledged_in_time(handle) and "[1]" in description(answer)
    assert statuses(fake, "PATCH", ORIGINAL, handle) == [500, 200]
    assert sleeps.requested == [1]  # discord.py's first back-off step
    assert not logged_error(caplog, 500)


@model
@pytest.mark.parametrize("error_line_fails", [False, True], ids=["error-line", "nothing"])
async def test_five_server_errors_cost_one_answer_and_the_bot_answers_on(
    fake: FakeDiscord,
    bot: PactBot,
    sleeps: RetrySleeps,
    caplog: pytest.LogCaptureFixture,
    error_line_fails: bool,
) -> None:
    """discord.py gives up on an interaction webhook after five 5xx (back-off 1+3+5+7+9 s in real time) and raises
    DiscordServerError: the user gets the error line, or, if that fails as well, the "thinking" message stays."""
    for status in (500, 502, 503, 504, 500):
        fake.fail_next("PATCH", ORIGINAL, status)
    if error_line_fails:
        error_line = fake.fail_next("POST", FOLLOWUP, 503, times=5)
    handle = await ask(fake)
    await handle.wait_for_response(timeout=TIMEOUT)
    assert acknowledged_in_time(handle)
    if error_line_fails:
        await fake.wait_for_fault(error_line, timeout=TIMEOUT)
        await asyncio.sleep(0.2)
        assert handle.original is not None and handle.original.loading and handle.final is None
        assert any("could not report an error" in r.getMessage() for r in caplog.records)
    else:
        final = await handle.wait_for_final(timeout=TIMEOUT)
        assert final.content.startswith(ERROR_LINE) and not final.embeds
    assert statuses(fake, "PATCH", ORIGINAL, handle) == [500, 502, 503, 504, 500]
    assert sleeps.requested == BACKOFF * (2 if error_line_fails else 1)
    assert logged_error(caplog, 500)  # the last status discord.py saw
    await still_answers(fake, bot)


# ---- the interaction callback (the defer) ----------------------------------------------------------------------


@model
async def test_a_rate_limited_defer_is_retried_in_time(fake: FakeDiscord, bot: PactBot) -> None:
    fake.fail_next("POST", CALLBACK, 429, retry_after=0.05)
    handle = await ask(fake)
    answer = await handle.wait_for_final(timeout=TIMEOUT)
    assert [(c.type, c.status) for c in handle.callbacks] == [(5, 429), (5, 200)]
    assert acknowledged_in_time(handle) and handle.response_type == CALLBACK_DEFERRED_CHANNEL_MESSAGE
    assert "[1]" in description(answer)


@model
async def test_a_defer_rate_limited_past_the_deadline_gets_nothing_and_the_bot_goes_on(
    fake: FakeDiscord, bot: PactBot, caplog: pytest.LogCaptureFixture
) -> None:
    """discord.py waits out any retry_after on the callback, even past Discord's 3 s (shrunk here to 0.3 s): the
    retry is refused (10062), so is the error line, and the user sees nothing; the bot logs it and goes on."""
    fake.callback_deadline = 0.3
    fake.fail_next("POST", CALLBACK, 429, retry_after=0.5)
    handle = await ask(fake)
    await until(lambda: len(handle.callbacks) >= 3)
    assert [(c.status, c.error_code) for c in handle.callbacks] == [
        (429, None),
        (404, ERROR_UNKNOWN_INTERACTION),  # the deferral, retried too late
        (404, ERROR_UNKNOWN_INTERACTION),  # the error line
    ]
    assert not handle.acknowledged
    await asyncio.sleep(0.1)
    assert logged_error(caplog, 404) and any("could not report an error" in r.getMessage() for r in caplog.records)
    fake.callback_deadline = 3.0
    await still_answers(fake, bot)


@model
async def test_a_cloudflare_429_on_the_defer_gets_a_private_error_line(
    fake: FakeDiscord, bot: PactBot, caplog: pytest.LogCaptureFixture
) -> None:
    """Without ``Via`` the defer raises at once: the bot's error handler answers the interaction instead (a private
    error line, within 3 s); that question's answer is lost."""
    fake.fail_next("POST", CALLBACK, 429, via=False)
    handle = await ask(fake)
    final = await handle.wait_for_final(timeout=TIMEOUT)
    assert [(c.type, c.status) for c in handle.callbacks] == [(5, 429), (4, 200)]
    assert acknowledged_in_time(handle) and handle.response_type == CALLBACK_CHANNEL_MESSAGE
    assert final.ephemeral and final.content.startswith(ERROR_LINE)
    assert logged_error(caplog, 429)
    await still_answers(fake, bot)


@model
async def test_a_defer_carried_out_despite_a_server_error_is_still_answered(
    fake: FakeDiscord, bot: PactBot, sleeps: RetrySleeps
) -> None:
    """Discord acknowledges the interaction but its answer is a 503: discord.py retries and gets 40060 "already
    acknowledged". The interaction is deferred all the same, so the answer can (and should) still fill it in."""
    fake.fail_next("POST", CALLBACK, 503, processed=True)
    handle = await ask(fake)
    # Until the answer arrives, or the bot gives up: its error line is refused as a third callback (40060).
    await until(lambda: handle.final is not None or len(handle.callbacks) >= 3)
    assert handle.callbacks[1].error_code == ERROR_ALREADY_ACKNOWLEDGED and acknowledged_in_time(handle)
    answer = await handle.wait_for_final(timeout=1.0)
    assert "[1]" in description(answer), handle.describe()


# ---- the gateway, dropped while an answer is computed ----------------------------------------------------------


@pytest.fixture
def paused_ask(service: SearchService, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, ...]]:
    """service.ask stops at ``entered`` until ``release`` is set (it runs in a worker thread)."""
    entered, release = threading.Event(), threading.Event()
    real_ask = service.ask

    def paused(question: str, k: int = 3) -> Answer:
        entered.set()
        release.wait(timeout=TIMEOUT)
        return real_ask(question, k)

    monkeypatch.setattr(service, "ask", paused)
    try:
        yield entered, release
    finally:
        release.set()


@model
async def test_a_gateway_drop_while_answering_loses_nothing(
    fake: FakeDiscord, bot: PactBot, paused_ask: tuple[threading.Event, ...]
) -> None:
    entered, release = paused_ask
    puts = fake.guild_commands_puts[fake.guild_id]
    handle = await ask(fake)
    await handle.wait_for_response(timeout=TIMEOUT)
    assert await asyncio.to_thread(entered.wait, TIMEOUT)
    fake.hold_gateway()
    fake.drop_connection()
    await fake.wait_for_gateway_attempt(timeout=TIMEOUT)  # the client is trying to come back, and is kept out
    release.set()
    answer = await handle.wait_for_final(timeout=TIMEOUT)  # over REST, with the gateway down
    assert not fake.connected and "[1]" in description(answer) and acknowledged_in_time(handle)
    sent_before = len(fake.gateway_sent)
    fake.release_gateway()
    await fake.wait_for_resume(timeout=TIMEOUT)
    assert (fake.resume_count, fake.identify_count) == (1, 1)
    # The answer's MESSAGE_UPDATE, dispatched while the client was away, is replayed on RESUME.
    replayed = fake.gateway_sent[sent_before:]
    assert any(f.get("t") == "MESSAGE_UPDATE" and f["d"]["id"] == str(answer.id) for f in replayed)
    await still_answers(fake, bot)
    assert fake.guild_commands_puts[fake.guild_id] == puts  # a resume does not sync commands


# ---- a question by mention (REST through discord.http, not the interaction webhook) -------------------------------


@model
async def test_a_mention_answer_survives_a_rate_limit_and_a_bad_gateway(
    fake: FakeDiscord, bot: PactBot, sleeps: RetrySleeps
) -> None:
    fake.fail_next("POST", "/channels/*/messages", 429, retry_after=0.05)
    fake.fail_next("POST", "/channels/*/messages", 502)
    question = await fake.send_message(fake.channel_id, "who announced the AUKUS pact?", mentions_bot=True)
    reply = await fake.wait_for_message(lambda m: m.reply_to_id == question.id, timeout=TIMEOUT)
    assert "[1]" in description(reply)
    assert [r.status for r in fake.find_requests("POST", "/channels/*/messages")] == [429, 502, 200]
    assert sleeps.requested == [0.05, 3]  # discord.http's back-off counts the 429 as the first try


@model
async def test_a_failed_typing_indicator_does_not_cost_the_answer(
    fake: FakeDiscord, bot: PactBot, caplog: pytest.LogCaptureFixture
) -> None:
    """discord.http does not retry a 503 (only 500, 502, 504, 524): the typing request raises DiscordServerError."""
    typing = fake.fail_next("POST", "/channels/*/typing", 503)
    question = await fake.send_message(fake.channel_id, "who announced the AUKUS pact?", mentions_bot=True)
    await fake.wait_for_fault(typing, timeout=TIMEOUT)

    def replied() -> bool:
        return any(m.reply_to_id == question.id for m in fake.bot_messages())

    # Until the reply arrives, or on_message has died ("Ignoring exception in on_message").
    await until(lambda: replied() or any("on_message" in r.getMessage() for r in caplog.records))
    assert replied(), [r.getMessage() for r in caplog.records]
