"""Pactbot end to end: the real discord.py client of the bot against a fake Discord on 127.0.0.1,
with the real embedding model and an index of the seed and fixture articles."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import discord
import pytest

from bot.client import PactBot
from bot.feeds import poll_once
from bot.runner import make_client
from bot.settings import Settings
from index.models.embedder import Embedder
from index.service import SearchService
from index.storage.store import load_current
from tests.bot.discord_support import ANSWER_TIMEOUT, settings_for
from tests.bot.fake_discord import (
    CALLBACK_DEFERRED_CHANNEL_MESSAGE,
    FakeDiscord,
    InteractionHandle,
    StoredMessage,
    run_client,
)
from tests.conftest import KNOWLEDGE, ROOT
from tests.web_server import FEEDS, serve, story

pytestmark = pytest.mark.model

MANAGE_GUILD = 1 << 5


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as running:
        yield running


@pytest.fixture
def settings(fake: FakeDiscord, folders: tuple[Path, Path]) -> Settings:
    # Links to 127.0.0.1 are allowed: the /ingest url: tests fetch from a server the test runs.
    return settings_for(fake, *folders, allow_private_urls=True, fetch_timeout_seconds=5)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    yield from serve()


@pytest.fixture
def service(settings: Settings, real_embedder: Embedder) -> SearchService:
    service = SearchService(settings.knowledge_dir, settings.data_dir, real_embedder)
    service.searcher  # noqa: B018  # loaded before the bot takes questions, as in production
    return service


@pytest.fixture
async def bot(fake: FakeDiscord, settings: Settings, service: SearchService) -> AsyncIterator[PactBot]:
    client = PactBot(settings, service, guild_ready_timeout=0.05)
    async with run_client(client, fake, timeout=20):
        yield client


async def ask(fake: FakeDiscord, question: str, **kwargs: object) -> tuple[InteractionHandle, StoredMessage]:
    handle = await fake.invoke_command("ask", {"question": question}, **kwargs)  # type: ignore[arg-type]
    return handle, await handle.wait_for_final(timeout=ANSWER_TIMEOUT)


def description(message: StoredMessage) -> str:
    return str(message.embeds[0].get("description", ""))


async def test_commands_are_registered_with_their_options_and_permissions(fake: FakeDiscord, bot: PactBot) -> None:
    commands = {c["name"]: c for c in fake.guild_commands[fake.guild_id]}
    assert set(commands) == {
        *("ask", "sources", "about", "agreements", "pactmap", "ingest", "reindex", "feeds", "alerts", "digest")
    }
    subcommands = {o["name"]: o for o in commands["feeds"]["options"]}
    assert set(subcommands) == {"add", "remove", "list"} and all(o["type"] == 1 for o in subcommands.values())
    assert [(o["name"], o["type"]) for o in subcommands["add"]["options"]] == [("url", 3), ("channel", 7)]
    options = {o["name"]: o for o in commands["ask"]["options"]}
    assert options["question"]["type"] == 3 and options["question"]["required"] is True
    assert options["question"]["max_length"] == 300
    assert options["private"]["type"] == 5 and not options["private"].get("required", False)
    file_option, url_option = commands["ingest"]["options"]
    assert (file_option["name"], file_option["type"], file_option.get("required", False)) == ("file", 11, False)
    assert (url_option["name"], url_option["type"], url_option.get("required", False)) == ("url", 3, False)
    for name in ("ingest", "reindex", "feeds", "alerts"):
        assert str(commands[name]["default_member_permissions"]) == str(MANAGE_GUILD)
    country = {o["name"]: o for o in commands["agreements"]["options"]}
    assert country["country"]["autocomplete"] is True and country["country"]["required"] is True
    assert country["partner"]["autocomplete"] is True and not country["partner"].get("required", False)
    for name in ("ask", "sources", "about", "agreements", "pactmap", "digest"):
        assert commands[name].get("default_member_permissions") is None
    assert fake.guild_commands_puts[fake.guild_id] == 1 and fake.global_commands_puts == 0


async def test_ask_is_deferred_then_answered_with_citations(fake: FakeDiscord, bot: PactBot) -> None:
    handle, answer = await ask(fake, "When will Japan and the UK sign the defence pact?")
    assert handle.response_type == CALLBACK_DEFERRED_CHANNEL_MESSAGE
    assert handle.response_delay is not None and handle.response_delay < 3.0
    assert not answer.ephemeral
    text = description(answer)
    assert text.startswith("> “")
    assert "> “Japan and the UK are set to signal a serious defence pact in December" in text
    assert re.search(
        r"\[\d\] Japan and UK set to sign defence pact in December — Financial Times, 2022-11-04 — paragraph 1\b", text
    )
    assert answer.embeds[0]["title"] == "When will Japan and the UK sign the defence pact?"
    assert {"pactbot:vote:up", "pactbot:vote:down"} <= set(answer.custom_ids)
    assert answer.allowed_mentions == {"parse": []}
    assert not handle.double_acknowledgements


async def test_private_ask_is_ephemeral_and_abstentions_say_so(fake: FakeDiscord, bot: PactBot) -> None:
    _, answer = await ask(
        fake,
        "What is the capital of Peru?",
    )
    assert "never mention “Peru”" in description(answer)
    handle = await fake.invoke_command("ask", {"question": "Who signed the RAA in Manila?", "private": True})
    final = await handle.wait_for_final(timeout=ANSWER_TIMEOUT)
    assert final.ephemeral and "[1]" in description(final)


async def test_a_mention_in_a_channel_is_answered(fake: FakeDiscord, bot: PactBot) -> None:
    question = await fake.send_message(fake.channel_id, "who signed the AUKUS pact and when?", mentions_bot=True)
    reply = await fake.wait_for_message(lambda m: m.reply_to_id == question.id, timeout=ANSWER_TIMEOUT)
    assert "AUKUS" in reply.text and "[1]" in description(reply)
    assert reply.mention_ids == [] and reply.allowed_mentions is not None


async def test_a_reply_to_an_answer_is_a_follow_up_with_context(fake: FakeDiscord, bot: PactBot) -> None:
    _, first = await ask(fake, "What access agreement did Japan sign with the UK?")
    # Discord's reply keeps the @mention on by default, which lets the bot read it without the
    # privileged Message Content intent.
    follow_up = await fake.send_message(
        fake.channel_id, "and with the Philippines?", reply_to=first.id, mentions_bot=True
    )
    reply = await fake.wait_for_message(lambda m: m.reply_to_id == follow_up.id, timeout=ANSWER_TIMEOUT)
    title = str(reply.embeds[0]["title"])
    assert title.startswith("What access agreement did Japan sign with the UK?") and "Philippines" in title
    assert "Philippine" in description(reply).split("**Sources**")[0]
    # With the mention switched off the text does not reach the bot: it says how to follow up.
    silent = await fake.send_message(fake.channel_id, "and Australia?", reply_to=first.id)
    hint = await fake.wait_for_message(lambda m: m.reply_to_id == silent.id, timeout=ANSWER_TIMEOUT)
    assert "keep the @mention on" in hint.content


async def test_everyone_in_a_quoted_article_pings_nobody(fake: FakeDiscord, bot: PactBot) -> None:
    question = "What did Akiko Moriyama joke about the first flight of the jet?"
    _, answer = await ask(fake, question)
    assert "@everyone, wheels up" in description(answer)
    assert answer.allowed_mentions == {"parse": []} and answer.mention_ids == []
    sent = await fake.send_message(fake.channel_id, question, mentions_bot=True)
    reply = await fake.wait_for_message(lambda m: m.reply_to_id == sent.id, timeout=ANSWER_TIMEOUT)
    assert "@everyone, wheels up" in reply.text and reply.mention_ids == []
    assert (reply.allowed_mentions or {}).get("parse") == []


async def test_reindex_is_refused_for_members_and_run_for_moderators(fake: FakeDiscord, bot: PactBot) -> None:
    refused = await fake.invoke_command("reindex", user=fake.default_user)
    message = await refused.wait_for_final(timeout=ANSWER_TIMEOUT)
    assert message.ephemeral and "Only moderators" in message.text
    # A member given Manage Server by a widened default permission is still checked by the bot:
    # only the permission itself or a moderator role counts, and alice has neither.
    refused_again = await fake.invoke_command("reindex", user=fake.default_user, permissions=1 << 10)
    assert "Only moderators" in (await refused_again.wait_for_final(timeout=ANSWER_TIMEOUT)).text
    # /ingest too: refused before anything is downloaded.
    attachment = fake.attachment("note.md", b"A paragraph about a pact.\n")
    ingest = await fake.invoke_command("ingest", {"file": attachment}, user=fake.default_user)
    message = await ingest.wait_for_final(timeout=ANSWER_TIMEOUT)
    assert message.ephemeral and "Only moderators" in message.text and fake.download_count(attachment) == 0
    for user, permissions in ((fake.moderator, None), (fake.owner, MANAGE_GUILD)):
        handle = await fake.invoke_command("reindex", user=user, permissions=permissions)
        report = await handle.wait_for_final(timeout=ANSWER_TIMEOUT)
        assert report.ephemeral and "Nothing changed" in report.text


async def test_ingest_saves_and_indexes_a_good_file(fake: FakeDiscord, bot: PactBot, settings: Settings) -> None:
    article = (
        "---\ntitle: Canada and Japan open security information talks\npublisher: Test Wire\n"
        "published: 2024-03-01\n---\n"
        "Canada and Japan opened negotiations in Ottawa on a security of information agreement.\n"
    )
    attachment = fake.attachment("canada-japan.md", article.encode())
    handle = await fake.invoke_command("ingest", {"file": attachment}, user=fake.moderator)
    report = await handle.wait_for_final(timeout=ANSWER_TIMEOUT)
    assert report.ephemeral and "Saved `canada-japan.md`" in report.text and "**Added:** `canada-japan`" in report.text
    assert (settings.knowledge_dir / "canada-japan.md").read_text(encoding="utf-8") == article
    _, answer = await ask(fake, "Where did Canada and Japan open talks on security information?")
    assert "Ottawa" in description(answer)


async def test_ingest_url_fetches_extracts_and_indexes_a_news_page(
    fake: FakeDiscord, bot: PactBot, settings: Settings, site: str
) -> None:
    member = await fake.invoke_command("ingest", {"url": f"{site}/news/japan-uk-pact"}, user=fake.default_user)
    refused = await member.wait_for_final(timeout=ANSWER_TIMEOUT)
    assert refused.ephemeral and "Only moderators" in refused.text
    assert not (settings.knowledge_dir / "japan-and-uk-sign-defence-pact.md").exists()
    handle = await fake.invoke_command("ingest", {"url": f"{site}/news/japan-uk-pact"}, user=fake.moderator)
    reply = await handle.wait_for_final(timeout=ANSWER_TIMEOUT)
    assert reply.ephemeral and "Added `japan-and-uk-sign-defence-pact.md`: Japan and UK sign defence pact" in reply.text
    assert "Pacific Security Review, 2023-01-11 (4 paragraphs)" in reply.text
    assert (settings.knowledge_dir / "japan-and-uk-sign-defence-pact.md").exists()
    _, answer = await ask(fake, "What did Japan and the United Kingdom sign in London on Wednesday?")
    assert "Japan and UK sign defence pact" in description(answer)
    files = sorted(p.name for p in settings.knowledge_dir.iterdir())
    for path, reason in (("/paywall", "no article text"), ("/news/japan-uk-pact", "already indexed")):
        refused = await (
            await fake.invoke_command("ingest", {"url": f"{site}{path}"}, user=fake.moderator)
        ).wait_for_final(timeout=ANSWER_TIMEOUT)
        assert refused.ephemeral and "Nothing was added" in refused.text and reason in refused.text
    assert sorted(p.name for p in settings.knowledge_dir.iterdir()) == files
    neither = await (await fake.invoke_command("ingest", {}, user=fake.moderator)).wait_for_final(
        timeout=ANSWER_TIMEOUT
    )
    assert "either a file or a url" in neither.text


async def test_a_moderator_follows_a_feed_and_a_poll_posts_its_report(
    fake: FakeDiscord, bot: PactBot, settings: Settings, site: str
) -> None:
    FEEDS["discord"] = [11, 12]
    url = f"{site}/feeds/discord.atom"
    refused = await (await fake.invoke_command("feeds add", {"url": url}, user=fake.default_user)).wait_for_final(
        timeout=ANSWER_TIMEOUT
    )
    assert refused.ephemeral and "Only moderators" in refused.text
    channel = fake.channel("defence-news")
    handle = await fake.invoke_command("feeds add", {"url": url, "channel": channel}, user=fake.moderator)
    reply = await handle.wait_for_final(timeout=ANSWER_TIMEOUT)
    assert reply.ephemeral and f"Following <{url}> (discord news)" in reply.text and f"<#{channel.id}>" in reply.text
    listed = await (await fake.invoke_command("feeds list", {}, user=fake.moderator)).wait_for_final(
        timeout=ANSWER_TIMEOUT
    )
    assert "not polled yet" in listed.text

    [report] = await poll_once(bot)
    assert [i.added.title for i in report.items if i.added] == [story(11)[0], story(12)[0]]
    posted = await fake.wait_for_message(lambda m: m.channel_id == channel.id and "Feed" in m.text, timeout=5)
    assert "2 articles added, 0 refused" in posted.text and story(12)[0] in posted.text
    _, answer = await ask(fake, "What does agreement number 12 between Japan and Australia cover?")
    assert story(12)[0] in description(answer)

    FEEDS["discord"].append(13)
    [again] = await poll_once(bot)
    assert [i.added.title for i in again.items if i.added] == [story(13)[0]]
    gone = await (await fake.invoke_command("feeds remove", {"url": url}, user=fake.moderator)).wait_for_final(
        timeout=ANSWER_TIMEOUT
    )
    assert "No longer following" in gone.text and await poll_once(bot) == []


@pytest.mark.parametrize(
    ("filename", "data", "claimed_size", "reason"),
    [
        ("scan.md", b"%PDF-1.7\x00\x01\x02binary", None, "binary file"),
        ("huge.md", b"small really", 50_000_000, "too large"),
        ("../../escape.md", b"A paragraph about pacts.\n", None, "not a plain file name"),
        ("notes.pdf", b"A paragraph about pacts.\n", None, "not an article"),
        ("copy.md", None, None, "same text as `japan-uk-defence-pact.txt`, which is indexed"),
    ],
)
async def test_ingest_refuses_bad_files_and_loses_nothing(
    fake: FakeDiscord,
    bot: PactBot,
    settings: Settings,
    filename: str,
    data: bytes | None,
    claimed_size: int | None,
    reason: str,
) -> None:
    before = sorted(p.name for p in settings.knowledge_dir.iterdir())
    version = load_current(settings.data_dir).manifest.version
    content = data if data is not None else (KNOWLEDGE / "japan-uk-defence-pact.txt").read_bytes()
    attachment = fake.attachment(filename, content, size=claimed_size)
    handle = await fake.invoke_command("ingest", {"file": attachment}, user=fake.moderator)
    message = await handle.wait_for_final(timeout=ANSWER_TIMEOUT)
    assert message.ephemeral and reason in message.text
    if claimed_size is not None:
        assert fake.download_count(attachment) == 0  # refused before downloading
    assert sorted(p.name for p in settings.knowledge_dir.iterdir()) == before
    assert load_current(settings.data_dir).manifest.version == version
    assert not (settings.knowledge_dir.parent / "escape.md").exists()


async def test_twenty_questions_during_a_reindex_are_all_answered(
    fake: FakeDiscord, bot: PactBot, settings: Settings
) -> None:
    # A changed article, so the reindex really embeds while the questions come in.
    aukus = settings.knowledge_dir / "aukus-submarines.md"
    aukus.write_text(aukus.read_text(encoding="utf-8") + "\nA late paragraph on AUKUS submarines.\n", encoding="utf-8")
    reindex = await fake.invoke_command("reindex", user=fake.moderator)
    users = [fake.add_member(f"asker{i}") for i in range(20)]
    handles = await asyncio.gather(
        *(fake.invoke_command("ask", {"question": "Who announced the AUKUS pact?"}, user=u) for u in users)
    )
    finals = await asyncio.gather(*(h.wait_for_final(timeout=ANSWER_TIMEOUT) for h in handles))
    assert all(h.response_delay is not None and h.response_delay < 3.0 for h in handles)
    assert all("[1]" in description(f) for f in finals)
    report = await reindex.wait_for_final(timeout=ANSWER_TIMEOUT)
    assert "**Changed:** `aukus-submarines`" in report.text
    _, after = await ask(fake, "Is there a late paragraph on AUKUS submarines?")
    assert "A late paragraph on AUKUS submarines." in description(after)


async def test_a_second_reindex_while_one_runs_is_refused(fake: FakeDiscord, bot: PactBot, settings: Settings) -> None:
    (settings.knowledge_dir / "extra.md").write_text("Extra article about a pact. " * 50 + "\n", encoding="utf-8")
    first = await fake.invoke_command("reindex", user=fake.moderator)
    await first.wait_for_response(timeout=ANSWER_TIMEOUT)
    second = await fake.invoke_command("reindex", user=fake.owner, permissions=MANAGE_GUILD)
    texts = [(await h.wait_for_final(timeout=ANSWER_TIMEOUT)).text for h in (first, second)]
    assert any("already running" in t for t in texts) and any("**Added:** `extra`" in t for t in texts)


async def test_a_vote_is_stored(fake: FakeDiscord, bot: PactBot, settings: Settings) -> None:
    _, answer = await ask(fake, "What is the Reciprocal Access Agreement?")
    click = await fake.click_button(answer, "pactbot:vote:up", user=fake.default_user)
    thanks = await click.wait_for_final(timeout=ANSWER_TIMEOUT)
    assert thanks.ephemeral and "recorded" in thanks.text
    (line,) = (settings.data_dir / "votes.jsonl").read_text(encoding="utf-8").splitlines()
    vote = json.loads(line)
    assert vote["vote"] == "up" and vote["question"] == "What is the Reciprocal Access Agreement?"
    assert vote["passages"] and all("#" in p for p in vote["passages"])
    assert str(fake.default_user.id) not in line


async def test_reconnect_resumes_without_syncing_commands_again(fake: FakeDiscord, bot: PactBot) -> None:
    puts = fake.guild_commands_puts[fake.guild_id]
    await fake.reconnect()
    assert (fake.resume_count, fake.identify_count) == (1, 1)
    _, answer = await ask(fake, "When will Japan and the UK sign the defence pact?")
    assert "[1]" in description(answer)
    assert fake.guild_commands_puts[fake.guild_id] == puts


async def test_a_restart_with_unchanged_commands_does_not_sync(
    fake: FakeDiscord, settings: Settings, service: SearchService
) -> None:
    for expected_puts in (1, 1):
        client = PactBot(settings, service, guild_ready_timeout=0.05)
        async with run_client(client, fake, timeout=20):
            pass
        assert fake.guild_commands_puts[fake.guild_id] == expected_puts


async def test_cooldown_and_unexpected_errors_reach_the_user_as_one_private_line(
    fake: FakeDiscord,
    folders: tuple[Path, Path],
    service: SearchService,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(fake, *folders, cooldown_seconds=60)
    client = PactBot(settings, service, guild_ready_timeout=0.05)
    async with run_client(client, fake, timeout=20):
        await ask(fake, "Who announced the AUKUS pact?")
        handle = await fake.invoke_command("ask", {"question": "And when?"})
        slow_down = await handle.wait_for_final(timeout=ANSWER_TIMEOUT)
        assert slow_down.ephemeral and "try again in" in slow_down.text

        def broken(question: str, k: int = 3) -> None:
            raise RuntimeError("index exploded")

        monkeypatch.setattr(service, "ask", broken)
        handle = await fake.invoke_command("ask", {"question": "Anything?"}, user=fake.owner)
        error = await handle.wait_for_final(timeout=ANSWER_TIMEOUT)
        assert "Something went wrong on my side (error id " in error.text and "exploded" not in error.text
        assert any("index exploded" in str(r.exc_info) for r in caplog.records if r.exc_info)


async def test_the_sources_and_about_commands(fake: FakeDiscord, bot: PactBot, service: SearchService) -> None:
    sources = await (await fake.invoke_command("sources")).wait_for_final(timeout=ANSWER_TIMEOUT)
    assert sources.ephemeral and "Japan and UK set to sign defence pact in December" in sources.text
    assert "Indexed articles (4)" in sources.text
    about = await (await fake.invoke_command("about")).wait_for_final(timeout=ANSWER_TIMEOUT)
    assert "Pactbot" in about.text and service.embedder.name in about.text  # Pactbot's encoder, by artefact


@pytest.fixture
def subprocess_env(fake: FakeDiscord, folders: tuple[Path, Path]) -> Iterator[dict[str, str]]:
    knowledge, data = folders
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PACTBOT_", "DISCORD_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        DISCORD_TOKEN=fake.token,
        PACTBOT_KNOWLEDGE_DIR=str(knowledge),
        PACTBOT_DATA_DIR=str(data),
        PACTBOT_GUILD_ID=str(fake.guild_id),
        PACTBOT_DISCORD_API_BASE=fake.api_base,
        PACTBOT_DISCORD_GATEWAY_URL=fake.gateway_url,
        PACTBOT_LOG_LEVEL="INFO",
    )
    yield env


async def test_the_main_command_with_a_token_starts_the_bot(
    fake: FakeDiscord, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    log = (tmp_path / "bot.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli"], env=subprocess_env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        started = time.monotonic()
        await fake.wait_ready(timeout=120)
        assert time.monotonic() - started < 120
        await fake.wait_for_request(lambda r: r.method == "PUT" and "/commands" in r.path, timeout=30)
        _, answer = await ask(fake, "When will Japan and the UK sign the defence pact?")
        assert "paragraph 1" in description(answer)
        deadline = time.monotonic() + 30  # on_ready comes once the server has been received
        while "Pactbot connected as" not in (tmp_path / "bot.log").read_text() and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    output = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert "Traceback" not in output and "voice will NOT be supported" not in output
    started_line = [line for line in output.splitlines() if line.startswith("Pactbot connected as ")]
    assert len(started_line) == 1, output
    assert "to 1 server; index version " in started_line[0] and "(4 articles, " in started_line[0]
    assert started_line[0].endswith("; slash commands synced")


NEW_PACT = (
    "---\ntitle: Iceland and Chile sign fisheries protection pact\npublisher: Test Wire\npublished: 2024-03-02\n---\n"
    "Iceland and Chile signed a fisheries protection pact in Reykjavik on Saturday, covering patrol boats.\n"
)


async def test_the_running_bot_serves_a_version_indexed_by_another_process(
    fake: FakeDiscord, settings: Settings, service: SearchService, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    client = PactBot(settings.model_copy(update={"reload_seconds": 0.5}), service, guild_ready_timeout=0.05)
    async with run_client(client, fake, timeout=20):
        before = service.searcher.data.manifest.version
        (settings.knowledge_dir / "iceland-chile.md").write_text(NEW_PACT, encoding="utf-8")
        indexed = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot.cli", "index"],
            env=subprocess_env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert indexed.returncode == 0 and "added: iceland-chile" in indexed.stdout, indexed.stderr
        deadline = time.monotonic() + 30
        while service.searcher.data.manifest.version == before and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert service.searcher.data.manifest.version != before
        _, answer = await ask(fake, "What did Iceland and Chile sign in Reykjavik?")
        assert "fisheries protection pact" in description(answer) and "Test Wire" in description(answer)


async def test_a_sharded_bot_runs_the_shards_it_is_given(
    fake: FakeDiscord, settings: Settings, service: SearchService
) -> None:
    sharded = settings.model_copy(update={"shard_count": 2, "shard_ids": [1]})
    client = make_client(sharded, service, guild_ready_timeout=0.05)
    assert isinstance(client, discord.AutoShardedClient)
    async with run_client(client, fake, timeout=20):
        assert fake.identify_payload is not None and fake.identify_payload["shard"] == [1, 2]
        _, answer = await ask(fake, "Who announced the AUKUS pact?")
        assert "[1]" in description(answer)
        assert "to 1 server (1 shard); index version" in client.startup_line()


async def test_every_message_in_a_question_channel_is_answered(
    fake: FakeDiscord, folders: tuple[Path, Path], service: SearchService
) -> None:
    channel = fake.channel("defence-news")
    settings = settings_for(fake, *folders, channel_ids=[channel.id])
    client = PactBot(settings, service, guild_ready_timeout=0.05)
    async with run_client(client, fake, timeout=20):
        assert fake.intents is not None and fake.intents & (1 << 15)  # asked for Message Content
        question = await fake.send_message(channel.id, "When was AUKUS announced?")
        reply = await fake.wait_for_message(lambda m: m.reply_to_id == question.id, timeout=ANSWER_TIMEOUT)
        assert "[1]" in description(reply)
        elsewhere = await fake.send_message(fake.channel_id, "When was AUKUS announced?")
        await asyncio.sleep(0.5)
        assert not [m for m in fake.bot_messages() if m.reply_to_id == elsewhere.id]


async def test_without_question_channels_the_privileged_intent_is_not_requested(
    fake: FakeDiscord, bot: PactBot
) -> None:
    assert fake.intents is not None and not fake.intents & (1 << 15)


async def test_an_expired_interaction_still_gets_its_answer_in_the_channel(
    fake: FakeDiscord, bot: PactBot, service: SearchService, monkeypatch: pytest.MonkeyPatch
) -> None:
    handles: list[InteractionHandle] = []
    real_ask = service.ask

    def slow_ask(question: str, k: int = 3) -> object:
        # The token expires while the answer is being found (Discord allows 15 minutes).
        handles[0].expire()
        return real_ask(question, k)

    monkeypatch.setattr(service, "ask", slow_ask)
    handles.append(await fake.invoke_command("ask", {"question": "Who announced the AUKUS pact?"}))
    await handles[0].wait_for_response(timeout=ANSWER_TIMEOUT)
    posted = await fake.wait_for_message(lambda m: bool(m.embeds) and not m.ephemeral, timeout=ANSWER_TIMEOUT)
    assert "[1]" in description(posted) and posted.allowed_mentions == {"parse": []}
    assert fake.find_requests("POST", "/channels/*/messages")  # posted in the channel, not via the webhook
    assert handles[0].errors and all(e.error_code == 50027 for e in handles[0].errors)


async def test_agreements_command_groups_quotes_by_partner(fake: FakeDiscord, bot: PactBot) -> None:
    handle = await fake.invoke_command("agreements", {"country": "Japan"})
    message = await handle.wait_for_final(timeout=ANSWER_TIMEOUT)
    embed = message.embeds[0]
    assert embed["title"] == "Agreements of Japan"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert {"United Kingdom", "Philippines", "Australia"} <= set(fields)
    assert "**Reciprocal Access Agreement**" in fields["United Kingdom"] and "> “" in fields["United Kingdom"]
    # How it was found and the date the text gives, beside the date it was reported.
    assert "reported 2022-11-04) · " in fields["United Kingdom"]
    assert "one mention only" in fields["United Kingdom"] or " sentences in " in fields["United Kingdom"]
    assert all(len(v) <= 1024 for v in fields.values()) and message.mention_ids == []
    pair = await (await fake.invoke_command("agreements", {"country": "Tokyo", "partner": "Manila"})).wait_for_final(
        timeout=ANSWER_TIMEOUT
    )
    assert pair.embeds[0]["title"] == "Agreements of Japan with Philippines"
    timeline = pair.text.split("**Timeline**")[1]
    assert timeline.index("**2022-11-04**") < timeline.index("**2024-07-08**")
    assert "> “" in timeline and "— Financial Times, 2022-11-04 — paragraph 11" in timeline
    unknown = await (await fake.invoke_command("agreements", {"country": "Narnia"})).wait_for_final(
        timeout=ANSWER_TIMEOUT
    )
    assert unknown.ephemeral and "“Narnia” is not a country I know" in unknown.text


async def test_country_autocomplete_offers_the_indexed_countries(fake: FakeDiscord, bot: PactBot) -> None:
    handle = await fake.autocomplete("agreements", {"country": "phi"}, focused="country")
    await handle.wait_for_response(timeout=ANSWER_TIMEOUT)
    assert [c["name"] for c in handle.choices or []] == ["Philippines"]
    handle = await fake.autocomplete("agreements", {"country": ""}, focused="country")
    await handle.wait_for_response(timeout=ANSWER_TIMEOUT)
    names = [c["name"] for c in handle.choices or []]
    assert {"Japan", "United Kingdom", "Australia"} <= set(names) and names == sorted(names)
    assert "China" not in names


async def test_pactmap_sends_a_png(fake: FakeDiscord, bot: PactBot) -> None:
    handle = await fake.invoke_command("pactmap", {"country": "Japan"})
    message = await handle.wait_for_final(timeout=ANSWER_TIMEOUT)
    (image,) = message.files
    assert image.filename == "pactmap.png" and image.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert "around Japan" in message.content


async def test_without_a_guild_commands_are_synced_globally(
    fake: FakeDiscord, folders: tuple[Path, Path], service: SearchService
) -> None:
    settings = settings_for(fake, *folders, guild_id=None)
    client = PactBot(settings, service, guild_ready_timeout=0.05)
    async with run_client(client, fake, timeout=20):
        assert fake.global_commands_puts == 1 and not fake.guild_commands_puts
        assert {c["name"] for c in fake.global_commands} >= {"ask", "agreements", "reindex"}


async def test_sync_commands_forces_a_sync(fake: FakeDiscord, subprocess_env: dict[str, str], tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "sync-commands", env=subprocess_env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), timeout=180)
    assert process.returncode == 0, output.decode()
    assert f"slash commands synced to server {fake.guild_id}" in output.decode()
    assert fake.guild_commands_puts[fake.guild_id] == 1
